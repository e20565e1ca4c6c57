import csv
import hashlib
import io
import re
from datetime import date, datetime

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from postlicense.core import audit
from postlicense.core.models import User
from postlicense.core.workdays import add_working_days
from postlicense.inspections.models import InspectionRecord
from postlicense.randomcheck import dbdraw, draw, exports, selectors, services
from postlicense.randomcheck.forms import TaskForm
from postlicense.randomcheck.models import Assignment, Candidate, Disclosure, DrawnEnterprise, Swap, Task, TaskStep
from postlicense.registry.models import License

from .factories import SEED, contribute, drawn_task, make_enterprise, make_inspector, make_register, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


def staffed(per_unit=6):
    return {unit: [make_inspector(unit) for _ in range(per_unit)] for unit in ("xuchang-weidu", "xuchang-changge")}


def finish(record, conclusion="qualified", day=date(2023, 9, 15), problems=""):
    record.status, record.conclusion, record.inspection_date = InspectionRecord.Status.FINISHED, conclusion, day
    record.problems_summary, record.finished_at = problems, timezone.now()
    record.save()


def test_database_draw_agrees_with_the_python_verifier(admin):
    """DESIGN "The draw must be verifiable"; 003 三: 10/20/30/50% per stratum, k = ceil(ratio × n / 100)."""
    make_register({"xuchang-weidu": 57, "xuchang-changge": 31})
    task = drawn_task(admin)
    expected = draw.draw(
        SEED, Candidate.objects.filter(task=task).values_list("credit_code", "stratum"), draw.DEFAULT_RATIOS
    )
    assert task.candidates_digest == expected.candidates_digest
    assert set(task.drawn.values_list("credit_code", "rank")) == {
        (row.credit_code, row.rank) for s in expected.strata for row in s.drawn
    }
    assert [s.k for s in expected.strata] == [3, 5, 7, 11]  # n = 22, 22, 22, 22 → ceil of 2.2, 4.4, 6.6, 11
    assert services.verify_task_draw(task)[1] == []


@pytest.mark.parametrize("ratios", [("0",) * 4, ("3.5",) * 4, ("100",) * 4, ("100", "3.5", "0", "50")])
def test_database_draw_falls_back_when_the_rank_bound_keeps_too_few(monkeypatch, ratios):
    """The prefilter is only a shortcut: a bound that keeps fewer than k rows must widen, never lose a row, and
    the strata that had enough keep their draw (the last case: 100% takes every row at once, 3.5% and 50% widen)."""
    make_register({"xuchang-weidu": 80})
    task = make_task(**dict(zip(("ratio_low", "ratio_medium", "ratio_medium_high", "ratio_high"), ratios)))
    rows = [(e.credit_code, e.risk_level) for e in services.candidate_queryset(task, date(2026, 6, 1))]
    Candidate.objects.bulk_create(
        [
            Candidate(task=task, enterprise_id=e.pk, credit_code=e.credit_code, stratum=e.risk_level)
            for e in services.candidate_queryset(task, date(2026, 6, 1))
        ]
    )
    original, passes = dbdraw.rank_bound, []

    def tiny_then_wide(n, k, widen):
        passes.append(widen)
        return None if k == n else "00000001" if widen == 0 else original(n, k, widen + 3)

    monkeypatch.setattr(dbdraw, "rank_bound", tiny_then_wide)
    in_db = dbdraw.draw_in_database(task.candidates.all(), SEED, task.ratios)
    if ratios == ("100", "3.5", "0", "50"):
        assert passes == [0, 0, 0, 1, 1]  # low, medium, high; then medium and high again
    in_python = draw.draw(SEED, rows, task.ratios)
    assert [(s.n, s.k, s.drawn) for s in in_db] == [(s.n, s.k, s.drawn) for s in in_python.strata]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL digest function exists on PostgreSQL only")
