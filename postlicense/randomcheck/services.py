"""Writes for random-check tasks. Each step checks the task's state under a row lock, so a step is done once
and never redone after the next has begun; a failed step raises ValidationError and saves nothing."""

import calendar
from collections import Counter, defaultdict
from datetime import date
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from postlicense.core import audit
from postlicense.core.bulk import insert_values, update_rows
from postlicense.core.models import AuditEntry, OrgUnit
from postlicense.core.scoping import unit_q
from postlicense.inspections.models import InspectionRecord, RecordInspector
from postlicense.inspections.services import create_inspections, mark_not_carried_out
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise, License

from . import draw, matching, rules
from .dbdraw import draw_in_database
from .models import (
    Assignment,
    Candidate,
    Disclosure,
    DrawnEnterprise,
    SeedContribution,
    Swap,
    Task,
    TaskStep,
    assignment_str,
    drawn_str,
)
from .owners import task_owner

State = Task.State


def _locked(task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


def _advance(task: Task, to_state: str, user) -> None:
    task.state = to_state
    task.save(update_fields=["state"])
    TaskStep.objects.create(task=task, state=to_state, by=user if getattr(user, "is_authenticated", False) else None)


def record_step(task: Task, from_state: str, to_state: str, user) -> Task:
    """A step another app performs on a task it drew with this app's draw (planning's re-checks and cross audits
    match and dispatch under their own unit rules): recorded like this app's own steps, once, in order."""
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, (from_state,), f"只有“{State(from_state).label}”的任务才能执行此步骤")
        _advance(task, to_state, user)
    return task


def _refuse_if_owned(task: Task) -> None:
    """This app's own match and dispatch would take the enterprises' units' inspectors: a task another app owns
    (a city re-check, a cross-audit visit) is matched and dispatched on that app's page under its unit rules."""
    owner = task_owner(task)
    if owner:
        raise ValidationError(owner.own_steps_refused)


def _require_state(task: Task, allowed: tuple, message: str) -> None:
    if task.state not in allowed:
        raise ValidationError(f"{message}（任务当前状态：{task.get_state_display()}）")


@transaction.atomic
def save_new_task(task: Task, user) -> Task:
    """A new task in 草稿, with that first step recorded."""
    task.created_by = user
    task.save()
    TaskStep.objects.create(task=task, state=State.DRAFT, by=user)
    return task


@transaction.atomic
def create_task(form, user) -> Task:
    task = save_new_task(form.save(commit=False), user)
    form.save_m2m()
    return task


@transaction.atomic
def update_task(form, user) -> Task:
    """Draw parameters change only in 草稿; matching parameters until inspectors are matched (forms.py). A save
    based on a version another person has since changed raises core.concurrency.StaleEdit."""
    task = _locked(form.instance)
    _require_state(task, (State.DRAFT, State.FROZEN, State.DRAWN), "人员匹配后任务参数不能再修改")
    form.check_version()
    return form.save()


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def candidate_queryset(task: Task, on: date):
    """The enterprises the task's scope selects on the freeze date `on`: every holder of a license valid that day
    (003 三 draws from all license holders, 停产 ones included by default, 003 七(五)), narrowed by region,
    product category, status and the recent-check exclusion."""
    licensed = License.objects.filter(
        enterprise=OuterRef("pk"), status=License.Status.VALID, issue_date__lte=on, expiry_date__gte=on
    )
    qs = Enterprise.objects.filter(unit_q(Enterprise, task.issuing_unit), Exists(licensed), status__in=task.statuses)
    regions = list(task.regions.all())
    if regions:
        in_regions = Q()
        for region in regions:
            in_regions |= Q(region__code__startswith=region.scope_prefix)
        qs = qs.filter(in_regions)
    categories = list(task.product_categories.all())
    if categories:
        qs = qs.filter(product_category__in=categories)
    if task.exclude_recent_months:
        since = months_before(on, task.exclude_recent_months)
        recently = DrawnEnterprise.objects.filter(inspection__inspection_date__gte=since).values("enterprise")
        qs = qs.exclude(pk__in=recently)
    return qs


