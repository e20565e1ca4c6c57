"""Pages: scope (a URL edited to another county's plan is 404), forms refuse bad input with Chinese errors and save
nothing, a double click approves once, a stale adjustment is refused."""

from datetime import date

import pytest

from postlicense.core.concurrency import version_of
from postlicense.core.models import User
from postlicense.planning import oversight, services
from postlicense.planning.models import Plan, PlanAdjustment
from postlicense.registry.models import Enterprise

from .factories import PLAN_DATE, make_enterprise, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def weidu(client, make_user):
    user = make_user(org_code="xuchang-weidu")
    client.force_login(user)
    return user


def test_pages_render_for_county_staff(client, weidu):
    make_enterprise(supervision_class="D")
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, weidu)
    for url in [
        "/planning/",
        f"/planning/{plan.pk}/",
        f"/planning/{plan.pk}/?behind=1",
        "/planning/completion/",
        "/planning/campaigns/",
        "/planning/rechecks/",
        f"/planning/entry/{plan.entries.get().pk}/adjust/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "未完成计划" in client.get(f"/planning/{plan.pk}/").content.decode()
    home = client.get("/").content.decode()
    assert "年度计划完成率" in home and "年度计划" in home  # home card and navigation
    assert client.get("/planning/calibration/").status_code == 403  # the city only
    assert client.get("/planning/classes/").status_code == 403


def test_plan_page_seeks_by_enterprise_and_ignores_a_bad_bound(client, weidu):
    ids = sorted(make_enterprise(supervision_class="D", name=f"企业{i}").pk for i in range(3))
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, weidu)
    page = client.get(f"/planning/{plan.pk}/?behind=1&after={ids[0]}").content.decode()
    names = {e.pk: e.name for e in Enterprise.objects.filter(pk__in=ids)}
    assert names[ids[0]] not in page and names[ids[1]] in page and names[ids[2]] in page
    assert names[ids[0]] in client.get(f"/planning/{plan.pk}/?behind=1&after=x1&before=-3").content.decode()


def test_another_countys_plan_is_404(client, weidu, make_user):
    other = services.generate_plan(unit("xuchang-changge"), 2026, PLAN_DATE, make_user(org_code="xuchang-changge"))
    assert client.get(f"/planning/{other.pk}/").status_code == 404
    assert client.post(f"/planning/{other.pk}/approve/").status_code == 404
    other.refresh_from_db()
    assert other.status == Plan.Status.DRAFT


def test_plan_for_a_year_without_calendar_shows_the_error_at_the_field(client, weidu):
    response = client.post(
        "/planning/new/", {"org_unit": unit("xuchang-weidu").pk, "year": 2027, "plan_date": "2027-01-04"}
    )
    assert response.status_code == 200
    assert "2027年的节假日安排数据" in response.content.decode()
    assert not Plan.objects.exists()


def test_double_click_approve_approves_once(client, weidu):
    make_enterprise()
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, weidu)
    assert client.post(f"/planning/{plan.pk}/approve/").status_code == 302
    plan.refresh_from_db()
    approved_at = plan.approved_at
    assert client.post(f"/planning/{plan.pk}/approve/").status_code == 302
    plan.refresh_from_db()
    assert plan.approved_at == approved_at


def test_stale_adjustment_is_refused_on_the_page(client, weidu, make_user):
    make_enterprise(supervision_class="C")
    plan = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, weidu)
    entry = plan.entries.get()
    old = version_of(entry, services.ADJUST_FIELDS)
    services.adjust_entry(entry, 3, "另一人先调整", old, make_user(org_code="xuchang-weidu"))
    response = client.post(f"/planning/entry/{entry.pk}/adjust/", {"planned": 2, "reason": "我的调整", "version": old})
    assert response.status_code == 400
    assert "保存未成功" in response.content.decode()
    entry.refresh_from_db()
    assert entry.planned == 3 and PlanAdjustment.objects.count() == 1
    response = client.post(f"/planning/entry/{entry.pk}/adjust/", {"planned": "", "reason": "", "version": ""})
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()


def test_city_pages_and_campaign_visit_form(client, make_user):
    admin = make_user(role=User.Role.CITY_ADMIN, org_code="xuchang")
    client.force_login(admin)
    for url in ["/planning/calibration/", "/planning/classes/", "/planning/focus/", "/planning/rechecks/new/"]:
        assert client.get(url).status_code == 200, url
    binhai = make_user(org_code="binhai")
    campaign = oversight.create_campaign(
        organiser=unit("binhai"),
        name="互查",
        year=2026,
        self_check_start=date(2026, 10, 17),
        self_check_end=date(2026, 10, 20),
        audit_start=date(2026, 10, 21),
        audit_end=date(2026, 10, 31),
        user=binhai,
    )
    assert client.get(f"/planning/campaigns/{campaign.pk}/").status_code == 404  # another jurisdiction
    client.force_login(binhai)
    response = client.post(
        f"/planning/campaigns/{campaign.pk}/visit/", {"branch": unit("binhai-tanggu").pk, "date": "2026-11-03"}
    )
    assert response.status_code == 400 and "日期应在督查互查阶段内" in response.content.decode()
    assert client.get(f"/planning/campaigns/{campaign.pk}/").status_code == 200
    make_enterprise(org_code="binhai-tanggu")
    visit = oversight.add_visit(campaign, unit("binhai-tanggu"), date(2026, 10, 24), binhai)
    page = client.get(f"/planning/visits/{visit.pk}/").content.decode()
    assert "应完成巡查、年审企业数</th><td>1</td>" in page  # the 000 branch block, computed
    pdf = client.get(f"/planning/campaigns/{campaign.pk}/schedule.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_api_reads_are_scoped(client, weidu, make_user):
    make_enterprise()
    mine = services.generate_plan(unit("xuchang-weidu"), 2026, PLAN_DATE, weidu)
    other = services.generate_plan(unit("xuchang-changge"), 2026, PLAN_DATE, make_user(org_code="xuchang-changge"))
    plans = client.get("/api/v1/plans/").json()["results"]
    assert [p["id"] for p in plans] == [mine.pk]
    entries = client.get(f"/api/v1/plans/{mine.pk}/entries/").json()["results"]
    assert entries[0]["planned"] == 1 and "done" in entries[0]
    assert client.get(f"/api/v1/plans/{other.pk}/entries/").status_code == 404
    assert client.get("/api/v1/rechecks/").status_code == 200
    assert client.get("/api/v1/campaigns/").status_code == 200
