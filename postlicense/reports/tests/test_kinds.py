"""The completion summary (004 八), the half-year report (001 二(五)) and the risk problem list (004 七(二))."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postlicense.core.models import User
from postlicense.followup.tests.helpers import failed_record, issued_order
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.tests.word import WORD, docx_text, fields_of
from postlicense.planning.models import Plan, PlanEntry
from postlicense.registry.models import Enterprise
from postlicense.reports import completion, halfyear, risks, services
from postlicense.reports.kinds import KINDS
from postlicense.reports.models import Submission
from postlicense.reports.periods import Period
from postlicense.supervision.tests.factories import make_world, reported

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)
Y2026 = Period(2026, "Y")


@pytest.fixture
def weidu(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


@pytest.fixture
def admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


@pytest.fixture
def world(weidu):
    """A failed inspection (2 problems) with its order, and a failed supervision test (较大) in 魏都."""
    record = failed_record(weidu, day=date(2026, 5, 1))
    order = issued_order(weidu, record=record, issued_on=date(2026, 5, 6))
    test = reported(make_world(), day=date(2026, 10, 9))
    return record, order, test


def _row(table, key):
    return next(r for r in table.rows if r[0] == key)


def test_the_completion_summary_counts_the_periods_work_per_county_and_class(world, weidu):
    """004 八: 检查完成情况, 发现问题及整改, 通知书, 抽检与不合格, 风险问题 per county and per class."""
    cut = KINDS["completion"].cut(weidu.org_unit, Y2026, TODAY)
    assert cut == date(2026, 10, 30)  # the data cut is the due date (summary_yearend), not the year's end
    plan = Plan.objects.create(org_unit=weidu.org_unit, year=2026, plan_date=date(2026, 1, 5))
    PlanEntry.objects.create(
        plan=plan, year=2026, enterprise=world[0].enterprise, supervision_class="B", minimum=1, planned=2, done=1
    )
    by_county, by_class, orders = completion.compute(weidu.org_unit, Y2026, cut)
    row = _row(by_county, weidu.org_unit.name)
    assert row[1] == Enterprise.objects.filter(supervising_unit=weidu.org_unit).count()
    assert row[2:7] == [1, 2, 1, 50.0, 1]  # planned vs done (planning), one enterprise behind plan
    assert row[7:12] == [1, 1, 2, 0, 0.0]  # one enterprise inspected once, two problems, none rectified yet
    assert row[12:17] == [1, 1, 1, 0, 1]  # one order, one test that failed, no case, one risk problem
    assert by_class.with_total()[-1][1:] == by_county.with_total()[-1][1:]  # the two tables add up alike
    assert orders.rows == [[weidu.org_unit.name, 1, 1, 0, 0, 0]]  # issued, open, not overdue (not yet served)


def test_records_after_the_data_cut_do_not_count(world, weidu):
    later = failed_record(weidu, day=date(2026, 11, 10))
    assert later.inspection_date > date(2026, 10, 30)
    by_county, *_ = completion.compute(weidu.org_unit, Y2026, date(2026, 10, 30))
    assert _row(by_county, weidu.org_unit.name)[8] == 1


def test_the_risk_list_carries_cause_hazard_and_measures(world, weidu):
    """004 七(二): 原因分析、危害程度、处置措施 for each serious finding."""
    summary, listing, by_category = risks.compute(weidu.org_unit, Y2026, TODAY)
    assert summary.rows == [["监督检验不合格", 1, 0, 1, 0]]
    (line,) = listing.rows
    assert line[2] == "监督检验不合格" and "3天抗压强度" in line[4] and line[5] == "较大"
    assert "列入风险问题清单" in line[6] and line[7] == "2026-10-09"
    assert by_category.rows == [[world[2].product_category.name, 1, 0, 1, 0]]


def test_the_half_year_report_has_the_four_contents(world, weidu):
    """001 二(五): 年度审查, 巡查和回访, 定期监督检查, 问题企业处理."""
    InspectionRecord.objects.filter(pk=world[0].pk).update(kind=InspectionRecord.Kind.PERIODIC)
    tables = halfyear.compute(weidu.org_unit, Period(2026, "H1"), date(2026, 6, 30))
    assert [t.title[:2] for t in tables] == ["一、", "二、", "三、", "四、", "附："]
    assert _row(tables[2], weidu.org_unit.name)[1:] == [1, 1, 2]  # one periodic inspection, two problems
    assert _row(tables[3], weidu.org_unit.name)[1:] == [1, 0, 0, 0, 0]  # the order issued on 5-6
    assert halfyear.compute(weidu.org_unit, Period(2026, "H2"), TODAY)[2].rows == []


def test_a_county_without_data_cannot_submit_and_nobody_submits_twice(world, weidu, make_user):
    changge = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    for key in ("completion", "risks", "halfyear"):
        period = Period(2026, KINDS[key].parts[0])
        with pytest.raises(ValidationError, match="没有可统计的数据"):
            services.submit(changge, key, period, filled_by="李四", checked_by="王五", today=TODAY)
        services.submit(weidu, key, period, filled_by="李四", checked_by="王五", today=TODAY)
        with pytest.raises(ValidationError, match="不能修改"):
            services.submit(weidu, key, period, filled_by="李四", checked_by="王五", today=TODAY)
    assert Submission.objects.filter(org_unit=weidu.org_unit).count() == 3


def test_a_future_period_is_refused_for_the_new_kinds(client, weidu):
    client.force_login(weidu)
    for key in ("completion", "risks", "halfyear"):
        page = client.get(f"/reports/{key}/?year=2027&part={KINDS[key].parts[0]}&unit={weidu.org_unit_id}")
        assert "尚未开始" in page.content.decode()


def test_the_city_adds_up_accepted_summaries_and_no_other_city_reviews_them(world, weidu, admin, make_user):
    submission = services.submit(weidu, "completion", Y2026, filled_by="李四", checked_by="王五", today=TODAY)
    with pytest.raises(PermissionDenied):
        services.review(make_user(User.Role.CITY_ADMIN, "baicheng"), submission, accept=True)
    services.review(admin, submission, accept=True)
    city = services.submit(admin, "completion", Y2026, filled_by="赵六", checked_by="钱七", today=TODAY)
    assert city.tables == submission.tables and city.cut == date(2026, 10, 30)


def test_each_new_report_page_renders_and_exports(client, world, weidu):
    client.force_login(weidu)
    for key in ("completion", "risks", "halfyear"):
        base = f"/reports/{key}/?year=2026&part={KINDS[key].parts[0]}&unit={weidu.org_unit_id}"
        assert client.get(base).status_code == 200
        response = client.get(base + "&format=xlsx")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api_returns_the_reports_tables_and_its_submissions(client, world, weidu, make_user, monkeypatch):
    from postlicense.reports import api

    monkeypatch.setattr(api.timezone, "localdate", lambda: TODAY)
    client.force_login(weidu)
    data = client.get("/api/v1/reports/completion/", {"year": 2026, "part": "Y"}).json()
    assert data["cut"] == "2026-10-30" and data["unit"] == weidu.org_unit_id
    assert [t["rows"] for t in data["tables"]] == [
        t.rows for t in completion.compute(weidu.org_unit, Y2026, date(2026, 10, 30))
    ]
    services.submit(weidu, "completion", Y2026, filled_by="李四", checked_by="王五", today=TODAY)
    (listed,) = client.get("/api/v1/reports/completion/submissions/").json()["results"]
    assert listed["tables"] == data["tables"]
    assert client.get("/api/v1/reports/completion/", {"year": 2027}).status_code == 400
    assert client.get("/api/v1/reports/completion/", {"part": "Q3"}).status_code == 400
    changge = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    assert client.get("/api/v1/reports/completion/", {"unit": changge.org_unit_id}).status_code == 400
    assert client.get("/api/v1/reports/nothing/").status_code == 404
    client.force_login(changge)
    assert client.get("/api/v1/reports/completion/submissions/").json()["results"] == []
    client.force_login(make_user(User.Role.INSPECTOR, None))
    assert client.get("/api/v1/reports/completion/").status_code == 403


def test_each_home_chart_shows_the_numbers_of_its_report(client, world, weidu, monkeypatch):
    """The follow-up, failures and monthly charts read the completion summary, the risk list and the half-year report."""
    from postlicense.reports import dashboards

    today = date(2026, 10, 20)  # before the summary's due date: the year's report and the chart share the cut
    monkeypatch.setattr(dashboards.timezone, "localdate", lambda: today)
    plan = Plan.objects.create(org_unit=weidu.org_unit, year=2026, plan_date=date(2026, 1, 5))
    PlanEntry.objects.create(
        plan=plan, year=2026, enterprise=world[0].enterprise, supervision_class="C", minimum=2, planned=3, done=1
    )
    charts = {c.title: c for c in dashboards.charts_for(weidu)}

    def values(chart, series):
        return [item["value"] for item in chart.option["series"][series]["data"]]

    completion_table = completion.compute(weidu.org_unit, Y2026, today)[0]
    assert values(charts["2026年检查计划完成率（按监管单位）"], 0) == [r[5] for r in completion_table.rows] == [33.3]
    orders = charts["2026年责令改正通知书办理情况（按监管单位）"]
    table = completion.compute(weidu.org_unit, Y2026, KINDS["completion"].cut(weidu.org_unit, Y2026, today))[2]
    assert orders.option["yAxis"]["data"] == [r[0] for r in table.rows]
    assert [values(orders, i) for i in range(4)] == [[r[i] for r in table.rows] for i in (2, 3, 4, 5)]
    assert values(orders, 0) == [1]
    failures = charts["2026年监督检验不合格（按产品类别）"]
    table = risks.compute(weidu.org_unit, Y2026, today)[2]
    assert [values(failures, i) for i in range(3)] == [[r[i] for r in table.rows] for i in (2, 3, 4)] == [[0], [1], [0]]
    monthly = charts["2026年责令改正通知书按月签发与关闭"]
    halves = [
        halfyear.compute(weidu.org_unit, Period(2026, p), c)[4] for p, c in (("H1", date(2026, 6, 30)), ("H2", today))
    ]
    assert values(monthly, 0)[:6] == [r[1] for r in halves[0].rows] and sum(values(monthly, 0)) == 1
    assert halves[1].rows == [] and not any(values(monthly, 0)[6:] + values(monthly, 1))
    client.force_login(weidu)
    page = client.get("/").content.decode()
    assert page.count('data-chart="chart-') == len(charts) and "/followup/orders/?status=open" in page


def test_a_year_without_calendar_data_is_an_error_at_the_year(client, weidu):
    """The summary's data cut is its due date (core.deadlines), which needs the year's working calendar."""
    client.force_login(weidu)
    page = client.get(f"/reports/completion/?year=2001&part=Y&unit={weidu.org_unit_id}")
    assert page.status_code == 200 and "节假日安排" in page.content.decode()
    response = client.get("/api/v1/reports/completion/", {"year": 2001})
    assert response.status_code == 400 and "year" in response.json()


def test_the_half_year_report_prints_the_text_the_seed_expects(client, world, weidu):
    """001 二(五): 年度审查情况、巡查回访情况、定期监督情况、对存在问题的企业处理情况, as a PDF document."""
    tables = halfyear.compute(weidu.org_unit, Period(2026, "H1"), date(2026, 6, 30))
    paragraphs = halfyear.narrative(tables)
    assert [p[:6] for p in paragraphs] == ["一、年度审查", "二、巡查回访", "三、定期监督", "四、对存在问"]
    assert "下达责令改正通知书1份" in paragraphs[3]
    client.force_login(weidu)
    response = client.get(f"/reports/halfyear/?year=2026&part=H1&unit={weidu.org_unit_id}&format=pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    page = client.get(f"/reports/completion/?year=2026&part=Y&unit={weidu.org_unit_id}").content.decode()
    assert "format=pdf" not in page and "format=docx" not in page  # only a kind with a text has a document
    response = client.get(f"/reports/completion/?year=2026&part=Y&unit={weidu.org_unit_id}&format=docx")
    assert response["Content-Type"].startswith("text/html")  # the page, not a document


def test_the_half_year_report_in_word_live_and_as_submitted(client, world, weidu, make_user):
    """The same document in Word (inspections.wordprint): the text, the tables, 填报人 and 审核人 of the snapshot."""
    client.force_login(weidu)
    url = f"/reports/halfyear/?year=2026&part=H1&unit={weidu.org_unit_id}"
    page = client.get(url).content.decode()
    assert "format=pdf" in page and "format=docx" in page
    response = client.get(url + "&format=docx")
    assert response["Content-Type"] == WORD
    text = docx_text(response.content)
    assert "工业产品生产许可证获证企业证后监管半年度工作情况" in text and "统计期间：2026年上半年" in text
    assert "四、对存在问题的企业处理情况。本期下达责令改正通知书1份" in text and "四、问题企业处理" in text
    assert "填报人：　　　　　　审核人：" in text
    submission = services.submit(
        weidu, "halfyear", Period(2026, "H1"), filled_by="=1+1", checked_by="王五", today=TODAY
    )
    frozen = client.get(f"/reports/submissions/{submission.pk}/?format=docx")
    text = docx_text(frozen.content)
    assert "填报人：=1+1　　审核人：王五" in text and fields_of(frozen.content) == []
    assert client.get(f"/reports/submissions/{submission.pk}/?format=pdf").content.startswith(b"%PDF")
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    assert client.get(f"/reports/submissions/{submission.pk}/?format=docx").status_code == 404
