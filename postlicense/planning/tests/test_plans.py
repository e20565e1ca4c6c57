"""Annual plans (004 六): generation from the register, raising factors, adjustments, approval, completion."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from postlicense.core.audit import acting_as
from postlicense.core.concurrency import StaleEdit, version_of
from postlicense.core.models import AuditEntry
from postlicense.planning import selectors, services
from postlicense.planning.models import FocusCategory, Plan, PlanAdjustment, PlanEntry
from postlicense.registry.archive import timeline

from .factories import PLAN_DATE, make_enterprise, record, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(org_code="xuchang-weidu")


def test_plan_lists_licensed_enterprises_with_class_and_factors(staff):
    a = make_enterprise(supervision_class="A")
    b_expiring = make_enterprise(supervision_class="B", license_valid=(date(2021, 6, 1), date(2026, 6, 1)))
    d_focus = make_enterprise(supervision_class="D", license_valid=(date(2021, 6, 1), date(2026, 6, 1)))
    make_enterprise(license_valid=None)  # no license: not supervised here
    make_enterprise(org_code="xuchang-changge")  # another county
    FocusCategory.objects.create(city=unit("xuchang"), product_category=d_focus.product_category, year=2026)
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    entries = {e.enterprise_id: e for e in plan.entries.all()}
    assert set(entries) == {a.pk, b_expiring.pk, d_focus.pk}
    # the focus category is every test enterprise's category: each gets the factor
    assert (entries[a.pk].minimum, entries[a.pk].planned) == (1, 1)
    assert entries[b_expiring.pk].planned == 2  # B's upper figure (004 六)
    assert [f["source"] for f in entries[b_expiring.pk].factors] == ["许可证到期换证", "重点行业"]
    assert entries[d_focus.pk].planned == 5  # D: 3 + 1 per factor
    assert AuditEntry.objects.filter(model="planning.plan", object_id=str(plan.pk)).exists()


def test_plan_for_a_year_without_calendar_data_is_refused(staff):
    make_enterprise()
    with pytest.raises(ValidationError) as exc:
        services.generate_plan(unit("xuchang-weidu"), 2027, date(2027, 1, 4), staff)
    assert "2027年的节假日安排数据" in str(exc.value)
    assert not Plan.objects.exists()


def test_an_enterprise_planned_twice_is_refused(staff):
    e = make_enterprise()
    services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    other = Plan.objects.create(org_unit=unit("xuchang"), year=2026, plan_date=PLAN_DATE)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanEntry.objects.create(plan=other, year=2026, enterprise=e, supervision_class="A", minimum=1, planned=1)
    with pytest.raises(ValidationError, match="已有2026年度计划"):
        services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)


def test_generating_over_an_enterprise_already_planned_names_it_and_saves_nothing(staff):
    e = make_enterprise(name="重复计划企业")
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    plan.entries.all().delete()
    other_plan = Plan.objects.create(org_unit=unit("xuchang-changge"), year=2026, plan_date=PLAN_DATE)
    PlanEntry.objects.create(plan=other_plan, year=2026, enterprise=e, supervision_class="A", minimum=1, planned=1)
    plan.delete()
    with pytest.raises(ValidationError, match="重复计划企业（已在长葛市市场监督管理局计划中）"):
        services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    assert Plan.objects.count() == 1


def test_adjust_with_reason_then_stale_edit_is_refused(staff, make_user):
    make_enterprise(supervision_class="C")
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    entry = plan.entries.get()
    version = version_of(entry, services.ADJUST_FIELDS)
    with acting_as(staff):
        services.adjust_entry(entry, 3, "企业被媒体曝光", version, staff)
    with pytest.raises(StaleEdit):
        services.adjust_entry(entry, 2, "另一人基于旧版本的调整", version, make_user(org_code="xuchang"))
    entry.refresh_from_db()
    assert entry.planned == 3 and PlanAdjustment.objects.count() == 1


@pytest.mark.parametrize(
    "planned, reason, field", [(1, "低于最低次数", "planned"), ("x", "非数字", "planned"), (3, "  ", "reason")]
)
def test_adjust_bad_input(staff, planned, reason, field):
    make_enterprise(supervision_class="C")
    entry = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff).entries.get()
    with pytest.raises(ValidationError) as exc:
        services.adjust_entry(entry, planned, reason, version_of(entry, services.ADJUST_FIELDS), staff)
    assert field in exc.value.error_dict
    assert not PlanAdjustment.objects.exists()


def test_approve_twice_is_a_no_op_and_locks_adjustments(staff):
    make_enterprise()
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    first = services.approve_plan(plan, staff)
    second = services.approve_plan(plan, staff)
    assert first.approved_at == second.approved_at
    entry = plan.entries.get()
    with pytest.raises(ValidationError, match="计划已批准"):
        services.adjust_entry(entry, 1, "理由", version_of(entry, services.ADJUST_FIELDS), staff)


def test_done_follows_the_counting_rule_and_the_records(staff):
    e = make_enterprise(supervision_class="C")
    record(e, date(2025, 12, 30))  # previous year
    record(e, date(2026, 2, 1))
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    entry = plan.entries.get()
    assert entry.done == 1  # counted at generation
    record(e, date(2026, 2, 1), kind="random_check")  # same day: once
    record(e, date(2026, 3, 1), status="not_carried_out")
    entry.refresh_from_db()
    assert entry.done == 1
    r = record(e, date(2026, 4, 1), status="assigned")
    r.status, r.conclusion = "finished", "unqualified"
    r.save()  # finishing it (the signal recounts)
    entry.refresh_from_db()
    assert entry.done == 2
    assert list(selectors.behind_entries(plan)) == []
    PlanEntry.objects.filter(pk=entry.pk).update(done=0)
    assert services.recount_plans([plan]) == 1
    entry.refresh_from_db()
    assert entry.done == 2


def test_completion_sql_equals_the_python_counting_rule(staff):
    """004 六 (DESIGN counting rule): the one-aggregate SQL (distinct enterprise-days of counted finished records)
    gives each enterprise what rules.done_count gives from its records, over kinds, statuses, shared days, a record
    without an inspection date and the previous year; recount_enterprise (the signal's path) agrees."""
    from postlicense.inspections.models import InspectionRecord
    from postlicense.planning import rules

    enterprises = [make_enterprise(supervision_class="D") for _ in range(3)]
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    a, b, c = enterprises
    for kind in InspectionRecord.Kind.values:
        record(a, date(2026, 5, 6), kind=kind)  # every kind the same day: once
    record(a, date(2026, 5, 7), kind="flight")
    record(a, date(2026, 5, 8), status="not_carried_out")
    record(a, date(2026, 5, 9), status="assigned")
    record(b, date(2025, 12, 31))  # previous year
    record(b, date(2026, 1, 1), kind="random_check")
    record(b, date(2026, 12, 31), kind="cross_audit")
    undated = record(b, date(2026, 6, 1))
    InspectionRecord.objects.filter(pk=undated.pk).update(inspection_date=None)  # no day: not counted
    sql, params = services.completion_sql([plan], 2026)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        by_sql = {enterprise_id: done for _, enterprise_id, _, done in cursor.fetchall()}
    by_rule = {
        e.pk: rules.done_count(
            (r.kind, r.status, r.inspection_date)
            for r in InspectionRecord.objects.filter(enterprise=e)
            if r.inspection_date is None or r.inspection_date.year == 2026
        )
        for e in enterprises
    }
    assert by_sql == by_rule == {a.pk: 2, b.pk: 2, c.pk: 0}
    PlanEntry.objects.filter(plan=plan).update(done=9)
    for e in enterprises:
        services.recount_enterprise(e.pk)
    assert dict(plan.entries.values_list("enterprise_id", "done")) == by_rule


def test_count_index_predicate_is_the_counting_rule():
    """The partial index's kinds (migration 0002) are rules.COUNTED_KINDS: the count query's WHERE matches it."""
    from importlib import import_module

    from postlicense.planning import rules

    migration = import_module("postlicense.planning.migrations.0002_counted_days_index")
    assert migration.COUNTED_KINDS == rules.COUNTED_KINDS


def test_completion_by_class_and_unit_and_todo(staff):
    behind = make_enterprise(supervision_class="D", name="落后企业")
    done = make_enterprise(supervision_class="A")
    record(done, date(2026, 3, 1))
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    services.approve_plan(plan, staff)
    totals = selectors.plan_totals(plan)
    assert totals == {"enterprises": 2, "required": 4, "finished": 1, "behind": 1, "percent": 25}
    classes = {row["cls"]: row for row in selectors.by_class(plan.entries.all())}
    assert classes["A"]["percent"] == 100 and classes["D"]["behind"] == 1
    units, by_class = selectors.completion(staff, 2026)
    assert [(row["plan"], row["behind"], row["required"]) for row in units] == [(plan, 1, 4)]
    assert [row for row in by_class if row["enterprises"]] == [row for row in classes.values() if row["enterprises"]]
    [group] = selectors.todo_groups(staff, date(2026, 11, 30))
    assert group.total == 1 and "落后企业：应检3次，已检0次" in group.items[0].title
    titles = [event.title for event in timeline(behind)]
    assert "2026年度计划：应检3次，已检0次，尚差3次" in titles


def test_focus_categories_replace(staff):
    e = make_enterprise()
    city = unit("xuchang")
    services.set_focus_categories(city, 2026, [e.product_category])
    services.set_focus_categories(city, 2026, [e.product_category])
    assert FocusCategory.objects.count() == 1
    services.set_focus_categories(city, 2026, [])
    assert not FocusCategory.objects.exists()


def test_recount_command_corrects_drift(staff):
    from io import StringIO

    from django.core.management import call_command

    e = make_enterprise()
    record(e, date(2026, 2, 1))
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    PlanEntry.objects.filter(plan=plan).update(done=0)
    out = StringIO()
    call_command("planning-recount", stdout=out)
    assert "更正 1 户" in out.getvalue()


def test_dispatch_batch_matches_the_units_inspectors_once_per_token(staff):
    import uuid

    from postlicense.inspections.models import InspectionRecord
    from postlicense.inspections.selectors import current_template

    from .factories import make_inspector

    behind = [make_enterprise(supervision_class="C") for _ in range(3)]
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    kwargs = dict(
        count=2,
        kind="periodic",
        template_version=current_template("production_conditions_004"),
        due_date=date(2026, 12, 20),
        user=staff,
    )
    with pytest.raises(ValidationError, match="计划批准后"):
        services.dispatch_batch(plan, token=uuid.uuid4(), **kwargs)
    services.approve_plan(plan, staff)
    with pytest.raises(ValidationError):  # nobody to send: the shortfall is named, nothing saved
        services.dispatch_batch(plan, token=uuid.uuid4(), **kwargs)
    assert not InspectionRecord.objects.exists()
    for _ in range(3):
        make_inspector("xuchang-weidu")
    make_inspector("xuchang")  # the city's: not in the county's pool
    token = uuid.uuid4()
    batch = services.dispatch_batch(plan, token=token, **kwargs)
    again = services.dispatch_batch(plan, token=token, **kwargs)  # a double click
    assert again.pk == batch.pk and InspectionRecord.objects.count() == 2
    for r in batch.records.all():
        assert r.inspectors.count() == 2 and {i.org_unit.code for i in r.inspectors.all()} == {"xuchang-weidu"}
    nxt = services.dispatch_batch(plan, token=uuid.uuid4(), **kwargs)  # the rest: those without an open record
    assert nxt.records.count() == 1 and {r.enterprise_id for r in InspectionRecord.objects.all()} == {
        e.pk for e in behind
    }


def test_seek_pages_walk_forward_and_back(staff):
    """The behind-plan list pages by seek on enterprise_id: forward with `after`, back with `before`."""
    ids = sorted(make_enterprise(supervision_class="C").pk for _ in range(5))
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, staff)
    entries = selectors.behind_entries(plan)
    pages, after = [], None
    while True:
        rows, after, _ = selectors.seek_entries(entries, after=after, size=2)
        pages.append([e.enterprise_id for e in rows])
        if after is None:
            break
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]
    rows, next_after, prev_before = selectors.seek_entries(entries, before=ids[4], size=2)
    assert [e.enterprise_id for e in rows] == ids[2:4] and next_after == ids[3] and prev_before == ids[2]
    rows, _, prev_before = selectors.seek_entries(entries, before=ids[2], size=2)
    assert [e.enterprise_id for e in rows] == ids[0:2] and prev_before is None
