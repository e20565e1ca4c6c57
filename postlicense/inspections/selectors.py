"""Reads for inspections. Every list goes through the jurisdiction scope."""

from collections import defaultdict
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from postlicense.inspectors.models import Inspector
from postlicense.registry.models import License

from . import rules
from .models import ChecklistItem, ChecklistVersion, InspectionRecord, Problem, RecordInspector


def current_template(code):
    """The newest published version of the checklist `code` (e.g. "random_check_003")."""
    return (
        ChecklistVersion.objects.filter(template__code=code, published=True)
        .select_related("template")
        .order_by("-number")
        .first()
    )


def versions_for_kind(kind):
    """The published checklist versions that serve an inspection kind (ChecklistVersion.kinds): a random check
    is filled on the 003 table (一企两表), a cross audit on the 000 sheet, a patrol on a patrol checklist."""
    versions = (
        ChecklistVersion.objects.filter(published=True).select_related("template").order_by("template__code", "-number")
    )
    return versions.filter(pk__in=[v.pk for v in versions if kind in v.kinds])


def kinds_label(version):
    return "、".join(str(InspectionRecord.Kind(k).label) for k in version.kinds if k in InspectionRecord.Kind.values)


def extra_field_places(version):
    """Where each extra field of a version sits, from the order the version lists them: "before" the items (in
    their groups, e.g. 000's 证后巡查及年审情况), in the item "section" (fields of the item_section's group, printed
    beside 企业名称: 产品名称), and "after" the items (fields listed after the section's, e.g. 000's 现场检查结论).
    A version without an item section has every field before its items."""
    fields = list(version.extra_fields)
    section = version.item_section
    if not section:
        return {"before": fields, "section": [], "after": []}
    first = next((i for i, f in enumerate(fields) if f.get("group") == section), len(fields))
    return {
        "before": fields[:first],
        "section": [f for f in fields if f.get("group") == section],
        "after": [f for f in fields[first:] if f.get("group") != section],
    }


def needs_enterprise_signature(version):
    """A version with an enterprise signature box (its enterprise_label) needs the enterprise to sign or a refusal;
    the 000 sheet is signed by the 检查人员 only."""
    return bool(version.enterprise_label)


def records_for(user):
    return InspectionRecord.objects.for_user(user).select_related(
        "enterprise", "org_unit", "template_version__template"
    )


def my_inspections(user, today=None):
    """我的检查: the inspector's open records, split into overdue, due within 7 days, and assigned."""
    today = today or date.today()
    open_records = records_for(user).filter(status__in=InspectionRecord.OPEN_STATUSES).order_by("due_date", "id")
    overdue, due, assigned = [], [], []
    for record in open_records:
        if record.due_date and record.due_date < today:
            overdue.append(record)
        elif record.due_date and (record.due_date - today).days <= 7:
            due.append(record)
        else:
            assigned.append(record)
    return {"overdue": overdue, "due": due, "assigned": assigned}


def record_counts(user, today=None):
    today = today or date.today()
    qs = InspectionRecord.objects.for_user(user)
    return qs.aggregate(
        open=Count("id", filter=Q(status__in=InspectionRecord.OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=InspectionRecord.OPEN_STATUSES, due_date__lt=today)),
        unqualified=Count("id", filter=Q(conclusion=InspectionRecord.Conclusion.UNQUALIFIED)),
    )


def can_fill(user, record):
    """Bureau staff of the jurisdiction (the record is already scoped) or one of the record's inspectors."""
    if user.is_bureau_staff:
        return True
    return record.inspectors.filter(user=user).exists()


def awaiting_crew(qs):
    """The records of `qs` still waiting for their crew: dispatched, not started, fewer than two inspectors
    (rules.MIN_INSPECTORS) — a linkage notice's targeted inspection is dispatched to the county without any."""
    size = (
        RecordInspector.objects.filter(record=OuterRef("pk"))
        .order_by()
        .values("record")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        qs.filter(status=InspectionRecord.Status.ASSIGNED)
        .annotate(crew_size=Coalesce(Subquery(size), 0))
        .filter(crew_size__lt=rules.MIN_INSPECTORS)
    )