def test_rank_digest_hashes_the_utf8_bytes_in_the_backend_and_in_parallel_workers(admin):
    """Migration 0003 hashes textsend(input): the client encoding's bytes in the backend, the database encoding's
    in a parallel worker; both must be the UTF-8 bytes that draw.py hashes, with a Chinese seed too."""
    make_register({"xuchang-weidu": 40})
    task = drawn_task(admin)
    query = (
        "SELECT credit_code, encode(postlicense_rank_digest(%s || credit_code), 'hex') "
        "FROM randomcheck_candidate WHERE task_id = %s"
    )
    expected = {
        code: hashlib.sha256(f"{SEED}|low|{code}".encode()).hexdigest()
        for code in task.candidates.values_list("credit_code", flat=True)
    }
    with connection.cursor() as cursor:
        cursor.execute(query, [f"{SEED}|low|", task.pk])
        assert dict(cursor.fetchall()) == expected
        for setting in (
            "enable_bitmapscan = off",
            "enable_indexscan = off",
            "parallel_setup_cost = 0",
            "parallel_tuple_cost = 0",
            "min_parallel_table_scan_size = 0",
            "parallel_leader_participation = off",
        ):
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + query, [f"{SEED}|low|", task.pk])
        assert re.search(r"Workers Launched: [1-9]", "\n".join(line for (line,) in cursor.fetchall()))
        cursor.execute(query, [f"{SEED}|low|", task.pk])
        assert dict(cursor.fetchall()) == expected


def test_rank_bound_keeps_the_kth_rank_with_margin():
    assert dbdraw.rank_bound(1_000_000, 100_000, 0) > format(int(0.1 * 16**8), "08x")
    assert dbdraw.rank_bound(100, 50, 0) is None  # the bound would keep everything: sort all


def test_draw_steps_are_recorded_and_neither_freeze_nor_draw_is_redone(admin):
    make_register()
    task = drawn_task(admin)
    drawn_before = list(task.drawn.values_list("credit_code", "rank"))
    with pytest.raises(ValidationError, match="不能再次抽取"):
        services.draw_enterprises(task, admin)
    with pytest.raises(ValidationError, match="不能再次冻结"):
        services.freeze_candidates(task, admin)
    task.refresh_from_db()
    assert task.seed == SEED and list(task.drawn.values_list("credit_code", "rank")) == drawn_before
    assert list(TaskStep.objects.filter(task=task).values_list("state", "by")) == [
        ("frozen", admin.pk),
        ("drawn", admin.pk),
    ]


def test_empty_candidate_list_is_refused_and_nothing_is_saved(admin):
    """Only holders of a license valid on the freeze date are candidates (an unlicensed one entered a demo draw)."""
    make_enterprise(risk_level="high", license_valid=None)
    make_enterprise(license_valid=(date(2015, 1, 1), date(2020, 1, 1)))
    make_enterprise(status="cancelled")
    task = make_task(admin)
    with pytest.raises(ValidationError, match="候选企业名单为空"):
        services.freeze_candidates(task, admin)
    task.refresh_from_db()
    assert task.state == Task.State.DRAFT and task.frozen_at is None and not Candidate.objects.exists()


def test_stopped_enterprises_are_candidates_by_default_003_san_and_qi_wu(admin):
    """003 三 draws from all license holders and 003 七(五) records the 停产 ones not inspected: 停产 (and 转产)
    enterprises are in the default scope; 注销 ones are not."""
    producing, stopped = make_enterprise(), make_enterprise(status="stopped")
    switched = make_enterprise(status="switched")
    make_enterprise(status="cancelled")
    assert set(services.candidate_queryset(make_task(admin), date(2026, 6, 1))) == {producing, stopped, switched}


def test_only_holders_of_a_license_valid_on_the_freeze_date_are_candidates_003_san(admin):
    """003 三: the candidates are the licensed enterprises (获证企业) on the day the list is frozen: issued on or
    before it, expiring on or after it, and not revoked, rescinded, withdrawn or cancelled."""
    current = make_enterprise(license_valid=(date(2023, 7, 10), date(2028, 7, 9)))
    make_enterprise(license_valid=None)
    make_enterprise(license_valid=(date(2023, 7, 11), date(2028, 7, 10)))  # issued the day after
    make_enterprise(license_valid=(date(2018, 7, 10), date(2023, 7, 9)))  # expired the day before
    revoked = make_enterprise()
    revoked.licenses.update(status=License.Status.REVOKED)
    task = make_task(admin)
    assert set(services.candidate_queryset(task, date(2023, 7, 10))) == {current}
    services.freeze_candidates(task, admin, now=timezone.make_aware(datetime(2023, 7, 10, 9, 30)))
    assert list(task.candidates.values_list("credit_code", flat=True)) == [current.credit_code]


