"""Reports (DESIGN "Reporting"; 003 七(三) rates; 001 二(五) reporting upward as frozen snapshots)."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from postlicense.core.models import User
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.randomcheck.tests.factories import published_task
from postlicense.reports import randomcheck_stats, services
from postlicense.reports.models import Submission
from postlicense.reports.periods import Period, parse
from postlicense.reports.tables import Column, Table, add_up

pytestmark = pytest.mark.django_db
TODAY = date(2023, 12, 1)
Y2023 = Period(2023, "Y")


@pytest.fixture
def admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


@pytest.fixture
def weidu(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


@pytest.fixture
def task(admin):
    return published_task(admin)


def _table(tables, title):
    return next(t for t in tables if t.title == title)


def test_rates_follow_the_national_platforms_formulas(task, weidu):
    """检查完成率 = inspected ÷ drawn; 公示率 = published ÷ drawn; 完结率 = closed ÷ inspected (DESIGN "Reporting")."""
    drawn = task.drawn.count()
    first = task.drawn.filter(inspection__isnull=False).first()
    InspectionRecord.objects.filter(pk=first.inspection_id).update(conclusion="unqualified")
    Problem.objects.create(enterprise=first.enterprise, record=first.inspection, description="出厂检验记录不全")
    tables = randomcheck_stats.compute(weidu.org_unit, Y2023, TODAY)
    row = _table(tables, "按任务").rows[0]
    assert row[1:3] == [drawn, drawn]  # every drawn enterprise has an outcome (one 停产, 003 七(五))
    assert row[3] == 100.0
    assert row[4] == drawn and row[5] == 100.0
    assert row[6] == drawn - 1 and row[7] == round(100 * (drawn - 1) / drawn, 1)
    assert _table(tables, "按后续处置类别（发现问题的企业）").rows == [["发现问题待后续处理", 1]]
    categories = dict(_table(tables, "按结果类别").rows)
    assert categories["未发现开展本次抽查涉及的经营活动"] == 1


def test_another_countys_report_does_not_count_this_countys_enterprises(task, make_user):
    changge = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    assert all(not t.rows for t in randomcheck_stats.compute(changge.org_unit, Y2023, TODAY))


def test_adding_up_sums_counts_and_recomputes_rates():
    columns = [Column("单位", "text"), Column("应检"), Column("已检"), Column("完成率", "rate", (2, 1))]
    a = Table("t", columns, [["魏都", 4, 2, 50.0]])
    b = Table("t", columns, [["魏都", 6, 6, 100.0], ["长葛", 10, 5, 50.0]])
    assert add_up([a, b]).rows == [["魏都", 10, 8, 80.0], ["长葛", 10, 5, 50.0]]
    assert Table("t", columns, [["魏都", 10, 8, 80.0], ["长葛", 10, 5, 50.0]]).with_total()[-1] == [
        "合计",
        20,
        13,
        65.0,
    ]


def test_a_period_in_the_future_or_a_bad_year_is_refused():
    with pytest.raises(ValidationError, match="尚未开始"):
        parse("2024", "H2", date(2024, 6, 30))
    with pytest.raises(ValidationError, match="四位年份"):
        parse("二〇二三", "Y", TODAY)
    with pytest.raises(ValidationError, match="期间应为"):
        parse("2023", "Q3", TODAY)


def test_a_county_submits_a_frozen_snapshot_the_city_reviews_and_adds_up(task, weidu, admin):
    submission = services.submit(weidu, "randomcheck_stats", Y2023, filled_by="李四", checked_by="王五", today=TODAY)
    frozen = submission.tables
    InspectionRecord.objects.filter(random_draw__task=task).update(conclusion="unqualified")  # later changes…
    submission.refresh_from_db()
    assert submission.tables == frozen  # …do not reach what was submitted
    with pytest.raises(ValidationError, match="不能修改"):
        services.submit(weidu, "randomcheck_stats", Y2023, filled_by="李四", checked_by="王五", today=TODAY)
    with pytest.raises(ValidationError, match="退回理由"):
        services.review(admin, submission, accept=False)
    services.review(admin, submission, accept=True)
    with pytest.raises(ValidationError, match="不能再次审核"):
        services.review(admin, submission, accept=False, note="重复")
    city = services.submit(admin, "randomcheck_stats", Y2023, filled_by="赵六", checked_by="钱七", today=TODAY)
    assert city.tables == frozen and list(city.sources.all()) == [submission]


def test_the_city_cannot_add_up_before_a_county_with_data_is_accepted(task, weidu, admin):
    services.submit(weidu, "randomcheck_stats", Y2023, filled_by="李四", checked_by="王五", today=TODAY)
    with pytest.raises(ValidationError, match="魏都区"):
        services.submit(admin, "randomcheck_stats", Y2023, filled_by="赵六", checked_by="钱七", today=TODAY)
    assert not Submission.objects.filter(org_unit=admin.org_unit).exists()


def test_a_returned_report_is_submitted_again_as_a_new_snapshot(task, weidu, admin):
    first = services.submit(weidu, "randomcheck_stats", Y2023, filled_by="李四", checked_by="王五", today=TODAY)
    services.review(admin, first, accept=False, note="公示数与平台不一致，请核对")
    second = services.submit(weidu, "randomcheck_stats", Y2023, filled_by="李四", checked_by="王五", today=TODAY)
    assert second.pk != first.pk and Submission.objects.get(pk=first.pk).status == Submission.Status.RETURNED


def test_a_period_without_data_cannot_be_submitted(weidu):
    with pytest.raises(ValidationError, match="没有可统计的数据"):
        services.submit(weidu, "randomcheck_stats", Y2023, filled_by="李四", checked_by="王五", today=TODAY)
    assert not Submission.objects.exists()


def test_a_city_cannot_review_a_county_outside_its_jurisdiction(task, weidu, make_user):
    submission = services.submit(weidu, "randomcheck_stats", Y2023, filled_by="李四", checked_by="王五", today=TODAY)
    other_city = make_user(User.Role.CITY_ADMIN, "baicheng")
    with pytest.raises(PermissionDenied):
        services.review(other_city, submission, accept=True)
    with pytest.raises(PermissionDenied):
        services.review(weidu, submission, accept=True)  # a county cannot accept its own report
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


def test_the_report_page_exports_a_printable_sheet_with_safe_cells(client, task, weidu):
    task.name = '=HYPERLINK("http://x")'
    task.save(update_fields=["name"])
    client.force_login(weidu)
    page = client.get(f"/reports/randomcheck_stats/?year=2023&part=Y&unit={weidu.org_unit_id}")
    assert page.status_code == 200 and "检查完成率" in page.content.decode()
    response = client.get(f"/reports/randomcheck_stats/?year=2023&part=Y&unit={weidu.org_unit_id}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["按任务"]
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert cells[0] == "“双随机、一公开”监督检查统计表" and "填报单位：许昌市魏都区市场监督管理局" in cells[1]
    assert '\'=HYPERLINK("http://x")' in cells and not any(str(c).startswith("=") for c in cells)
    assert sheet.page_setup.orientation == "landscape"


def test_a_future_period_on_the_page_is_an_error_at_the_field(client, weidu):
    client.force_login(weidu)
    page = client.get(f"/reports/randomcheck_stats/?year=2099&part=Y&unit={weidu.org_unit_id}").content.decode()
    assert "尚未开始" in page or "2100" in page


def test_a_county_cannot_open_another_countys_submission(client, task, weidu, make_user):
    submission = services.submit(weidu, "randomcheck_stats", Y2023, filled_by="李四", checked_by="王五", today=TODAY)
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    assert client.get(f"/reports/submissions/{submission.pk}/").status_code == 404
    client.force_login(make_user(User.Role.INSPECTOR, None))
    assert client.get("/reports/").status_code == 403


def test_a_report_due_appears_in_the_to_do_list_and_leaves_it_once_submitted(task, weidu):
    """Due dates from core.deadlines (塔城监督检查计划 八: 10-30 for the year's summary); overdue is a date query."""
    from postlicense.core.todo import todo_for

    def item():
        groups = todo_for(weidu, date(2023, 11, 1)).groups
        group = next((g for g in groups if g.label == "待报送的报表"), None)
        return group, next((i for i in group.items if i.title == "2023年全年监督检查完成情况汇总"), None)

    group, due = item()
    assert group.overdue >= 1 and due.due == date(2023, 10, 30)
    services.submit(weidu, "completion", Y2023, filled_by="李四", checked_by="王五", today=TODAY)
    assert item()[1] is None


def test_the_home_chart_shows_the_same_rates_as_the_report(client, task, weidu, monkeypatch):
    from postlicense.reports import dashboards

    monkeypatch.setattr(dashboards.timezone, "localdate", lambda: date(2023, 12, 1))
    chart = dashboards.charts_for(weidu)[0]
    table = randomcheck_stats.compute(weidu.org_unit, Y2023, TODAY)[1]
    assert [item["value"] for item in chart.option["series"][0]["data"]] == [row[3] for row in table.rows]
    assert [item["value"] for item in chart.option["series"][1]["data"]] == [row[5] for row in table.rows]
    client.force_login(weidu)
    page = client.get("/").content.decode()
    assert 'data-chart="chart-1"' in page and "vendor/echarts/echarts.min.js" in page and "<script>" not in page