def freeze_candidates(task: Task, user, now=None) -> Task:
    """Freeze the candidate list and record its digest, before any seed exists (DESIGN "The draw must be
    verifiable"); the task's public page shows the digest and the time at once. `now` replays a past freeze
    (the demo); the list is who held a valid license on that day."""
    with transaction.atomic():
        task = _locked(task)
        if task.state != State.DRAFT or task.frozen_at is not None:
            raise ValidationError(f"候选名单已冻结，不能再次冻结（任务当前状态：{task.get_state_display()}）。")
        try:
            draw.validate_ratios(task.ratios)
        except (ValueError, TypeError) as exc:
            raise ValidationError(str(exc)) from None
        reason_error = rules.ratios_error(task.ratios) or rules.ratio_reason_error(task.ratios, task.ratio_reason)
        if reason_error:
            raise ValidationError(reason_error)
        frozen_at = now or timezone.now()
        # The list is written by the database itself (INSERT … SELECT, in credit-code order as the draw bench
        # assumes), and the digest is made from the rows as stored: a million rows need not travel to Python
        # and back.
        sql, params = (
            candidate_queryset(task, timezone.localdate(frozen_at))
            .values_list("pk", "credit_code", "risk_level")
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Candidate._meta.db_table} (enterprise_id, credit_code, stratum, task_id) "
                f"SELECT frozen.*, %s FROM ({sql}) frozen ORDER BY 2",
                [task.pk, *params],
            )
            if not cursor.rowcount:
                raise ValidationError(
                    "候选企业名单为空：没有符合抽查区域、产品类别和生产状态且持有有效生产许可证的企业，无法冻结。"
                )
        try:
            digest = draw.candidates_digest(
                task.candidates.order_by().values_list("credit_code", "stratum").iterator(chunk_size=50_000)
            )
        except ValueError as exc:
            raise ValidationError(f"候选企业名单有误：{exc}") from None
        task.candidates_digest, task.frozen_at = digest, frozen_at
        task.save(update_fields=["candidates_digest", "frozen_at"])
        _advance(task, State.FROZEN, user)
    return task


def add_contribution(task: Task, contributor: str, contributor_unit: str, value: str, user) -> SeedContribution:
    """One named person's part of the seed, accepted only after the freeze and before the draw. Errors are keyed
    by the form's field names."""
    contributor, contributor_unit = (contributor or "").strip(), (contributor_unit or "").strip()
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, (State.FROZEN,), "只有冻结候选名单之后、抽取企业之前才能录入随机种子贡献值")
        errors = {}
        try:
            value = draw.normalize_contribution(value)
        except ValueError as exc:
            errors["value"] = str(exc)
        if not contributor:
            errors["contributor"] = "请填写贡献人姓名。"
        elif task.contributions.filter(contributor=contributor, contributor_unit=contributor_unit).exists():
            errors["contributor"] = f"{contributor}（{contributor_unit}）已提供过贡献值，每人只能提供一个。"
        if not contributor_unit:
            errors["contributor_unit"] = "请填写贡献人所在单位。"
        if errors:
            raise ValidationError(errors)
        return SeedContribution.objects.create(
            task=task,
            position=task.contributions.count() + 1,
            contributor=contributor,
            contributor_unit=contributor_unit,
            value=value,
            recorded_by=user,
        )