def test_scope_filters_statuses_regions_and_recent_random_checks(admin):
    weidu, changge = make_enterprise("xuchang-weidu"), make_enterprise("xuchang-changge")
    stopped = make_enterprise("xuchang-weidu", status="stopped")
    make_enterprise("binhai-tanggu")  # another city: outside the issuing unit's jurisdiction
    task = make_task(admin)
    assert set(services.candidate_queryset(task, date(2023, 9, 1))) == {weidu, changge, stopped}
    task.statuses = ["producing", "stopped"]
    task.regions.set([weidu.region])
    assert set(services.candidate_queryset(task, date(2023, 9, 1))) == {weidu, stopped}
    earlier = drawn_task(admin, ratio_low=100)
    record = InspectionRecord.objects.create(
        enterprise=weidu,
        kind="random_check",
        template_version=task.checklist,
        org_unit=weidu.supervising_unit,
        inspection_date=date(2023, 3, 1),
    )
    earlier.drawn.filter(enterprise=weidu).update(inspection=record)
    task.exclude_recent_months = 6
    assert set(services.candidate_queryset(task, date(2023, 9, 1))) == {stopped}
    assert set(services.candidate_queryset(task, date(2023, 9, 2))) == {weidu, stopped}


def test_ratio_outside_0_to_100_is_a_field_error(admin):
    form = TaskForm(
        data={
            "name": "t",
            "year": 2023,
            "issuing_unit": admin.org_unit.pk,
            "statuses": ["producing"],
            "ratio_low": "120",
            "ratio_medium": "-1",
            "ratio_medium_high": 30,
            "ratio_high": 50,
            "deadline": "2023-10-31",
            "checklist": make_task().checklist_id,
            "inspectors_per_enterprise": 2,
            "load_cap": 5,
        },
        user=admin,
    )
    assert not form.is_valid()
    assert "小于或等于100" in form.errors["ratio_low"][0] and "大于或等于0" in form.errors["ratio_medium"][0]


def test_matching_uses_each_county_own_inspectors_and_infeasibility_names_enterprises(admin):
    """003 五(二): each county draws from its own inspectors; ≥2 per enterprise (002 第9条)."""
    make_register({"xuchang-weidu": 8, "xuchang-changge": 8})
    pools = staffed(per_unit=4)
    make_inspector("xuchang-changge", valid_until=date(2023, 9, 30))  # certificate ends before the deadline
    for inspector in pools["xuchang-changge"][1:]:
        inspector.active = False
        inspector.save()
    task = drawn_task(admin)
    with pytest.raises(ValidationError) as failure:
        services.match_inspectors(task, admin)
    changge = task.drawn.filter(enterprise__supervising_unit__code="xuchang-changge").select_related("enterprise")
    assert len(failure.value.messages) == changge.count()
    for drawn, message in zip(changge.order_by("enterprise_id"), failure.value.messages):
        assert drawn.enterprise.name in message and "执法证已过期" in message and "已停用" in message
    task.refresh_from_db()
    assert task.state == Task.State.DRAWN and not Assignment.objects.exists()

    task.widen_pool = True
    task.save()
    services.match_inspectors(task, admin)
    for drawn in task.drawn.prefetch_related("assignments__inspector"):
        assert len({a.inspector_id for a in drawn.assignments.all()}) == 2
        assert all(
            a.rank == draw.inspector_rank(SEED, drawn.credit_code, a.inspector.certificate_no)
            for a in drawn.assignments.all()
        )


