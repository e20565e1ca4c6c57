"""Writes for planning and oversight. The hand-off API other apps use:

AppConfig hook `planning_raising_factors(self, enterprises, year) -> {enterprise_id: [Factor(source, label)]}`
    Each app that knows a raising factor (004 六: complaints, failed sampling, linkage notices ...) returns, for the
    enterprises of the queryset `enterprises`, the factors that hold for `year`. Planning implements the expiring
    license (registry) and the focus industry (the city's list) itself; complaints, tests and notices plug in here.

generate_plan(org_unit, year, plan_date, user) -> Plan
    The unit's plan from the register at the plan date (one entry per licensed enterprise, class snapshotted, its
    factors listed, rules.required_inspections); refuses a year without calendar data and enterprises already in
    another plan of the year.
adjust_entry(entry, planned, reason, version, user) -> PlanAdjustment      (a stale version raises StaleEdit)
approve_plan(plan, user) -> Plan                                           (idempotent: a double click is a no-op)
recount_enterprise(enterprise_id) / recount_plans(plans)
    Keep PlanEntry.done true (the inspections signal calls the first; the generator and the daily run the second).
confirm_class(enterprise, to_class, reason, user) -> ClassChange           (sets Enterprise.supervision_class)
open_recheck(city, county, year, checklist, deadline, user) -> Recheck     (freezes the draw's candidate list)
dispatch_drawn(task, *, units, kind, org_unit, user, inspectors=None, special_trigger="")  (match from units, dispatch)
create_campaign(...), add_visit(...), open_visit_draw(...), dispatch_visit(...), upload_self_check(...)
add_campaign_finding(visit, text, user, enterprise=None, submission_token=None) -> CampaignFinding
    A finding about a drawn enterprise is issued at once as a 责令改正通知书 of the audited branch
    (followup.services.issue_order, source label naming the campaign; 000 三、2).
(the oversight functions are in oversight.py)

AppConfig hooks planning answers for other apps (apps.py):
    `order_source(record)` / `order_records_elsewhere(user)` (followup): a re-check's problems are ordered by the
    city, a cross audit's by the audited branch; `draw_task_owners(task_ids)` (randomcheck.owners): the re-check
    and cross-audit draw tasks are matched and dispatched on planning's pages, from the allowed units only.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.utils import timezone

from postlicense.core import changes
from postlicense.core.bulk import insert_rows
from postlicense.core.concurrency import check_version, locked
from postlicense.core.models import OrgUnit
from postlicense.core.scoping import unit_q
from postlicense.core.workdays import WorkingCalendar
from postlicense.inspections.models import InspectionRecord
from postlicense.registry.models import Enterprise, License

from . import rules
from .crews import match_from_units
from .models import ClassChange, FocusCategory, Plan, PlanAdjustment, PlanBatch, PlanEntry

ADJUST_FIELDS = ["planned"]


@dataclass(frozen=True)
class Factor:
    source: str  # 投诉举报, 监督抽查不合格, 许可证到期换证, 联动通报, 重点行业 ...
    label: str


def licensed_enterprises(unit: OrgUnit, on: date):
    """The unit's enterprises holding a license valid on `on` (注销 ones hold none to supervise)."""
    valid = License.objects.filter(
        enterprise=OuterRef("pk"), status=License.Status.VALID, issue_date__lte=on, expiry_date__gte=on
    )
    return Enterprise.objects.filter(unit_q(Enterprise, unit), Exists(valid)).exclude(
        status=Enterprise.Status.CANCELLED
    )


def expiring_license_factors(enterprises, year):
    """许可证到期换证 (004 六): a valid license expiring in the plan year."""
    rows = License.objects.filter(
        enterprise__in=enterprises, status=License.Status.VALID, expiry_date__year=year
    ).values_list("enterprise_id", "expiry_date")
    found = {}
    for enterprise_id, expiry in rows:
        found.setdefault(enterprise_id, [Factor("许可证到期换证", f"许可证{expiry:%Y-%m-%d}到期")])
    return found