def draw_enterprises(task: Task, user) -> Task:
    """Draw from the frozen list with the seed joined from the contributions (DESIGN "The draw must be
    verifiable"): at least two, from different people, all entered after the freeze."""
    with transaction.atomic():
        task = _locked(task)
        if task.state == State.DRAFT:
            raise ValidationError("请先冻结候选名单，再录入随机种子贡献值并抽取。")
        if task.state != State.FROZEN:
            raise ValidationError("该任务已抽取企业，抽取结果已固定，不能再次抽取。")
        try:
            seed = draw.join_contributions(task.contributions.order_by("position").values_list("value", flat=True))
        except ValueError as exc:
            raise ValidationError(f"{exc}，请先录入至少两名不同人员提供的贡献值。") from None
        counts = Counter(
            dict(task.candidates.order_by().values("stratum").annotate(n=Count("pk")).values_list("stratum", "n"))
        )
        enterprise_of = dict(task.candidates.values_list("credit_code", "enterprise_id"))
        # Plain values, not a model instance per drawn row: the rows and their audit entries are made from them
        # (audit.created_entries gives the entries record_created would give).
        drawn = insert_values(
            DrawnEnterprise,
            [
                {
                    "task_id": task.pk,
                    "enterprise_id": enterprise_of[row.credit_code],
                    "credit_code": row.credit_code,
                    "stratum": result.stratum,
                    "rank": row.rank,
                }
                for result in draw_in_database(task.candidates.all(), seed, task.ratios, counts)
                for row in result.drawn
            ],
        )
        # The entries name each drawn enterprise (DrawnEnterprise.__str__): the names come in one join, not one
        # query per entry nor a list of 100,000 ids to compile.
        name_of = dict(Enterprise.objects.filter(random_draws__task=task).values_list("pk", "name"))
        audit.record(
            audit.created_entries(
                DrawnEnterprise, drawn, (drawn_str(name_of[d["enterprise_id"]], d["credit_code"]) for d in drawn)
            )
        )
        task.seed = seed
        task.save(update_fields=["seed"])
        _advance(task, State.DRAWN, user)
    return task


CANCELLABLE = (
    State.DRAFT,
    State.FROZEN,
    State.DRAWN,
    State.MATCHED,
    State.DISPATCHED,
    State.INSPECTING,
    State.COMPLETED,
)


def cancel_task(task: Task, reason: str, user) -> Task:
    """取消: never silent. The reason and the step (who, when) are kept, a frozen task stays on the public list as
    已取消, and dispatched records not yet finished leave the inspectors' open lists."""
    reason = (reason or "").strip()
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, CANCELLABLE, "已公示或已取消的任务不能取消")
        if not reason:
            raise ValidationError({"reason": "请填写取消原因（将随任务公示）。"})
        task.cancel_reason = reason
        task.save(update_fields=["cancel_reason"])
        _advance(task, State.CANCELLED, user)
        for record in InspectionRecord.objects.filter(
            random_draw__task=task, status__in=InspectionRecord.OPEN_STATUSES
        ):
            mark_not_carried_out(record, by=user, reason=f"抽查任务已取消：{reason}")
    return task


def verify_task_draw(task: Task):
    """Re-run the draw in pure Python from the frozen list: (DrawResult, list of differences in Chinese). A task
    frozen as its own step must also have its seed joined from contributions entered after the freeze."""
    candidates = task.candidates.order_by().values_list("credit_code", "stratum")
    result = draw.draw(task.seed, candidates, task.ratios)
    problems = []
    if task.frozen_at is not None:
        contributions = list(task.contributions.order_by("position"))
        try:
            if draw.join_contributions(c.value for c in contributions) != task.seed:
                problems.append("随机种子与各贡献值按录入顺序连接的结果不符")
        except ValueError as exc:
            problems.append(f"随机种子贡献值有误：{exc}")
        problems += [
            f"第{c.position}个贡献值（{c.contributor}）录入于候选名单冻结之前"
            for c in contributions
            if c.entered_at <= task.frozen_at
        ]
    if result.candidates_digest != task.candidates_digest:
        problems.append(f"候选名单摘要不符：记录为 {task.candidates_digest}，重新计算为 {result.candidates_digest}")
    stored = set(task.drawn.values_list("credit_code", "rank"))
    recomputed = {(row.credit_code, row.rank) for stratum in result.strata for row in stratum.drawn}
    for code, _ in sorted(stored - recomputed):
        problems.append(f"{code} 在记录的抽取结果中，但重新抽取时未被抽中")
    for code, _ in sorted(recomputed - stored):
        problems.append(f"{code} 重新抽取时被抽中，但不在记录的抽取结果中")
    return result, problems


