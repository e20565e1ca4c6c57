"""The city's oversight: re-checks of each county (002 第十九条), cross-audit campaigns (000), class suggestions
and inspector calibration. Re-checks and cross audits draw with the random check's code: a randomcheck Task
holds the frozen candidate list, the seed contributions and the draw, so the public verification page and
`postlicense verify-draw` serve them unchanged; the match (from the allowed units only) and the dispatch are done
here and recorded as the task's steps (randomcheck.services.record_step)."""

from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from postlicense.core import audit, uploads
from postlicense.core.models import OrgUnit
from postlicense.core.regulations import cite
from postlicense.core.scoping import unit_q
from postlicense.followup import services as followup
from postlicense.followup.models import RectificationOrder
from postlicense.followup.rules import DEFAULT_REQUIREMENT
from postlicense.inspections.models import Finding, InspectionRecord, Problem, RecordInspector
from postlicense.inspections.services import create_inspections
from postlicense.randomcheck import draw
from postlicense.randomcheck import services as randomcheck
from postlicense.randomcheck.models import Assignment, DrawnEnterprise, Task
from postlicense.randomcheck.owners import TaskOwner
from postlicense.randomcheck.services import months_before

from . import rules, selectors
from .crews import match_from_units
from .models import Campaign, CampaignFinding, CampaignVisit, CountyFinding, Recheck
from .services import licensed_enterprises

State = Task.State


def _units_under(unit):
    return OrgUnit.objects.filter(unit_q(OrgUnit, unit))


# ---- re-checks (002 第十九条) ----


def open_recheck(city, county, year, checklist, deadline, user, now=None) -> Recheck:
    """The county's re-check for the year: a draw task over its licensed enterprises at 10% a stratum (so at least
    ceil(10%) in all), its candidate list frozen at once. Seed contributions and the draw follow on the task."""
    errors = {}
    if city.kind != OrgUnit.Kind.CITY:
        errors["county"] = "市局复查只能由市局组织。"
    elif county.kind != OrgUnit.Kind.COUNTY or not _units_under(city).filter(pk=county.pk).exists():
        errors["county"] = f"{county.name}不是{city.name}下辖的县（市、区）局。"
    if Recheck.objects.filter(county=county, year=year).exists():
        errors["year"] = f"{county.name}{year}年度的复查已创建。"
    if errors:
        raise ValidationError(errors)
    percent = str(rules.RECHECK_PERCENT)
    with transaction.atomic():
        task = Task(
            name=f"{year}年市局复查：{county.name}",
            plan_name="市局对县局证后监管工作的监督检查",
            year=year,
            issuing_unit=city,
            ratio_low=percent,
            ratio_medium=percent,
            ratio_medium_high=percent,
            ratio_high=percent,
            ratio_reason=f"市局复查：每年抽查不低于辖区获证企业总数的10%（{cite('002', '第十九条')}），各风险等级均按10%抽取",
            deadline=deadline,
            checklist=checklist,
            load_cap=20,
        )
        randomcheck.save_new_task(task, user)
        task.regions.set([county.region])
        task = randomcheck.freeze_candidates(task, user, now=now)
        licensed = task.candidates.count()
        return Recheck.objects.create(
            city=city,
            county=county,
            year=year,
            licensed=licensed,
            target=rules.recheck_target(licensed),
            task=task,
            created_by=user,
        )


def dispatch_drawn(task, *, units, kind, org_unit, user, inspectors=None, special_trigger=""):
    """Match ≥2 inspectors from `units` only to each drawn enterprise (or use the chosen `inspectors`) and dispatch
    one record each; recorded as the task's 已匹配 and 已派发 steps (randomcheck.services.record_step)."""
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.state != State.DRAWN:
            raise ValidationError(f"只有“已抽取企业”的任务才能匹配并派发（当前：{task.get_state_display()}）。")
        drawn = list(task.drawn.select_related("enterprise"))
        crews = match_from_units(
            [d.enterprise for d in drawn],
            units=units,
            seed=task.seed,
            deadline=task.deadline,
            load_cap=task.load_cap,
            required=task.inspectors_per_enterprise,
            inspectors=inspectors,
        )
        assignments = Assignment.objects.bulk_create(
            [
                Assignment(
                    drawn=d,
                    inspector=inspector,
                    rank=draw.inspector_rank(task.seed, d.credit_code, inspector.certificate_no),
                )
                for d in drawn
                for inspector in crews[d.enterprise_id]
            ]
        )
        audit.record_created(assignments)
        randomcheck.record_step(task, State.DRAWN, State.MATCHED, user)
        records = create_inspections(
            [
                dict(
                    enterprise=d.enterprise,
                    kind=kind,
                    special_trigger=special_trigger,
                    template_version=task.checklist,
                    org_unit=org_unit,
                    inspectors=crews[d.enterprise_id],
                    due_date=task.deadline,
                    created_by=user,
                )
                for d in drawn
            ]
        )
        for d, record in zip(drawn, records):
            d.inspection = record
        audit.bulk_update_audited(DrawnEnterprise, drawn, ["inspection"])
        randomcheck.record_step(task, State.MATCHED, State.DISPATCHED, user)
    return records