def city_prefixes(year):
    """{region code prefix of a city: {focus product category ids}} for the year."""
    focus = defaultdict(set)
    for row in FocusCategory.objects.filter(year=year).select_related("city__region"):
        focus[row.city.region.scope_prefix].add(row.product_category_id)
    return focus


def focus_industry_factors(enterprises, year):
    """重点行业 (004 六): the enterprise's product category is on its city's focus list for the year."""
    focus = city_prefixes(year)
    categories = {c for ids in focus.values() for c in ids}
    rows = enterprises.filter(product_category__in=categories).values_list(
        "pk", "region_id", "product_category_id", "product_category__name"
    )
    return {
        pk: [Factor("重点行业", f"{name}为{year}年度重点行业")]
        for pk, region, category, name in rows
        if any(region.startswith(prefix) and category in ids for prefix, ids in focus.items())
    }


def raising_factors(enterprises, year) -> dict:
    """Every app's factors merged: {enterprise_id: [Factor, ...]} (the hook `planning_raising_factors`)."""
    merged = defaultdict(list)
    for config in apps.get_app_configs():
        hook = getattr(config, "planning_raising_factors", None)
        if hook is None:
            continue
        for enterprise_id, factors in hook(enterprises, year).items():
            merged[enterprise_id].extend(factors)
    return merged


def _require_calendar(year):
    WorkingCalendar().is_working_day(date(year, 1, 1))  # raises CalendarMissing (Chinese) for a year without data


def generate_plan(org_unit: OrgUnit, year: int, plan_date: date, user) -> Plan:
    """The unit's annual plan from the register at `plan_date`, in 草稿 for adjustment and approval."""
    errors = {}
    try:
        _require_calendar(year)
    except ValidationError as exc:
        errors["year"] = exc.messages
    if plan_date.year not in (year, year - 1):
        errors.setdefault("plan_date", []).append("计划基准日应在计划年度或其上一年内。")
    if errors:
        raise ValidationError(errors)
    enterprises = licensed_enterprises(org_unit, plan_date)
    with transaction.atomic():
        if Plan.objects.filter(org_unit=org_unit, year=year).exists():
            raise ValidationError({"year": f"{org_unit.name}已有{year}年度计划，不能重复编制。"})
        twice = list(
            PlanEntry.objects.filter(year=year, enterprise__in=enterprises)
            .select_related("enterprise", "plan__org_unit")
            .order_by("enterprise__credit_code")[:10]
        )
        if twice:
            names = "、".join(f"{e.enterprise.name}（已在{e.plan.org_unit.name}计划中）" for e in twice)
            raise ValidationError({"year": f"以下企业已列入{year}年度其他计划，同一企业一年只能列入一个计划：{names}"})
        plan = Plan.objects.create(org_unit=org_unit, year=year, plan_date=plan_date, created_by=user)
        factors = raising_factors(enterprises, year)
        rows = []
        for pk, supervision_class in enterprises.order_by("pk").values_list("pk", "supervision_class"):
            listed = factors.get(pk, [])
            minimum, planned = rules.required_inspections(supervision_class, listed)
            factor_json = [{"source": f.source, "label": f.label} for f in listed]
            rows.append((plan.pk, year, pk, supervision_class, factor_json, minimum, planned, 0))
        insert_rows(
            connection,
            PlanEntry._meta.db_table,
            ("plan_id", "year", "enterprise_id", "supervision_class", "factors", "minimum", "planned", "done"),
            _json_rows(rows),
        )
        changes.enterprises_written(row[2] for row in rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(PlanEntry._meta.db_table)}")
        recount_plans([plan])
    return plan


def _json_rows(rows):
    import json

    for row in rows:
        yield (*row[:4], json.dumps(row[4], ensure_ascii=False), *row[5:])