# ---- inspector matching (003 五(二)) ----


def inspector_pool(task: Task):
    """The issuing unit's inspectors; for a task another app owns (owners.py), those of the units it allows."""
    owner = task_owner(task)
    area = Q(org_unit__in=owner.inspector_unit_ids) if owner else unit_q(Inspector, task.issuing_unit)
    return Inspector.objects.filter(area).prefetch_related("expertise", "avoid_enterprises")


def inspector_info(inspector: Inspector) -> matching.InspectorInfo:
    return matching.InspectorInfo(
        id=inspector.pk,
        certificate_no=inspector.certificate_no,
        org_unit_id=inspector.org_unit_id,
        certificate_valid_until=inspector.certificate_valid_until,
        expertise=frozenset(str(c.pk) for c in inspector.expertise.all()),
        avoid_enterprise_ids=frozenset(e.pk for e in inspector.avoid_enterprises.all()),
        active=inspector.active,
    )


def last_inspectors(enterprise_ids) -> dict:
    """Enterprise id → the inspectors of its latest finished inspection (not to be sent again). `enterprise_ids`
    may be a query (a task's drawn enterprises: a subquery rather than 100,000 parameters)."""
    latest = {}
    records = (
        InspectionRecord.objects.filter(enterprise_id__in=enterprise_ids, status=InspectionRecord.Status.FINISHED)
        .order_by("enterprise_id", "-inspection_date", "-id")
        .values_list("enterprise_id", "id")
    )
    for enterprise_id, record_id in records:
        latest.setdefault(enterprise_id, record_id)
    by_record = defaultdict(set)
    for record_id, inspector_id in RecordInspector.objects.filter(record_id__in=latest.values()).values_list(
        "record_id", "inspector_id"
    ):
        by_record[record_id].add(inspector_id)
    return {enterprise_id: frozenset(by_record[record_id]) for enterprise_id, record_id in latest.items()}


def _demand(task: Task, drawn: DrawnEnterprise, last: dict) -> matching.EnterpriseDemand:
    enterprise = drawn.enterprise
    return _demand_of(
        task,
        drawn.enterprise_id,
        drawn.credit_code,
        enterprise.supervising_unit_id,
        enterprise.product_category_id,
        last,
    )


def _demand_of(task: Task, enterprise_id, credit_code, unit_id, category_id, last: dict) -> matching.EnterpriseDemand:
    return matching.EnterpriseDemand(
        id=enterprise_id,
        credit_code=credit_code,
        org_unit_id=unit_id,
        product_category=str(category_id),
        required=task.inspectors_per_enterprise,
        last_inspector_ids=last.get(enterprise_id, frozenset()),
    )


def match_params(task: Task, enterprise_ids=()) -> matching.MatchParams:
    """The task's matching parameters; for a task another app owns, its allowed units for `enterprise_ids`."""
    owner = task_owner(task)
    return matching.MatchParams(
        seed=task.seed,
        deadline=task.deadline,
        load_cap=task.load_cap,
        require_expertise=task.require_expertise,
        widen_pool=task.widen_pool and owner is None,
        allowed_org_units_by_enterprise={eid: owner.inspector_unit_ids for eid in enterprise_ids} if owner else {},
    )


