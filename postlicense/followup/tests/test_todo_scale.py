"""The follow-up to-do at scale (issue 13 §14): an order carries its enterprise's region and supervising unit, a
problem its region, so the county's to-do and the city's 各县逾期情况 are scoped and grouped without joining the
register; the register's enterprises_moved hook keeps the copies true (a moved enterprise's orders, records and
problems follow it, whether it moved on its page or by an import); the scope is the enterprise's county whoever issued the
order; and the pages' queries do not grow with their rows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postlicense.core.models import OrgUnit, User
from postlicense.core.todo import todo_for
from postlicense.followup import selectors, services
from postlicense.followup.models import RectificationOrder
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.registry import importing
from postlicense.registry.models import Enterprise
from postlicense.registry.tests.conftest import good_row
from postlicense.registry.tests.test_import import run

from .helpers import crew, failed_record, finish_revisit, issued_order, served_order

TODAY = date(2026, 11, 30)
TO_SERVE, UNLISTED = "待送达的责令改正通知书", "待下达责令改正通知书的问题"


def follow_up_totals(user):
    return {g.label: g.total for g in todo_for(user, TODAY).groups if g.label in (TO_SERVE, UNLISTED)}


def test_an_enterprise_moved_on_its_page_takes_its_orders_and_problems_to_its_new_county(staff, make_user):
    order = issued_order(staff)
    enterprise = order.enterprise
    Problem.objects.create(enterprise=enterprise, record=order.source_record, description="另发现的问题")  # unlisted
    changge = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    assert follow_up_totals(staff) == {TO_SERVE: 1, UNLISTED: 1} and follow_up_totals(changge) == {}
    unit = OrgUnit.objects.get(code="xuchang-changge")
    enterprise.region_id, enterprise.supervising_unit = unit.region_id, unit
    enterprise.save()
    order.refresh_from_db()
    assert (order.region_id, order.supervising_unit) == ("411082", unit)
    assert set(Problem.objects.filter(enterprise=enterprise).values_list("region", flat=True)) == {"411082"}
    assert set(InspectionRecord.objects.filter(enterprise=enterprise).values_list("region", flat=True)) == {"411082"}
    assert list(InspectionRecord.objects.for_user(changge)) == [order.source_record]
    assert not InspectionRecord.objects.for_user(staff).filter(enterprise=enterprise).exists()
    assert follow_up_totals(staff) == {} and follow_up_totals(changge) == {TO_SERVE: 1, UNLISTED: 1}
    assert list(RectificationOrder.objects.for_user(changge)) == [order]
    assert not RectificationOrder.objects.for_user(staff).exists()


def test_an_import_that_moves_an_enterprise_moves_its_orders_and_problems(staff, city):
    importing.apply(run([good_row(1)], city)[0])  # in 长葛市
    enterprise = Enterprise.objects.get()
    order = issued_order(staff, record=failed_record(staff, enterprise=enterprise))
    assert (order.region_id, order.supervising_unit.code) == ("411082", "xuchang-changge")
    rows, errors = run([good_row(1, 所在区县="魏都区")], city)
    assert errors == [] and importing.apply(rows) == (0, 1)
    order.refresh_from_db()
    assert (order.region_id, order.supervising_unit.code) == ("411002", "xuchang-weidu")
    assert set(Problem.objects.filter(enterprise=enterprise).values_list("region", flat=True)) == {"411002"}
    assert set(InspectionRecord.objects.filter(enterprise=enterprise).values_list("region", flat=True)) == {"411002"}
    assert list(RectificationOrder.objects.for_user(staff)) == [order]
    by_unit = {row["unit"].code: row["open"] for row in selectors.overdue_by_county(city, TODAY)}
    assert by_unit == {"xuchang-weidu": 1}


def test_an_edit_that_keeps_the_county_writes_no_copies(staff):
    order = issued_order(staff)
    enterprise = order.enterprise
    enterprise.name = "改名后的水泥有限公司"
    with CaptureQueriesContext(connection) as queries:
        enterprise.save()
    copies = ("followup_rectificationorder", "inspections_problem", "inspections_inspectionrecord")
    assert not [q for q in queries if any(table in q["sql"] for table in copies)]


def test_an_order_the_city_issued_is_on_the_list_of_its_enterprises_county(staff, city, make_user):
    record = failed_record(staff)
    order = services.issue_order(
        enterprise=record.enterprise,
        unit=city.org_unit,
        by=city,
        source_kind=RectificationOrder.SourceKind.INSPECTION,
        source_label="市局检查记录",
        problems=Problem.objects.filter(record=record),
        source_record=record,
        issued_on=date(2026, 5, 6),
    )
    assert order.unit == city.org_unit and order.supervising_unit == staff.org_unit
    assert follow_up_totals(staff) == {TO_SERVE: 1}
    assert follow_up_totals(make_user(User.Role.COUNTY_STAFF, "xuchang-changge")) == {}
    assert [(row["unit"], row["to_serve"]) for row in selectors.overdue_by_county(city, TODAY)] == [(staff.org_unit, 1)]


def add_work(staff, n):
    """n of each kind of work on the county's to-do: orders to serve, terms run out, reported, a revisit that found
    the problem persisting (an escalation to confirm), and problems still to put on an order."""
    for _ in range(n):
        issued_order(staff)
        served_order(staff)
        reported = served_order(staff)
        services.submit_report(reported, by=staff, text="已整改", completed_on=date(2026, 6, 1), today=TODAY)
        persisting = served_order(staff)
        revisit = services.dispatch_revisit(
            persisting, by=staff, inspectors=crew(), due_date=date(2026, 6, 20), today=date(2026, 6, 9)
        )
        finish_revisit(revisit, staff, {"6": True, "7": False})
        failed_record(staff)


@pytest.mark.parametrize("who,url", [("staff", "/core/todo/"), ("city", "/followup/orders/overdue/")])
def test_the_pages_cost_the_same_queries_for_more_rows(client, staff, city, who, url):
    client.force_login({"staff": staff, "city": city}[who])

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response

    add_work(staff, 1)
    page()  # the user's unit and region are cached on the first call
    few, _ = page()
    add_work(staff, 3)
    many, response = page()
    assert few == many
    if who == "staff":
        totals = {g.label: g.total for g in response.context["todo"].groups}
        assert totals[TO_SERVE] == 4 and totals[UNLISTED] == 8 and totals["待确认的升级建议"] == 4
        assert totals["整改期满，待派发复查"] == 4 and totals["企业已报告整改，待审阅并安排复查"] == 4
    else:
        (row,) = response.context["rows"]
        assert (row["unit"], row["to_serve"], row["persisting"]) == (staff.org_unit, 4, 4)


def test_the_to_do_counts_do_not_join_the_register(staff, city):
    """The counts read the orders' and problems' own copy of the region: joining the register for a county's
    scope is what made the to-do take seconds at a million enterprises (docs/followup.md)."""
    add_work(staff, 1)
    for user in (staff, city):
        with CaptureQueriesContext(connection) as queries:
            todo_for(user, TODAY)
            selectors.overdue_by_county(city, TODAY)
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
        counted = [sql for sql in counts if '"followup_rectificationorder"' in sql or '"inspections_problem"' in sql]
        assert counted and not [sql for sql in counted if '"registry_enterprise"' in sql]