def awaits_crew(record):
    return record.status == InspectionRecord.Status.ASSIGNED and record.crew.count() < rules.MIN_INSPECTORS


def awaiting_crew_ids(record_ids):
    """Of these record ids, those awaiting their crew (one query, for pages listing records of other apps)."""
    return set(awaiting_crew(InspectionRecord.objects.filter(pk__in=record_ids)).values_list("pk", flat=True))


CREW_MISSING = "missing"  # the record list's crew filter: the special inspections waiting for their crew


def crew_todo(user, today, limit):
    """待指派检查组的专项检查 for bureau staff (a county gives each its crew on the 指派检查组 page)."""
    from postlicense.core.todo import TodoGroup, TodoItem

    if not user.is_bureau_staff:
        return []
    qs = awaiting_crew(records_for(user).filter(kind=InspectionRecord.Kind.SPECIAL))
    total = qs.count()
    if not total:
        return []
    return [
        TodoGroup(
            "待指派检查组的专项检查",
            total,
            qs.filter(due_date__lt=today).count(),
            [
                TodoItem(
                    f"{r.enterprise.name} · {r.get_special_trigger_display() or r.get_kind_display()}",
                    reverse("inspections:record_crew", args=[r.pk]),
                    r.due_date,
                    f"完成期限 {r.due_date:%Y-%m-%d}" if r.due_date else "",
                )
                for r in qs.order_by("due_date", "id")[:limit]
            ],
            reverse("inspections:record_list") + f"?kind={InspectionRecord.Kind.SPECIAL}&crew={CREW_MISSING}",
        )
    ]


OPEN = "open"  # the status filter for every record still to be done (待检查 and 检查中), as counted on the home page


def filter_records(qs, *, kind="", status="", conclusion="", q="", overdue="", crew="", today=None):
    if kind:
        qs = qs.filter(kind=kind)
    if crew == CREW_MISSING:
        qs = awaiting_crew(qs)
    if status == OPEN:
        qs = qs.filter(status__in=InspectionRecord.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=InspectionRecord.OPEN_STATUSES, due_date__lt=today or date.today())
    if conclusion:
        qs = qs.filter(conclusion=conclusion)
    if q:
        qs = qs.filter(Q(enterprise__name__contains=q) | Q(enterprise__credit_code=q))
    return qs


def equipment_rows(record):
    """The key-equipment table as found on site, each row with its difference from the register ("" if none)."""
    rows = []
    for row in record.equipment_checks.all():
        row.difference = rules.equipment_difference(
            rules.EquipmentRow(
                row.name,
                row.model,
                row.registered_quantity,
                row.found_model,
                row.found_quantity,
                row.registered_id is not None,
            )
        )
        rows.append(row)
    return rows


def item_rows(record):
    findings = {f.item_id: f for f in record.findings.prefetch_related("attachments")}
    rows = []
    for item in record.checked_items():
        finding = findings.get(item.pk)
        rows.append(
            {
                "item": item,
                "finding": finding,
                "nonconforming": bool(finding)
                and rules.is_nonconforming(
                    finding.option, finding.conclusion, item.conclusions, item.nonconforming_options
                ),
            }
        )
    return rows


def nonconforming_findings(record):
    return [
        f
        for f in record.findings.select_related("item")
        if rules.is_nonconforming(f.option, f.conclusion, f.item.conclusions, f.item.nonconforming_options)
    ]


def computed_conclusion(record):
    """003 附件 注2, applied to the record's findings."""
    return rules.conclusion_for(len(nonconforming_findings(record)))