def match_inspectors(task: Task, user) -> Task:
    """Assign ≥2 eligible inspectors to every drawn enterprise, or raise naming each enterprise and why not."""
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, (State.DRAWN,), "只有“已抽取企业”的任务才能匹配检查人员；匹配后的调整须逐人说明原因")
        _refuse_if_owned(task)
        # Plain values, not 100,000 drawn rows and their enterprises as model instances.
        drawn = list(
            task.drawn.values_list(
                "pk",
                "enterprise_id",
                "credit_code",
                "enterprise__supervising_unit_id",
                "enterprise__product_category_id",
            )
        )
        last = last_inspectors(task.drawn.values("enterprise_id"))
        inspectors = list(inspector_pool(task))
        result = matching.match(
            [_demand_of(task, *row[1:], last) for row in drawn],
            [inspector_info(i) for i in inspectors],
            match_params(task),
        )
        if not result.ok:
            code_of = {enterprise_id: credit_code for _, enterprise_id, credit_code, *_ in drawn}
            name_of = dict(
                Enterprise.objects.filter(pk__in={s.enterprise_id for s in result.shortfalls}).values_list("pk", "name")
            )
            raise ValidationError(
                [f"{name_of[s.enterprise_id]}（{code_of[s.enterprise_id]}）：{s.message}" for s in result.shortfalls]
            )
        inspector_of = {i.pk: i for i in inspectors}
        # Plain values, not a model instance per assignment (see draw_enterprises).
        assignments = insert_values(
            Assignment,
            [
                {
                    "drawn_id": drawn_id,
                    "inspector_id": inspector_id,
                    "rank": draw.inspector_rank(task.seed, credit_code, inspector_of[inspector_id].certificate_no),
                }
                for drawn_id, enterprise_id, credit_code, *_ in drawn
                for inspector_id in result.assignments[enterprise_id]
            ],
        )
        inspector_str = {pk: str(inspector) for pk, inspector in inspector_of.items()}
        audit.record(
            audit.created_entries(
                Assignment,
                assignments,
                (assignment_str(a["drawn_id"], inspector_str[a["inspector_id"]]) for a in assignments),
            )
        )
        _advance(task, State.MATCHED, user)
    return task


def swap_candidates(task: Task, drawn: DrawnEnterprise) -> list[Inspector]:
    """Inspectors who may replace one on this enterprise: eligible, not on it already, below the load cap."""
    demand = _demand(task, drawn, last_inspectors([drawn.enterprise_id]))
    params = match_params(task, [drawn.enterprise_id])
    current = set(drawn.assignments.filter(removed_by=None).values_list("inspector", flat=True))
    loads = defaultdict(int)
    for inspector_id in Assignment.objects.filter(drawn__task=task, removed_by=None).values_list(
        "inspector", flat=True
    ):
        loads[inspector_id] += 1
    return [
        i
        for i in inspector_pool(task).select_related("org_unit")
        if i.pk not in current
        and loads[i.pk] < task.load_cap
        and matching.eligibility(demand, inspector_info(i), params) is None
    ]


def swap_inspector(drawn: DrawnEnterprise, removed: Inspector, added: Inspector, reason: str, user) -> Swap:
    """调整检查人员: an amendment with a reason; the new inspector must be eligible and within the load cap."""
    reason = (reason or "").strip()
    with transaction.atomic():
        task = _locked(drawn.task)
        _require_state(
            task, (State.MATCHED, State.DISPATCHED, State.INSPECTING), "只有匹配后、完成前的任务才能调整检查人员"
        )
        drawn = DrawnEnterprise.objects.select_related("enterprise", "inspection").get(pk=drawn.pk)
        errors = []
        if not reason:
            errors.append("请填写调整原因。")
        active = drawn.assignments.filter(removed_by=None)
        current = active.filter(inspector=removed).first()
        if current is None:
            errors.append(f"{removed.name}不是该企业当前的检查人员。")
        if active.filter(inspector=added).exists():
            errors.append(f"{added.name}已是该企业的检查人员。")
        if drawn.inspection and drawn.inspection.is_locked:
            errors.append("该企业的检查记录已完成，不能再调整检查人员。")
        ineligible = matching.eligibility(
            _demand(task, drawn, last_inspectors([drawn.enterprise_id])),
            inspector_info(added),
            match_params(task, [drawn.enterprise_id]),
        )
        if ineligible:
            errors.append(f"{added.name}不符合条件：{ineligible}。")
        load = Assignment.objects.filter(drawn__task=task, inspector=added, removed_by=None).count()
        if load >= task.load_cap:
            errors.append(f"{added.name}在本任务中已承担{load}户，达到每人{task.load_cap}户的上限。")
        if errors:
            raise ValidationError(errors)
        swap = Swap.objects.create(drawn=drawn, removed=removed, added=added, reason=reason, by=user)
        current.removed_by = swap
        current.save(update_fields=["removed_by"])
        Assignment.objects.create(
            drawn=drawn, inspector=added, rank=draw.inspector_rank(task.seed, drawn.credit_code, added.certificate_no)
        )
        if drawn.inspection:
            drawn.inspection.inspectors.remove(removed)
            drawn.inspection.inspectors.add(added)
    return swap


