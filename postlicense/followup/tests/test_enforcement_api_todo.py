"""The read API (scoped), the to-do groups of each role and the quality archive for decisions and cases."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postlicense.core.models import User
from postlicense.core.todo import todo_for
from postlicense.followup import cases, decisions
from postlicense.followup.archive_events import followup_events
from postlicense.followup.models import LicenseDecisionProposal as P
from postlicense.registry.archive import timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(license):
    return decisions.propose(license, kind=P.Kind.CANCEL, ground=P.Ground.EXPIRED, facts="届满未延续")


def test_the_api_lists_what_the_user_may_see(client, proposal, staff, make_user):
    client.force_login(staff)
    rows = client.get("/api/v1/followup/decisions/").json()["results"]
    assert [r["id"] for r in rows] == [proposal.pk] and rows[0]["kind"] == "cancel"
    assert client.get(f"/api/v1/followup/decisions/{proposal.pk}/").status_code == 200
    assert client.get("/api/v1/followup/decisions/", {"status": "nonsense"}).status_code == 400
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    assert client.get("/api/v1/followup/decisions/").json()["results"] == []
    assert client.get(f"/api/v1/followup/decisions/{proposal.pk}/").status_code == 404


def test_the_api_cases_are_for_bureau_staff(client, enterprise, staff, make_user):
    case = cases.register(
        enterprise,
        staff,
        clue="线索",
        discovered_on=date(2026, 11, 10),
        receiver_kind="case_unit",
        receiver="稽查科",
        referred_on=date(2026, 11, 10),
    )
    client.force_login(staff)
    assert client.get(f"/api/v1/followup/cases/{case.pk}/").json()["filing_due"] == "2026-12-01"
    client.force_login(make_user(User.Role.ENTERPRISE, None))
    assert client.get("/api/v1/followup/cases/").status_code == 403


def test_to_do_county_confirms_city_forwards_and_awaits(proposal, staff, city):
    today = date(2026, 11, 30)
    labels = {g.label: g for g in todo_for(staff, today).groups}
    assert labels["待确认的许可处理建议"].total == 1
    assert labels["待确认的许可处理建议"].items[0].due == proposal.confirm_due
    decisions.confirm(proposal, staff)
    assert "待转报许可机关的处理建议" in {g.label for g in todo_for(city, today).groups}
    decisions.forward(proposal, city)
    assert "已转报、待录入许可机关决定" in {g.label for g in todo_for(city, today).groups}
    assert "待确认的许可处理建议" not in {g.label for g in todo_for(staff, today).groups}


def test_case_deadlines_in_the_to_do_list_and_the_archive(enterprise, staff):
    cases.register(
        enterprise,
        staff,
        clue="线索",
        discovered_on=date(2026, 11, 10),
        receiver_kind="case_unit",
        receiver="稽查科",
        referred_on=date(2026, 11, 10),
    )
    group = next(g for g in todo_for(staff, date(2026, 12, 2)).groups if g.label == "案件线索待立案")
    assert group.total == 1 and group.overdue == 1 and "立案期限 2026-12-01" in group.items[0].note
    assert any(e.kind == "处罚" for e in timeline(enterprise))


def test_the_pages_answer_for_staff(client, proposal, staff):
    client.force_login(staff)
    for url in (
        "/followup/decisions/",
        f"/followup/decisions/{proposal.pk}/",
        "/followup/interviews/",
        "/followup/cases/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_to_do_groups_cost_the_same_queries_for_many_items(staff, make_enterprise, make_license):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from postlicense.followup.enforcement_todo import todo_groups

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            groups = todo_groups(staff, date(2026, 11, 30))
        return len(ctx.captured_queries), sum(g.total for g in groups)

    def add(n):
        for _ in range(n):
            lic = make_license(make_enterprise(), f"豫XK08-001-{500 + P.objects.count():05d}")
            decisions.propose(lic, kind=P.Kind.CANCEL, ground=P.Ground.EXPIRED, facts="届满")

    add(2)
    queries()  # the user's unit and region are cached on the first call
    few, total_few = queries()
    add(5)
    many, total_many = queries()
    assert (total_few, total_many) == (2, 7) and few == many


def test_an_inspector_reads_the_follow_up_of_enterprises_they_inspected_only(
    client, proposal, colleague, finished_record, make_user
):
    from postlicense.inspections.models import RecordInspector
    from postlicense.inspections.tests.factories import make_inspector

    url = f"/followup/decisions/{proposal.pk}/"
    client.force_login(colleague)
    assert client.get(url).status_code == 404  # not one of their enterprises
    record = finished_record(proposal.license.enterprise)
    RecordInspector.objects.create(record=record, inspector=make_inspector(user=colleague))
    page = client.get(url)
    assert page.status_code == 200 and "确认并报市局" not in page.content.decode()  # read only
    assert client.post(f"{url}confirm/", {"note": ""}).status_code == 403
    listed = client.get("/followup/decisions/")
    assert listed.status_code == 200 and proposal.license.number in listed.content.decode()
    assert "提出建议" not in listed.content.decode()


def test_an_enterprise_user_reads_its_own_proposal_without_the_internal_notes(client, proposal, staff, make_user):
    from postlicense.registry.models import EnterpriseAccount

    decisions.confirm(proposal, staff, "内部意见：事实清楚")
    owner = make_user(User.Role.ENTERPRISE, None)
    EnterpriseAccount.objects.create(user=owner, enterprise=proposal.license.enterprise)
    client.force_login(owner)
    page = client.get(f"/followup/decisions/{proposal.pk}/").content.decode()
    assert proposal.license.number in page and "内部意见" not in page and "转报许可机关" not in page
    stranger = make_user(User.Role.ENTERPRISE, None)
    client.force_login(stranger)
    assert client.get(f"/followup/decisions/{proposal.pk}/").status_code == 404


def test_the_archive_reads_no_reports_revisits_or_escalations_of_an_enterprise_without_orders(enterprise):
    """They all belong to an order (issue 12 item 7: three queries per enterprise page saved for most enterprises)."""
    with CaptureQueriesContext(connection) as queries:
        assert followup_events(enterprise) == []
    assert [q["sql"].split(" FROM ")[1].split()[0] for q in queries] == ['"followup_rectificationorder"']