def test_draw_match_and_dispatch_take_as_many_queries_for_many_enterprises_as_for_few(admin):
    """At national scale a query per drawn enterprise or per assignment (an audit entry fetching a name, a record
    dispatched on its own) would cost minutes; each step's queries must not grow with the task."""
    staffed(per_unit=12)
    queries = []
    for per_unit in (8, 40):
        make_register({"xuchang-weidu": per_unit, "xuchang-changge": per_unit})
        task = make_task(admin, name=f"规模{per_unit}")
        with CaptureQueriesContext(connection) as drawing:
            services.freeze_candidates(task, admin)
            contribute(task, admin)
            task = services.draw_enterprises(task, admin)
        with CaptureQueriesContext(connection) as matching:
            services.match_inspectors(task, admin)
        with CaptureQueriesContext(connection) as dispatching:
            services.dispatch(task, admin)
        assert task.drawn.filter(inspection__status=InspectionRecord.Status.ASSIGNED).count() == task.drawn.count()
        drawn = task.drawn.first()
        assert [e.changes for e in audit.history_of(drawn).filter(action="update")] == [
            {"changed": {"inspection_id": [None, str(drawn.inspection_id)]}}
        ]
        queries.append((task.drawn.count(), len(drawing), len(matching), len(dispatching)))
    (few, *steps_few), (many, *steps_many) = queries
    assert many > 4 * few
    assert steps_many == steps_few


def test_last_time_inspector_and_avoidance_are_respected(admin):
    enterprise = make_enterprise(risk_level="high")
    a, b, c, d = (make_inspector() for _ in range(4))
    a.avoid_enterprises.add(enterprise)
    previous = InspectionRecord.objects.create(
        enterprise=enterprise,
        kind="patrol",
        template_version=make_task().checklist,
        org_unit=enterprise.supervising_unit,
        status="finished",
        inspection_date=date(2022, 5, 1),
    )
    previous.inspectors.set([b])
    task = drawn_task(admin, ratio_high=100)
    services.match_inspectors(task, admin)
    assert set(Assignment.objects.values_list("inspector", flat=True)) == {c.pk, d.pk}


def test_full_run_dispatch_results_disclosure_and_public_page(admin, make_user, client):
    make_register()
    staffed()
    task = drawn_task(admin)
    services.match_inspectors(task, admin)
    with pytest.raises(ValidationError, match="不能重新匹配|只有“已抽取企业”"):
        services.match_inspectors(task, admin)
    services.dispatch(task, admin)
    drawn = list(task.drawn.select_related("inspection", "enterprise"))
    for d in drawn:
        active = set(Assignment.objects.filter(drawn=d, removed_by=None).values_list("inspector", flat=True))
        assert d.inspection.kind == "random_check" and d.inspection.template_version == task.checklist
        assert set(d.inspection.inspectors.values_list("pk", flat=True)) == active
        assert d.inspection.due_date == task.deadline

    county = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    share = selectors.task_overview(county, task)["rows"]
    assert share and all(d.enterprise.supervising_unit.code == "xuchang-changge" for d, _ in share)
    assert selectors.tasks_for(county).filter(pk=task.pk).exists() and not selectors.can_manage(county, task, None)

    first, second, *rest = drawn
    with pytest.raises(ValidationError, match="尚无已完成的检查结果"):
        services.publish_result(first, admin)
    assert not Disclosure.objects.exists()
    finish(first.inspection, "unqualified", problems="出厂检验记录不全")
    task.refresh_from_db()
    assert task.state == Task.State.INSPECTING
    status = selectors.row_status(DrawnEnterprise.objects.get(pk=first.pk), today=date(2023, 9, 16))
    assert (
        status["disclosure_deadline"] == add_working_days(date(2023, 9, 15), 20) == date(2023, 10, 19)
    )  # 9-29..10-6 off, 10-7/10-8 worked
    services.record_not_inspected(second, "stopped", "2023年6月起停产", county)
    second.inspection.refresh_from_db()
    assert second.inspection.status == InspectionRecord.Status.NOT_CARRIED_OUT  # out of the inspectors' open lists
    assert "停产" in second.inspection.not_carried_out_reason
    with pytest.raises(ValidationError, match="还有"):
        services.complete_task(task, admin)
    for d in rest:
        finish(d.inspection)
    services.publish_result(first, county)
    overview = selectors.task_overview(admin, task, today=date(2023, 10, 25))
    assert overview["progress"]["completion_rate"] == 100.0
    assert (
        len(overview["overdue"]) == overview["progress"]["total"] - 2
    )  # not the published one, nor the not-inspected one (recorded today)
    services.complete_task(task, admin)
    services.publish_task(task, admin)
    task.refresh_from_db()
    assert list(task.steps.values_list("state", flat=True)) == [
        "frozen",
        "drawn",
        "matched",
        "dispatched",
        "inspecting",
        "completed",
        "published",
    ]
    assert selectors.task_overview(admin, task)["progress"]["disclosure_rate"] == 100.0
    assert [d.enterprise for d in selectors.tracking_list(admin)] == [second.enterprise]
    assert [e.title for e in selectors.archive_events(second.enterprise)] == [
        f"抽中：{task.name}",
        "因停产未检查",
        "结果公示：停产，未检查",
    ]

    public = client.get(f"/public/random-checks/{task.pk}/").content.decode()
    assert task.seed in public and task.candidates_digest in public and "出厂检验记录不全" in public
    assert "停产，未检查" in public
    for inspector in first.inspection.inspectors.all():
        assert inspector.name not in public and inspector.phone not in public
    csv_body = client.get(f"/public/random-checks/{task.pk}/candidates.csv").content
    assert hashlib.sha256(csv_body).hexdigest() == task.candidates_digest