# ---- dispatch, progress, disclosure ----


def dispatch(task: Task, user) -> Task:
    """派发: one 一企两表 per drawn enterprise on the task's checklist, assigned to the matched inspectors."""
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, (State.MATCHED,), "只有“已匹配人员”的任务才能派发")
        _refuse_if_owned(task)
        # Only what the records and their audit entries need: each enterprise's name (it names the record) and
        # unit, and one instance per inspector and per unit however many records they are on.
        inspector_by_id = Inspector.objects.filter(random_assignments__drawn__task=task).distinct().in_bulk()
        inspectors_of = defaultdict(list)
        for drawn_id, inspector_id in Assignment.objects.filter(drawn__task=task, removed_by=None).values_list(
            "drawn_id", "inspector_id"
        ):
            inspectors_of[drawn_id].append(inspector_by_id[inspector_id])
        # The drawn rows as plain values and one enterprise instance each (a record names its enterprise).
        drawn = list(task.drawn.values_list("pk", "enterprise_id", "credit_code", "inspection_id"))
        enterprise_by_id = (
            Enterprise.objects.filter(random_draws__task=task).only("name", "supervising_unit", "region").in_bulk()
        )
        unit_by_id = OrgUnit.objects.in_bulk({e.supervising_unit_id for e in enterprise_by_id.values()})
        records = create_inspections(
            [
                dict(
                    enterprise=enterprise_by_id[enterprise_id],
                    kind=InspectionRecord.Kind.RANDOM_CHECK,
                    template_version=task.checklist,
                    org_unit=unit_by_id[enterprise_by_id[enterprise_id].supervising_unit_id],
                    inspectors=inspectors_of[pk],
                    due_date=task.deadline,
                    created_by=user,
                )
                for pk, enterprise_id, _, _ in drawn
            ]
        )
        # Each drawn row's link to its record, with the update entry bulk_update_audited would write for it: the
        # rows were read after the task's row lock, which every step that changes them takes first.
        linked = [SimpleNamespace(pk=pk, inspection_id=record.pk) for (pk, *_), record in zip(drawn, records)]
        update_rows(DrawnEnterprise, linked, ["inspection"])
        label = audit.model_label(DrawnEnterprise)
        audit.record(
            [
                audit.Event(
                    AuditEntry.Action.UPDATE,
                    label,
                    str(pk),
                    drawn_str(enterprise_by_id[enterprise_id].name, credit_code),
                    {"changed": changed},
                )
                for (pk, enterprise_id, credit_code, inspection_id), row in zip(drawn, linked)
                if (
                    changed := audit.diff(
                        {"inspection_id": None if inspection_id is None else str(inspection_id)},
                        {"inspection_id": str(row.inspection_id)},
                    )
                )
            ]
        )
        _advance(task, State.DISPATCHED, user)
    return task


def mark_inspecting(task: Task, user) -> None:
    """检查中 begins with the first result (a record started or finished, or a not-inspected entry)."""
    with transaction.atomic():
        task = _locked(task)
        if task.state == State.DISPATCHED:
            _advance(task, State.INSPECTING, user)