def _license_fact(enterprise, day):
    licenses = list(enterprise.licenses.order_by("expiry_date", "pk"))
    valid = [
        lic
        for lic in licenses
        if lic.status in (License.Status.VALID, License.Status.EXPIRED) and lic.issue_date <= day <= lic.expiry_date
    ]
    if valid:
        listed = "、".join(f"{lic.number}（有效期至 {lic.expiry_date:%Y-%m-%d}）" for lic in valid)
        return rules.RegisterFact(False, f"检查日期 {day:%Y-%m-%d} 有效的生产许可证：{listed}")
    if not licenses:
        return rules.RegisterFact(True, "该企业没有登记生产许可证")
    listed = "、".join(
        f"{lic.number}（{lic.get_status_display()}，{lic.issue_date:%Y-%m-%d} 至 {lic.expiry_date:%Y-%m-%d}）"
        for lic in licenses
    )
    return rules.RegisterFact(True, f"检查日期 {day:%Y-%m-%d} 该企业没有有效的生产许可证：{listed}")


def _equipment_fact(record):
    rows = equipment_rows(record)
    if not rows or any(row.found_quantity is None for row in rows):
        return None  # not compared on site yet
    differences = [f"{row.name} {row.difference}" for row in rows if row.difference]
    if differences:
        return rules.RegisterFact(True, f"关键生产设备表核对发现变化：{'；'.join(differences)}")
    return rules.RegisterFact(False, "关键生产设备表核对与登记一致")


def _calibration_fact(enterprise, day):
    instruments = list(enterprise.equipment.filter(is_measuring_instrument=True).order_by("pk"))
    if not instruments:
        return None

    def due(i):
        return (
            f"{i.name}（检定有效期至 {i.calibration_due:%Y-%m-%d}）"
            if i.calibration_due
            else f"{i.name}（未登记检定有效期）"
        )

    overdue = [i for i in instruments if i.calibration_due is None or i.calibration_due < day]
    if overdue:
        return rules.RegisterFact(
            True, f"检查日期 {day:%Y-%m-%d} 不在检定有效期内的计量器具：{'、'.join(map(due, overdue))}"
        )
    return rules.RegisterFact(False, f"登记的计量器具在检查日期均在检定有效期内：{'、'.join(map(due, instruments))}")


def _open_problems_fact(record):
    problems = list(
        Problem.objects.filter(enterprise=record.enterprise, status=Problem.Status.OPEN)
        .exclude(record=record)
        .filter(record__inspection_date__lte=record.inspection_date or date.today())
        .order_by("opened_at", "pk")
    )
    if not problems:
        return rules.RegisterFact(False, "该企业没有未关闭的问题")
    shown = "；".join(p.description[:40] for p in problems[:3]) + ("……" if len(problems) > 3 else "")
    return rules.RegisterFact(True, f"该企业有 {len(problems)} 个未关闭的问题：{shown}")


def register_facts(record):
    """What the register says for each register check the record's checklist makes (None: it cannot tell yet)."""
    checks = {item.register_check for item in record.checked_items() if item.register_check}
    day, Check = record.inspection_date, ChecklistItem.RegisterCheck
    facts = {}
    if Check.LICENSE_VALID in checks and day:
        facts[Check.LICENSE_VALID] = _license_fact(record.enterprise, day)
    if Check.KEY_EQUIPMENT in checks:
        facts[Check.KEY_EQUIPMENT] = _equipment_fact(record)
    if Check.CALIBRATION in checks and day:
        facts[Check.CALIBRATION] = _calibration_fact(record.enterprise, day)
    if Check.OPEN_PROBLEMS in checks:
        facts[Check.OPEN_PROBLEMS] = _open_problems_fact(record)
    return facts