def dispatch_recheck(recheck: Recheck, user, inspectors=None):
    """Inspected by the city's own inspectors (002 第十九条): the county's are refused."""
    if inspectors is not None:
        county_units = set(_units_under(recheck.county).values_list("pk", flat=True))
        theirs = [i.name for i in inspectors if i.org_unit_id in county_units]
        if theirs:
            raise ValidationError(
                {"inspectors": f"市局复查须由市局自己的检查人员实施，不能由被复查单位的人员检查：{'、'.join(theirs)}。"}
            )
    return dispatch_drawn(
        recheck.task,
        units=[recheck.city],
        kind=InspectionRecord.Kind.SPECIAL,
        special_trigger=InspectionRecord.Trigger.QUALITY_AUDIT,
        org_unit=recheck.city,
        user=user,
        inspectors=inspectors,
    )


def recheck_done(recheck: Recheck) -> int:
    """Distinct drawn enterprises whose re-check record is finished."""
    return recheck.task.drawn.filter(inspection__status=InspectionRecord.Status.FINISHED).count()


def add_county_finding(recheck: Recheck, text: str, serious: bool, user) -> CountyFinding:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写发现的问题。"})
    return CountyFinding.objects.create(recheck=recheck, text=text, serious=bool(serious), by=user)


# ---- cross-audit campaigns (000) ----


def branches_of(organiser):
    return list(OrgUnit.objects.filter(parent=organiser, kind=OrgUnit.Kind.BRANCH).order_by("code"))


def create_campaign(*, organiser, name, year, self_check_start, self_check_end, audit_start, audit_end, user):
    errors = {}
    if not (name or "").strip():
        errors["name"] = "请填写名称。"
    if self_check_end < self_check_start:
        errors["self_check_end"] = "自查结束日期不能早于开始日期。"
    if audit_end < audit_start:
        errors["audit_end"] = "督查互查结束日期不能早于开始日期。"
    elif audit_start <= self_check_end:
        errors["audit_start"] = "督查互查应在自查结束之后开始。"
    if len(branches_of(organiser)) < 2:
        errors["name"] = f"{organiser.name}下属分局不足两个，无法互查。"
    if errors:
        raise ValidationError(errors)
    return Campaign.objects.create(
        organiser=organiser,
        name=name.strip(),
        year=year,
        self_check_start=self_check_start,
        self_check_end=self_check_end,
        audit_start=audit_start,
        audit_end=audit_end,
        created_by=user,
    )


def add_visit(campaign: Campaign, branch: OrgUnit, day: date, user) -> CampaignVisit:
    """One visit per branch, on a day inside the audit window (000 二(四)), by the group of all other units."""
    errors = {}
    if branch.pk == campaign.organiser_id or branch.parent_id != campaign.organiser_id:
        errors["branch"] = f"{branch.name}不是{campaign.organiser.name}的下属分局，不能作为被检查单位。"
    if not campaign.audit_start <= day <= campaign.audit_end:
        errors["date"] = f"日期应在督查互查阶段内（{campaign.audit_start:%Y-%m-%d}至{campaign.audit_end:%Y-%m-%d}）。"
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        if "branch" not in errors and campaign.visits.filter(branch=branch).exists():
            errors["branch"] = f"本次督查互查已安排对{branch.name}的检查，每个分局只检查一次。"
        if errors:
            raise ValidationError(errors)
        return CampaignVisit.objects.create(campaign=campaign, branch=branch, date=day)


def visit_group(visit: CampaignVisit) -> list[OrgUnit]:
    """The units auditing the visit's branch: the organiser and every other branch (rules.cross_audit_groups)."""
    return rules.cross_audit_groups(visit.campaign.organiser, branches_of(visit.campaign.organiser))[visit.branch]


def schedule(campaign: Campaign):
    """000 附件1's rows: (visit, group units)."""
    groups = rules.cross_audit_groups(campaign.organiser, branches_of(campaign.organiser))
    return [(visit, groups.get(visit.branch, [])) for visit in campaign.visits.select_related("branch", "task")]