def record_not_inspected(drawn: DrawnEnterprise, reason: str, note: str, user) -> DrawnEnterprise:
    """003 七(五): an enterprise not inspected because of 停产/转产 is recorded with the reason and tracked."""
    errors = []
    if reason not in DrawnEnterprise.NotInspected.values:
        errors.append("请选择未检查原因（停产或转产）。")
    if not (note or "").strip():
        errors.append("请填写情况说明。")
    with transaction.atomic():
        task = _locked(drawn.task)
        drawn = DrawnEnterprise.objects.select_related("inspection").get(pk=drawn.pk)
        if task.state not in (State.DISPATCHED, State.INSPECTING):
            errors.append(f"只有派发后、完成前才能登记未检查企业（任务当前状态：{task.get_state_display()}）。")
        if drawn.inspection and drawn.inspection.is_locked:
            errors.append("该企业已完成检查，不能登记为未检查。")
        if drawn.not_inspected_reason:
            errors.append("该企业已登记为未检查。")
        if errors:
            raise ValidationError(errors)
        drawn.not_inspected_reason, drawn.not_inspected_note = reason, note.strip()
        drawn.not_inspected_by, drawn.not_inspected_at = user, timezone.now()
        drawn.save(update_fields=["not_inspected_reason", "not_inspected_note", "not_inspected_by", "not_inspected_at"])
        if task.state == State.DISPATCHED:
            _advance(task, State.INSPECTING, user)
        if drawn.inspection:
            mark_not_carried_out(
                drawn.inspection,
                by=user,
                reason=f"{drawn.get_not_inspected_reason_display()}：{drawn.not_inspected_note}",
            )
    return drawn


def has_result(drawn: DrawnEnterprise) -> bool:
    return bool(drawn.not_inspected_reason) or bool(drawn.inspection and drawn.inspection.is_locked)


def complete_task(task: Task, user) -> Task:
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, (State.DISPATCHED, State.INSPECTING), "只有检查中的任务才能确认完成")
        pending = [d for d in task.drawn.select_related("enterprise", "inspection") if not has_result(d)]
        if pending:
            names = "、".join(d.enterprise.name for d in pending[:10]) + ("等" if len(pending) > 10 else "")
            raise ValidationError(f"还有{len(pending)}户企业没有检查结果：{names}。")
        if task.state == State.DISPATCHED:
            _advance(task, State.INSPECTING, user)
        _advance(task, State.COMPLETED, user)
    return task


def _disclose(drawn_list, user) -> list[Disclosure]:
    missing = [d for d in drawn_list if not has_result(d)]
    if missing:
        raise ValidationError(
            [f"{d.enterprise.name}（{d.credit_code}）尚无已完成的检查结果，不能公示。" for d in missing]
        )
    disclosures = []
    for drawn in drawn_list:
        record = drawn.inspection if not drawn.not_inspected_reason else None
        disclosures.append(
            Disclosure.objects.create(
                drawn=drawn,
                enterprise_name=drawn.enterprise.name,
                inspection_date=record.inspection_date if record else None,
                result=rules.result_label(drawn),
                problems_summary=record.problems_summary if record else drawn.not_inspected_note,
                published_by=user,
            )
        )
    return disclosures


def publish_result(drawn: DrawnEnterprise, user) -> Disclosure:
    """Publish one enterprise's result (within 20 working days of its inspection, 003 六(二))."""
    with transaction.atomic():
        task = _locked(drawn.task)
        _require_state(task, (State.DISPATCHED, State.INSPECTING, State.COMPLETED), "该任务当前不能公示结果")
        drawn = DrawnEnterprise.objects.select_related("enterprise", "inspection").get(pk=drawn.pk)
        if Disclosure.objects.filter(drawn=drawn).exists():
            raise ValidationError("该企业的结果已公示，公示内容不再修改。")
        return _disclose([drawn], user)[0]


def publish_task(task: Task, user) -> Task:
    """公示: publish every result not yet published; the task and its draw appear on the public page."""
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, (State.COMPLETED,), "只有已完成的任务才能公示")
        pending = list(task.drawn.filter(disclosure__isnull=True).select_related("enterprise", "inspection"))
        _disclose(pending, user)
        _advance(task, State.PUBLISHED, user)
    return task
