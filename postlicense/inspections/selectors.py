"""Reads for inspections. Every list goes through the jurisdiction scope."""
from datetime import date

from django.db.models import Count, Q

from . import rules
from .models import ChecklistVersion, InspectionRecord


def current_template(code):
    """The newest published version of the checklist `code` (e.g. "random_check_003")."""
    return (ChecklistVersion.objects.filter(template__code=code, published=True)
            .select_related("template").order_by("-number").first())


def records_for(user):
    return (InspectionRecord.objects.for_user(user)
            .select_related("enterprise", "org_unit", "template_version__template"))


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


def filter_records(qs, *, kind="", status="", conclusion="", q=""):
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if conclusion:
        qs = qs.filter(conclusion=conclusion)
    if q:
        qs = qs.filter(Q(enterprise__name__contains=q) | Q(enterprise__credit_code=q))
    return qs


def equipment_rows(record):
    """The key-equipment table as found on site, each row with its difference from the register ("" if none)."""
    rows = []
    for row in record.equipment_checks.all():
        row.difference = rules.equipment_difference(rules.EquipmentRow(
            row.name, row.model, row.registered_quantity, row.found_model, row.found_quantity, row.registered_id is not None))
        rows.append(row)
    return rows


def item_rows(record):
    findings = {f.item_id: f for f in record.findings.prefetch_related("attachments")}
    rows = []
    for item in record.template_version.items.all():
        finding = findings.get(item.pk)
        rows.append({
            "item": item, "finding": finding,
            "nonconforming": bool(finding) and rules.is_nonconforming(
                finding.option, finding.conclusion, item.conclusions, item.nonconforming_options),
        })
    return rows


def nonconforming_findings(record):
    return [f for f in record.findings.select_related("item")
            if rules.is_nonconforming(f.option, f.conclusion, f.item.conclusions, f.item.nonconforming_options)]


def computed_conclusion(record):
    """003 附件 注2, applied to the record's findings."""
    return rules.conclusion_for(len(nonconforming_findings(record)))


def finish_problems(record):
    """Everything that stops the record from being finished, each as a message naming the rule or the item."""
    messages = []
    if record.inspection_date is None:
        messages.append("请填写检查日期。")
    people = [rules.Person(i.name, i.certificate_no, i.certificate_valid_from, i.certificate_valid_until,
                           i.avoid_enterprises.filter(pk=record.enterprise_id).exists())
              for i in record.inspectors.all()]
    messages += rules.crew_violations(people, record.inspection_date)
    answered = {f.item_id: f for f in record.findings.all()}
    for item in record.template_version.items.all():
        finding = answered.get(item.pk)
        if item.options and not (finding and finding.option):
            messages.append(f"第{item.number}项“{item.text[:20]}”未填写检查记录。")
        if item.conclusions and not (finding and finding.conclusion):
            messages.append(f"第{item.number}项“{item.text[:20]}”未填写单项检查结论。")
    if nonconforming_findings(record) and not record.problems_summary.strip():
        messages.append("存在不符合项：请填写“现场检查发现的问题汇总”。")
    for link in record.crew.select_related("inspector"):
        if not link.signature:
            messages.append(f"检查人员 {link.inspector.name} 尚未签名。")
    if not record.enterprise_signature and not record.enterprise_refused:
        messages.append("企业负责人/代表尚未签名；如企业拒绝签字，请选择“企业拒绝签字”并记录情况。")
    return messages


def record_view(record, user):
    fillable = can_fill(user, record)
    return {
        "record": record,
        "rows": item_rows(record),
        "equipment": equipment_rows(record),
        "crew": record.crew.select_related("inspector"),
        "amendments": record.amendments.select_related("by"),
        "problems": record.problems.all(),
        "can_fill": fillable and record.is_open,
        "can_amend": fillable and record.is_locked,
        "blocking": [] if record.is_locked else finish_problems(record),
        "provisional": "" if record.is_locked else dict(InspectionRecord.Conclusion.choices)[computed_conclusion(record)],
    }