def open_visit_draw(visit: CampaignVisit, checklist, user, now=None) -> Task:
    """The branch's draw task (2 enterprises, rules.cross_audit_ratios), its candidate list frozen at once."""
    with transaction.atomic():
        visit = CampaignVisit.objects.select_for_update().select_related("campaign", "branch").get(pk=visit.pk)
        if visit.task_id:
            return visit.task
        on = timezone.localdate(now) if now else timezone.localdate()
        counts = dict(
            licensed_enterprises(visit.branch, on)
            .order_by()
            .values("risk_level")
            .annotate(n=Count("pk"))
            .values_list("risk_level", "n")
        )
        ratios = rules.cross_audit_ratios(counts, draw.STRATA)
        task = Task(
            name=f"{visit.campaign.name}：{visit.branch.name}",
            plan_name=visit.campaign.name,
            year=visit.campaign.year,
            issuing_unit=visit.branch,
            **{f"ratio_{stratum}": ratio for stratum, ratio in ratios.items()},
            ratio_reason=f"督查互查：在被检查分局随机抽取2～3家获证企业（{cite('000', '二(二)')}）",
            deadline=visit.date,
            checklist=checklist,
            load_cap=10,
        )
        randomcheck.save_new_task(task, user)
        task = randomcheck.freeze_candidates(task, user, now=now)
        visit.task = task
        visit.save(update_fields=["task"])
    return task


def dispatch_visit(visit: CampaignVisit, user, inspectors=None):
    """Inspectors from the visit's group only; the audited branch's own are refused (000 附件1)."""
    visit = CampaignVisit.objects.select_related("campaign__organiser", "branch", "task").get(pk=visit.pk)
    if visit.task is None:
        raise ValidationError("请先冻结候选名单并抽取企业。")
    if inspectors is not None:
        own = [i.name for i in inspectors if i.org_unit_id == visit.branch_id]
        if own:
            raise ValidationError({"inspectors": f"被检查分局的人员不能参加对本分局的督查互查：{'、'.join(own)}。"})
    return dispatch_drawn(
        visit.task,
        units=visit_group(visit),
        kind=InspectionRecord.Kind.CROSS_AUDIT,
        org_unit=visit.campaign.organiser,
        user=user,
        inspectors=inspectors,
    )


def branch_block(visit: CampaignVisit) -> dict:
    """000 附件2's branch block: enterprises due a patrol or annual review this year vs those done by the visit day,
    and the materials sampled (entered by hand)."""
    year = visit.date.year
    due = licensed_enterprises(visit.branch, visit.date)
    done = (
        InspectionRecord.objects.filter(
            enterprise__in=due,
            status=InspectionRecord.Status.FINISHED,
            kind__in=rules.COUNTED_KINDS,
            inspection_date__gte=date(year, 1, 1),
            inspection_date__lte=visit.date,
        )
        .values("enterprise")
        .distinct()
        .count()
    )
    return {"due": due.count(), "done": done, "sampled": visit.materials_sampled, "overall": visit.materials_overall}


def save_materials(visit: CampaignVisit, sampled, overall, user) -> CampaignVisit:
    try:
        sampled = int(sampled)
    except (TypeError, ValueError):
        raise ValidationError({"materials_sampled": "请填写抽查的材料数（整数）。"}) from None
    if sampled < 0:
        raise ValidationError({"materials_sampled": "材料数不能为负数。"})
    visit.materials_sampled, visit.materials_overall = sampled, (overall or "").strip()
    visit.save(update_fields=["materials_sampled", "materials_overall"])
    return visit


MAX_REPORT_MB = 20


def upload_self_check(visit: CampaignVisit, upload, user, today=None) -> CampaignVisit:
    """The branch's self-check report (PDF), accepted inside the self-check window only (000 二(四)1)."""
    today = today or timezone.localdate()
    campaign = visit.campaign
    if not campaign.self_check_start <= today <= campaign.self_check_end:
        raise ValidationError(
            {
                "report": f"自查报告应在自查阶段（{campaign.self_check_start:%Y-%m-%d}至{campaign.self_check_end:%Y-%m-%d}）内上传。"
            }
        )
    if upload.size > MAX_REPORT_MB * 1024 * 1024:
        raise ValidationError({"report": f"文件不能超过{MAX_REPORT_MB} MB。"})
    raw = upload.read(MAX_REPORT_MB * 1024 * 1024 + 1)
    if len(raw) > MAX_REPORT_MB * 1024 * 1024:
        raise ValidationError({"report": f"文件不能超过{MAX_REPORT_MB} MB。"})
    if not raw.startswith(b"%PDF-"):
        raise ValidationError({"report": "自查报告须为PDF文件。"})
    try:
        uploads.check_pdf(raw, upload.name)
    except ValidationError as exc:
        raise ValidationError({"report": exc.messages}) from None
    from django.core.files.base import ContentFile

    visit.self_check_report.save(f"self-check-{visit.pk}.pdf", ContentFile(raw), save=False)
    visit.self_check_uploaded_at = timezone.now()
    visit.save(update_fields=["self_check_report", "self_check_uploaded_at"])
    return visit