def test_verify_draw_detects_a_tampered_draw(admin):
    make_register()
    task = drawn_task(admin)
    swapped = task.drawn.first()
    outsider = task.candidates.exclude(credit_code__in=task.drawn.values("credit_code")).first()
    DrawnEnterprise.objects.filter(pk=swapped.pk).update(credit_code=outsider.credit_code)
    with pytest.raises(Exception, match="复核不一致"):
        call_command("verify-draw", str(task.pk))


def test_swap_needs_a_reason_an_eligible_inspector_and_stays_visible(admin):
    make_register({"xuchang-weidu": 8})
    team = [make_inspector() for _ in range(4)]
    outsider = make_inspector("xuchang-changge")
    task = drawn_task(admin)
    services.match_inspectors(task, admin)
    services.dispatch(task, admin)
    drawn = task.drawn.first()
    current = [a.inspector for a in Assignment.objects.filter(drawn=drawn)]
    spare = next(i for i in team if i not in current)
    with pytest.raises(ValidationError) as failure:
        services.swap_inspector(drawn, current[0], outsider, "", admin)
    assert "请填写调整原因。" in failure.value.messages
    assert any("不属于负责该企业的单位" in m for m in failure.value.messages)
    services.swap_inspector(drawn, current[0], spare, "回避：与企业负责人系亲属", admin)
    swap = Swap.objects.get()
    assert Assignment.objects.get(drawn=drawn, inspector=current[0]).removed_by == swap
    assert set(drawn.inspection.inspectors.all()) == {current[1], spare}
    rows = list(exports.match_rows(task, selectors.match_rows(admin, task)))
    assert any(row[-1] == "已调整：回避：与企业负责人系亲属" for row in rows)


def test_exports_map_results_to_the_national_platform_categories(admin):
    make_register({"xuchang-weidu": 8})
    staffed()
    task = drawn_task(admin, plan_number="XC-2023-01", plan_name="许昌市2023年度抽查计划")
    services.match_inspectors(task, admin)
    services.dispatch(task, admin)
    first, second, *_ = task.drawn.select_related("inspection")
    finish(first.inspection, "unqualified", problems="超范围生产")
    services.record_not_inspected(second, "switched", "已转产建材", admin)
    name, body = exports.export("results", "csv", task, selectors.drawn_for(admin, task))
    text = body.decode("utf-8-sig")
    assert name.endswith("结果公告.csv") and text.startswith(
        "计划编号,计划名称,任务编号,任务名称,检查类型,检查机关,企业名称,统一社会信用代码,完成日期,检查结果,备注\r\n"
        "XC-2023-01,许昌市2023年度抽查计划,SJ2023-"
    )
    assert "发现问题待后续处理,超范围生产" in text and "未发现开展本次抽查涉及的经营活动,已转产建材" in text
    name, body = exports.export("draw", "xlsx", task, selectors.drawn_for(admin, task))
    assert body[:2] == b"PK"