def item_errors(item, finding, facts):
    """What is wrong with one item's answer when the record is finished (or amended)."""
    label = rules.item_label(item.number, item.text)
    option, conclusion = (finding.option, finding.conclusion) if finding else ("", "")
    not_applicable = conclusion == rules.NOT_APPLICABLE
    errors = []
    if item.options and not option and not not_applicable:
        errors.append(f"{label}：未填写检查记录。")
    if item.conclusions and not conclusion:
        errors.append(f"{label}：未填写单项检查结论。")
    conflict = rules.answer_conflict(option, conclusion, item.option_conclusions, item.conclusions)
    if conflict:
        errors.append(f"{label}：{conflict}")
    says = rules.register_disagreement(option, facts.get(item.register_check), item.register_agreement)
    if says and not (finding.register_confirmed and finding.register_note.strip()):
        errors.append(f"{label}：检查记录为“{option}”，而登记信息显示{says}。请核实后勾选“我已核实”并填写核实说明。")
    return errors


def crew_problems(inspectors, enterprise_id, day):
    """rules.crew_violations for a crew (an Inspector queryset) inspecting an enterprise on `day`: at least two,
    certificates valid that day, nobody on the enterprise's avoidance list. Used when a record is finished and
    when a revisit is dispatched."""
    inspectors = inspectors.annotate(
        avoids=Exists(
            Inspector.avoid_enterprises.through.objects.filter(inspector=OuterRef("pk"), enterprise=enterprise_id)
        )
    )
    people = [
        rules.Person(i.name, i.certificate_no, i.certificate_valid_from, i.certificate_valid_until, i.avoids)
        for i in inspectors
    ]
    return rules.crew_violations(people, day)


def finish_errors(record, today=None):
    """Everything that stops the record from being finished (or an amendment from being saved), keyed by the
    form field it belongs to ("inspection_date", "item-<id>", "eq-qty-<id>", …), each message naming the rule
    or the item."""
    errors = defaultdict(list)
    if record.inspection_date is None:
        errors["inspection_date"].append("请填写检查日期。")
    future = rules.inspection_date_error(record.inspection_date, today or date.today())
    if future:
        errors["inspection_date"].append(future)
    errors["crew"] += crew_problems(record.inspectors.all(), record.enterprise_id, record.inspection_date)
    answered = {f.item_id: f for f in record.findings.all()}
    facts = register_facts(record)
    for item in record.checked_items():
        errors[f"item-{item.pk}"] += item_errors(item, answered.get(item.pk), facts)
    for row in record.equipment_checks.all() if record.has_equipment_table else []:
        if row.found_quantity is None:
            errors[f"eq-qty-{row.pk}"].append(f"关键生产设备表：请填写“{row.name}”的现场数量。")
    version = record.template_version
    if version.has_problems_summary and not record.problems_summary.strip() and nonconforming_findings(record):
        errors["problems_summary"].append("存在不符合项：请填写“现场检查发现的问题汇总”。")
    for link in record.crew.select_related("inspector"):
        if not link.signature:
            errors["signatures"].append(f"检查人员 {link.inspector.name} 尚未签名。")
    if needs_enterprise_signature(version) and not record.enterprise_signature and not record.enterprise_refused:
        errors["signatures"].append(
            f"“{version.enterprise_label}”尚未签名；如企业拒绝签字，请选择“企业拒绝签字”并记录情况。"
        )
    return {key: messages for key, messages in errors.items() if messages}


def finish_problems(record):
    """finish_errors as one list of messages."""
    return [message for messages in finish_errors(record).values() for message in messages]


def record_view(record, user):
    fillable = can_fill(user, record)
    rows = item_rows(record)
    return {
        "record": record,
        "extra": extra_field_places(record.template_version),
        "rows": rows,
        "equipment": equipment_rows(record) if record.has_equipment_table else None,
        "crew": record.crew.select_related("inspector"),
        "amendments": record.amendments.select_related("by"),
        "problems": record.problems.all(),
        "can_fill": fillable and record.is_open and record.crew.exists(),
        "awaits_crew": user.is_bureau_staff and awaits_crew(record),
        "can_amend": fillable and record.is_locked,
        "blocking": finish_problems(record) if record.is_open else [],
        "nonconforming_so_far": 0 if record.is_locked else sum(row["nonconforming"] for row in rows),
    }