@transaction.atomic
def add_campaign_finding(
    visit: CampaignVisit, text: str, user, enterprise=None, submission_token=None
) -> CampaignFinding:
    """A finding of the visit. One about a drawn enterprise becomes a 责令改正通知书 at once, issued in the audited
    branch's name (000 三、2: the branches deal with the problems found and revisit) by followup.services.issue_order,
    its source the campaign; one about the branch's own work is kept for the campaign report. The same form posted
    twice (`submission_token`) records and issues once."""
    if submission_token:
        existing = CampaignFinding.objects.filter(submission_token=submission_token).first()
        if existing:
            return existing
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写发现的问题。"})
    record = None
    if enterprise is not None:
        if visit.task_id is None or not visit.task.drawn.filter(enterprise=enterprise).exists():
            raise ValidationError({"enterprise": "该企业不在本次抽取的企业中。"})
        record = DrawnEnterprise.objects.get(task=visit.task, enterprise=enterprise).inspection
    finding = CampaignFinding(
        visit=visit, enterprise=enterprise, record=record, text=text, by=user, submission_token=submission_token
    )
    if enterprise is not None:
        finding.order = followup.issue_order(
            enterprise=enterprise,
            unit=visit.branch,
            by=user,
            source_kind=RectificationOrder.SourceKind.INSPECTION,
            source_label=campaign_source_label(visit),
            items=[(text, "")],
            source_record=record,
            requirement=DEFAULT_REQUIREMENT,
            submission_token=submission_token,
        )
    finding.save()
    return finding


# ---- the draw tasks planning owns (randomcheck.owners) ----


def draw_task_owners(task_ids) -> dict:
    """{task id: TaskOwner} for the re-checks' and cross-audit visits' draw tasks: a re-check is managed by its city
    and inspected by the city's own inspectors (002 第十九条); a visit's draw is managed by the campaign's organiser
    and inspected by its group, never the audited branch (000 附件1). The random-check pages read them."""
    owners = {}
    for recheck in Recheck.objects.filter(task_id__in=task_ids).only("pk", "task_id", "city_id"):
        owners[recheck.task_id] = TaskOwner(
            "市局复查",
            reverse("planning:recheck_detail", args=[recheck.pk]),
            recheck.city_id,
            frozenset([recheck.city_id]),
        )
    groups = {}
    for visit in CampaignVisit.objects.filter(task_id__in=task_ids).select_related("campaign__organiser", "branch"):
        organiser = visit.campaign.organiser
        if organiser.pk not in groups:
            groups[organiser.pk] = rules.cross_audit_groups(organiser, branches_of(organiser))
        owners[visit.task_id] = TaskOwner(
            "督查互查",
            reverse("planning:visit_detail", args=[visit.pk]),
            organiser.pk,
            frozenset(u.pk for u in groups[organiser.pk].get(visit.branch, [])),
        )
    return owners


# ---- follow-up of re-check and cross-audit findings (followup.services.issue_order) ----


def order_source(record):
    """followup's hook: (issuing unit, source label) of an order for the problems of a re-check or cross-audit
    record, None for any other. A re-check is followed up by the city that inspected (002 第十九条 with 第十条: the
    department whose inspection found the problem orders the rectification and revisits); a cross audit by the
    audited branch, whose enterprise it is (000 三、2: 各分局要及时依法做出处理，并认真做好复查回访工作)."""
    if record.kind not in (InspectionRecord.Kind.SPECIAL, InspectionRecord.Kind.CROSS_AUDIT):
        return None
    recheck = Recheck.objects.filter(task__drawn__inspection=record).select_related("city", "county").first()
    if recheck:
        return recheck.city, f"市局复查：{recheck}（{record.get_kind_display()} {record.inspection_date:%Y-%m-%d}）"
    visit = visit_of_record(record)
    if visit:
        return visit.branch, campaign_source_label(visit)
    return None


def visit_of_record(record):
    return CampaignVisit.objects.filter(task__drawn__inspection=record).select_related("campaign", "branch").first()


def campaign_source_label(visit: CampaignVisit) -> str:
    return f"督查互查：{visit.campaign.name}（{visit.branch.name} {visit.date:%Y-%m-%d}）"