def test_task_notice_lists_items_scope_period_and_the_drawn_list(admin):
    """DESIGN "What the national platform expects": a task notice (任务公告) adds the check items, the object
    scope, the check period and the drawn list to the result notice's task columns."""
    make_register({"xuchang-weidu": 8})
    task = drawn_task(admin, plan_number="XC-2023-01", plan_name="许昌市2023年度抽查计划")
    name, body = exports.export("notice", "csv", task, selectors.drawn_for(admin, task))
    header, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    assert name == f"SJ2023-{task.pk:04d}-任务公告.csv"
    assert header == [
        "计划编号",
        "计划名称",
        "任务编号",
        "任务名称",
        "检查类型",
        "检查机关",
        "检查事项",
        "检查对象范围",
        "检查期间",
        "企业名称",
        "统一社会信用代码",
    ]
    assert sorted(row[-1] for row in rows) == sorted(task.drawn.values_list("credit_code", flat=True))
    plan, plan_name, number, _, kind, authority, items, scope, period, *_ = rows[0]
    assert (plan, plan_name, number, kind, authority) == (
        "XC-2023-01",
        "许昌市2023年度抽查计划",
        f"SJ2023-{task.pk:04d}",
        "双随机抽查",
        "许昌市市场监督管理局",
    )
    assert "1. 营业执照是否有效" in items and "生产状态为在产、停产、转产" in scope and "有效生产许可证" in scope
    assert period == f"{timezone.localdate():%Y-%m-%d}至2023-10-31"
    _, sheet = exports.export("notice", "xlsx", task, selectors.drawn_for(admin, task))
    assert sheet[:2] == b"PK"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_cells_never_start_a_formula(admin, fmt):
    """A cell starting with = + - @ would run as a formula in a spreadsheet: it gets a leading "'"."""
    make_register({"xuchang-weidu": 4})
    task = drawn_task(admin, ratio_high=100, name='=HYPERLINK("http://evil")', plan_number="+1", plan_name="@SUM(A1)")
    _, body = exports.export("notice", fmt, task, selectors.drawn_for(admin, task))
    if fmt == "csv":
        cells = next(row for i, row in enumerate(csv.reader(io.StringIO(body.decode("utf-8-sig")))) if i == 1)
    else:
        cells = [cell.value for cell in next(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(min_row=2))]
    assert cells[:4] == ["'+1", "'@SUM(A1)", f"SJ2023-{task.pk:04d}", '\'=HYPERLINK("http://evil")']


def test_a_ratio_outside_0_to_100_stops_the_draw_and_saves_nothing(admin):
    """003 三 ratios are percentages; one stored out of range (e.g. through the admin) is refused at the draw."""
    make_register({"xuchang-weidu": 4})
    task = make_task(admin, ratio_high="100.5")
    with pytest.raises(ValidationError, match="抽取比例应在0到100之间"):
        services.freeze_candidates(task, admin)
    assert not Candidate.objects.exists() and Task.objects.get().state == Task.State.DRAFT


def test_a_result_in_a_year_without_holiday_data_shows_why_no_deadline(admin):
    """Deadlines come from the working-day calendar; a year it lacks is reported, never guessed (weekends only)."""
    make_register({"xuchang-weidu": 4})
    staffed()
    task = drawn_task(admin, ratio_high=100)
    services.match_inspectors(task, admin)
    services.dispatch(task, admin)
    drawn = task.drawn.select_related("inspection").first()
    finish(drawn.inspection, day=date(2031, 3, 3))
    status = selectors.row_status(DrawnEnterprise.objects.get(pk=drawn.pk), today=date(2031, 3, 4))
    assert status["disclosure_deadline"] is None and "缺少2031年的节假日安排数据" in status["deadline_error"]


def test_not_inspected_as_the_first_result_starts_inspecting_once_and_closes_the_record(admin):
    """003 七(五): a 停产 entry may be the task's first result; the step 检查中 is recorded once."""
    make_register({"xuchang-weidu": 8})
    staffed()
    task = drawn_task(admin)
    services.match_inspectors(task, admin)
    services.dispatch(task, admin)
    first = task.drawn.select_related("inspection").first()
    services.record_not_inspected(first, "stopped", "2023年6月起停产", admin)
    task.refresh_from_db()
    assert task.state == Task.State.INSPECTING
    assert list(task.steps.values_list("state", flat=True)).count("inspecting") == 1
    first.inspection.refresh_from_db()
    assert first.inspection.status == InspectionRecord.Status.NOT_CARRIED_OUT