def adjust_entry(entry: PlanEntry, planned, reason: str, version: str, user) -> PlanAdjustment:
    """调整 one entry by hand, with a reason; never below the class minimum (004 六); only while the plan is a draft."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "请填写调整理由。"
    try:
        planned = int(planned)
    except (TypeError, ValueError):
        errors["planned"] = "计划次数应为整数。"
    with transaction.atomic():
        current = locked(entry)
        if current.plan.status != Plan.Status.DRAFT:
            raise ValidationError("计划已批准，不能再调整。")
        if "planned" not in errors and not current.minimum <= planned <= 12:
            errors["planned"] = f"计划次数应在{current.minimum}（{current.supervision_class}类最低次数）到12之间。"
        if errors:
            raise ValidationError(errors)
        check_version(current, version, {"planned": planned}, ADJUST_FIELDS)
        adjustment = PlanAdjustment.objects.create(
            entry=current, planned_before=current.planned, planned_after=planned, reason=reason, by=user
        )
        current.planned = planned
        current.save(update_fields=["planned"])
    return adjustment


def approve_plan(plan: Plan, user) -> Plan:
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == Plan.Status.APPROVED:
            return plan  # a second click
        plan.status, plan.approved_by, plan.approved_at = Plan.Status.APPROVED, user, timezone.now()
        plan.save(update_fields=["status", "approved_by", "approved_at"])
    return plan


def counted_records(year):
    return InspectionRecord.objects.filter(
        status=InspectionRecord.Status.FINISHED,
        kind__in=rules.COUNTED_KINDS,
        inspection_date__gte=date(year, 1, 1),
        inspection_date__lte=date(year, 12, 31),
    )


def recount_enterprise(enterprise_id) -> None:
    """Recompute `done` on the enterprise's plan entries (the inspections signal calls this on a record's change)."""
    for entry in PlanEntry.objects.filter(enterprise_id=enterprise_id):
        done = (
            counted_records(entry.year)
            .filter(enterprise_id=enterprise_id)
            .aggregate(n=Count("inspection_date", distinct=True))["n"]
        )
        if done != entry.done:
            PlanEntry.objects.filter(pk=entry.pk).update(done=done)


def completion_sql(plans, year):
    """(sql, params) of every entry of `plans` (a list) with its inspections done in `year` computed from the
    records: columns id, enterprise_id, planned, done. One aggregate: per enterprise, the distinct inspection dates
    of the year's counted records (finished, rules.COUNTED_KINDS) — one enterprise-day counts once; a record
    without an inspection date has no day in the year and does not count (as rules.done_count). The WHERE clause
    is the predicate of the partial index planning_counted_days (migration 0002) on (enterprise_id,
    inspection_date), so PostgreSQL reads the index alone, already in enterprise-day order, with no hash."""
    quote = connection.ops.quote_name
    records, entries = quote(InspectionRecord._meta.db_table), quote(PlanEntry._meta.db_table)
    plan_ids = [plan.pk for plan in plans]
    sql = (
        f"SELECT e.id, e.enterprise_id, e.planned, COALESCE(d.n, 0) AS done FROM {entries} e LEFT JOIN ("
        f"SELECT enterprise_id, COUNT(DISTINCT inspection_date) AS n FROM {records} WHERE status = %s "
        f"AND kind IN ({', '.join(['%s'] * len(rules.COUNTED_KINDS))}) AND inspection_date BETWEEN %s AND %s "
        f"GROUP BY enterprise_id) d ON d.enterprise_id = e.enterprise_id "
        f"WHERE e.plan_id IN ({', '.join(['%s'] * len(plan_ids))})"
    )
    params = [InspectionRecord.Status.FINISHED, *rules.COUNTED_KINDS, date(year, 1, 1), date(year, 12, 31)]
    return sql, [*params, *plan_ids]


def recount_plans(plans) -> int:
    """Recompute `done` for every entry of the plans in one statement per year; returns the entries changed."""
    by_year = defaultdict(list)
    for plan in plans:
        by_year[plan.year].append(plan)
    table = connection.ops.quote_name(PlanEntry._meta.db_table)
    changed = 0
    for year, year_plans in by_year.items():
        sql, params = completion_sql(year_plans, year)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = c.done FROM ({sql}) c WHERE {table}.id = c.id AND {table}.done <> c.done "
                f"RETURNING {table}.enterprise_id",
                params,
            )
            written = [row[0] for row in cursor.fetchall()]
        changes.enterprises_written(written)
        changed += len(written)
    return changed


def confirm_class(enterprise: Enterprise, to_class: str, reason: str, user) -> ClassChange:
    """The city confirms a class change (DESIGN: class suggestion, the city confirms); recorded in the archive."""
    reason = (reason or "").strip()
    errors = {}
    if to_class not in Enterprise.SupervisionClass.values:
        errors["to_class"] = "请选择监管分类（A、B、C、D）。"
    if not reason:
        errors["reason"] = "请填写调整理由。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if enterprise.supervision_class == to_class:
            raise ValidationError({"to_class": f"该企业已是{to_class}类。"})
        change = ClassChange.objects.create(
            enterprise=enterprise, from_class=enterprise.supervision_class, to_class=to_class, reason=reason, by=user
        )
        enterprise.supervision_class = to_class
        enterprise.save(update_fields=["supervision_class", "updated_at"])
    return change


def unit_city(unit: OrgUnit) -> OrgUnit:
    while unit.kind != OrgUnit.Kind.CITY and unit.parent_id:
        unit = unit.parent
    return unit


def may_manage(user, unit: OrgUnit) -> bool:
    """Plans are made and approved by the unit itself or the city above it."""
    if user.is_superuser:
        return True
    if not user.is_bureau_staff or user.org_unit is None:
        return False
    return user.org_unit_id == unit.pk or (
        user.org_unit.kind == OrgUnit.Kind.CITY
        and OrgUnit.objects.filter(unit_q(OrgUnit, user.org_unit), pk=unit.pk).exists()
    )


def is_city(user) -> bool:
    return user.is_superuser or (
        user.is_bureau_staff and user.org_unit is not None and user.org_unit.kind == OrgUnit.Kind.CITY
    )


def set_focus_categories(city: OrgUnit, year: int, categories) -> None:
    """The city's focus industries for the year (004 六 重点行业): plans made afterwards list them as a factor."""
    with transaction.atomic():
        wanted = {c.pk for c in categories}
        FocusCategory.objects.filter(city=city, year=year).exclude(product_category__in=wanted).delete()
        have = set(FocusCategory.objects.filter(city=city, year=year).values_list("product_category", flat=True))
        for pk in sorted(wanted - have):
            FocusCategory.objects.create(city=city, year=year, product_category_id=pk)