def order_records_elsewhere(user):
    """followup's hook: the records whose orders a unit outside the user's jurisdiction issues: a city re-check's,
    for anyone but the city's staff (the county reads them, the city orders)."""
    if selectors.is_city(user):
        return None
    return DrawnEnterprise.objects.filter(task__recheck__isnull=False, inspection__isnull=False).values("inspection")


# ---- class suggestion (DESIGN: from the last 24 months; the city confirms) ----


def class_signals(enterprise_ids, today) -> dict:
    """{enterprise id: {reason: count}} over the last 24 months: 不合格 records, persisting problems, and whatever
    the hook `planning_class_signals(enterprise_ids, since)` of other apps adds (failed tests, complaints)."""
    from django.apps import apps

    since = months_before(today, rules.SUGGESTION_MONTHS)
    signals = defaultdict(dict)
    for eid, n in (
        InspectionRecord.objects.filter(
            enterprise_id__in=enterprise_ids,
            status=InspectionRecord.Status.FINISHED,
            conclusion=InspectionRecord.Conclusion.UNQUALIFIED,
            inspection_date__gte=since,
        )
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    ):
        signals[eid]["检查不合格"] = n
    for eid, n in (
        Problem.objects.filter(
            enterprise_id__in=enterprise_ids, status=Problem.Status.PERSISTING, opened_at__date__gte=since
        )
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    ):
        signals[eid]["问题仍未整改"] = n
    for config in apps.get_app_configs():
        hook = getattr(config, "planning_class_signals", None)
        if hook:
            for eid, found in hook(enterprise_ids, since).items():
                signals[eid].update(found)
    return signals


def suggestions(enterprises, today):
    """[(enterprise, suggested class, reasons)] for the enterprises whose suggestion differs from their class."""
    enterprises = list(enterprises)
    signals = class_signals([e.pk for e in enterprises], today)
    rows = []
    for e in enterprises:
        suggested, reasons = rules.suggest_class(signals.get(e.pk, {}))
        if suggested != e.supervision_class:
            rows.append((e, suggested, reasons))
    return rows


# ---- inspector calibration (DESIGN: visible to the city only) ----


def _matched_records(city):
    return InspectionRecord.objects.filter(
        unit_q(InspectionRecord, city), random_draw__isnull=False, status=InspectionRecord.Status.FINISHED
    )


def latest_calibration_year(city: OrgUnit) -> int | None:
    latest = _matched_records(city).order_by("-inspection_date").values_list("inspection_date", flat=True).first()
    return latest.year if latest else None


def calibration(city: OrgUnit, year: int):
    """Per inspector on records assigned by random matching (finished, in the city's area, in the year): items
    answered, items found nonconforming, the share with its 95% Wilson interval, against the share of the
    inspector's unit; flagged when the unit's share lies outside the inspector's interval."""
    from postlicense.inspections.rules import is_nonconforming

    records = _matched_records(city).filter(inspection_date__year=year)
    per_record = defaultdict(lambda: [0, 0])
    for record_id, option, conclusion, conclusions, nc_options in Finding.objects.filter(
        record__in=records
    ).values_list("record_id", "option", "conclusion", "item__conclusions", "item__nonconforming_options"):
        per_record[record_id][0] += 1
        per_record[record_id][1] += is_nonconforming(option, conclusion, conclusions, nc_options)
    per_inspector, per_unit, names = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0]), {}
    for record_id, inspector_id, name, unit_id, unit_name in RecordInspector.objects.filter(
        record__in=records
    ).values_list(
        "record_id", "inspector_id", "inspector__name", "inspector__org_unit_id", "inspector__org_unit__name"
    ):
        items, nonconforming = per_record[record_id]
        for bucket in (per_inspector[inspector_id], per_unit[unit_id]):
            bucket[0] += items
            bucket[1] += nonconforming
        names[inspector_id] = (name, unit_id, unit_name)
    rows = []
    for inspector_id, (items, nonconforming) in per_inspector.items():
        name, unit_id, unit_name = names[inspector_id]
        unit_items, unit_nc = per_unit[unit_id]
        low, high = rules.wilson_interval(nonconforming, items)
        unit_share = unit_nc / unit_items if unit_items else 0.0
        rows.append(
            dict(
                name=name,
                unit=unit_name,
                items=items,
                nonconforming=nonconforming,
                share=nonconforming / items if items else 0.0,
                low=low,
                high=high,
                unit_share=unit_share,
                flag="偏高" if unit_share < low else "偏低" if unit_share > high else "",
            )
        )
    return sorted(rows, key=lambda r: (r["unit"], -r["share"], r["name"]))