def dispatch_batch(plan: Plan, *, count, kind, template_version, due_date, token, user, inspectors=None):
    """派发 a batch of the approved plan's inspections: the `count` enterprises furthest behind plan with no open
    record, each matched ≥2 inspectors of the plan's unit (or the chosen ones) and dispatched through
    inspections.create_inspections. A resubmitted form (the same token) returns the batch already made."""
    from postlicense.inspections.services import create_inspections

    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("org_unit").get(pk=plan.pk)
        done = PlanBatch.objects.filter(token=token).first()
        if done is not None:
            return done
        if plan.status != Plan.Status.APPROVED:
            raise ValidationError("计划批准后才能派发检查。")
        open_records = InspectionRecord.objects.filter(
            enterprise=OuterRef("enterprise"), status__in=InspectionRecord.OPEN_STATUSES
        )
        entries = list(
            plan.entries.filter(done__lt=F("planned"))
            .exclude(Exists(open_records))
            .select_related("enterprise")
            .order_by(F("done") - F("planned"), "enterprise_id")[:count]
        )
        if not entries:
            raise ValidationError("没有待派发的企业：计划内企业均已完成或已有未完成的检查记录。")
        enterprises = [e.enterprise for e in entries]
        crews = match_from_units(
            enterprises,
            units=[plan.org_unit],
            seed=f"{plan.org_unit.code}|{plan.year}|{token}",
            deadline=due_date,
            load_cap=max(5, len(enterprises)),
            inspectors=inspectors,
        )
        records = create_inspections(
            [
                dict(
                    enterprise=e,
                    kind=kind,
                    template_version=template_version,
                    org_unit=plan.org_unit,
                    inspectors=crews[e.pk],
                    due_date=due_date,
                    created_by=user,
                )
                for e in enterprises
            ]
        )
        batch = PlanBatch.objects.create(plan=plan, token=token, kind=kind, by=user)
        batch.records.set(records)
    return batch
