"""Findings of city re-checks and cross audits become rectification orders (002 第十条、第十九条; 000 三、2), and the
draw tasks planning owns are matched and dispatched on planning's pages only (002 第十九条: the city's own
inspectors; 000 附件1: the group, never the audited branch)."""

import io
import uuid
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from postlicense.followup import selectors as followup
from postlicense.followup.models import RectificationOrder
from postlicense.inspections import services as inspections
from postlicense.inspections.models import Problem
from postlicense.inspections.selectors import current_template
from postlicense.inspections.tests.helpers import all_conforming, fill_and_sign, passing_option
from postlicense.planning import oversight, reports
from postlicense.planning.models import CampaignFinding
from postlicense.randomcheck import services as randomcheck
from postlicense.randomcheck.models import Task
from postlicense.randomcheck.owners import task_owner
from postlicense.randomcheck.services import draw_enterprises
from postlicense.randomcheck.tests.factories import contribute

from .factories import make_enterprise, make_inspector, unit

pytestmark = pytest.mark.django_db

STRATA = ("low", "medium", "medium_high", "high")


def finish_failing(record, by, day=date(2026, 10, 24)):
    """Fill the record with its first failable item nonconforming, sign and finish it."""
    findings = all_conforming(record)
    for item in record.template_version.items.all():
        if item.conclusions:
            findings[item.pk] = (passing_option(item), "不符合", "记录不全")
            break
        if item.nonconforming_options:
            findings[item.pk] = (item.nonconforming_options[0], "", "记录不全")
            break
    record = fill_and_sign(record, findings, summary="发现问题", day=day)
    return inspections.finish(record, by=by)


@pytest.fixture
def recheck(city_admin):
    for i in range(12):
        make_enterprise(risk_level=STRATA[i % 4])
    recheck = oversight.open_recheck(
        unit("xuchang"),
        unit("xuchang-weidu"),
        2026,
        current_template("production_conditions_004"),
        date(2026, 12, 20),
        city_admin,
    )
    contribute(recheck.task, city_admin)
    draw_enterprises(recheck.task, city_admin)
    return recheck


def test_recheck_problems_are_ordered_by_the_city_not_the_county(client, recheck, city_admin, make_user):
    for _ in range(3):
        make_inspector("xuchang")
    record = finish_failing(oversight.dispatch_recheck(recheck, city_admin)[0], city_admin)
    assert record.problems.filter(status=Problem.Status.OPEN).exists()  # inspections.open_problems_from ran
    issuer, label = followup.order_source(record)
    assert issuer == unit("xuchang") and label.startswith("市局复查：2026年") and "魏都区" in label
    county = make_user(org_code="xuchang-weidu")
    # the county reads the re-check but does not put its problems on an order (002 第十条: the inspecting city does)
    assert not followup.unlisted_problems(county).filter(record=record).exists()
    assert followup.unlisted_problems(city_admin).filter(record=record).exists()
    client.force_login(county)
    response = client.get(f"/followup/orders/new/{record.pk}/")
    assert response.status_code == 403 and "由许昌市" in response.content.decode()
    page = client.get(f"/planning/rechecks/{recheck.pk}/").content.decode()
    assert "个问题待许昌市" in page and f"/followup/orders/new/{record.pk}/" not in page

    client.force_login(city_admin)
    page = client.get(f"/planning/rechecks/{recheck.pk}/").content.decode()
    assert f"/followup/orders/new/{record.pk}/" in page  # the city may order: the link is there
    problems = list(record.problems.values_list("pk", flat=True))
    form = {
        "token": str(uuid.uuid4()),
        "problems": problems,
        "requirement": "限期整改",
        "measure": "correct",
        "period_key": "rectification",
    }
    response = client.post(f"/followup/orders/new/{record.pk}/", form)
    order = RectificationOrder.objects.get()
    assert response.status_code == 302 and order.unit == unit("xuchang") and order.source_record == record
    assert order.source_label == label and order.number.startswith("许市监责改")
    page = client.get(f"/planning/rechecks/{recheck.pk}/").content.decode()
    assert order.number in page and order.get_absolute_url() in page


@pytest.fixture
def visit(campaign, make_user):
    organiser = make_user(org_code="binhai")
    for i in range(5):
        make_enterprise(org_code="binhai-tanggu", risk_level=STRATA[i % 4])
    visit = oversight.add_visit(campaign, unit("binhai-tanggu"), date(2026, 10, 24), organiser)
    task = oversight.open_visit_draw(visit, current_template("patrol_000"), organiser)
    contribute(task, organiser)
    draw_enterprises(task, organiser)
    visit.refresh_from_db()
    return visit


def test_cross_audit_finding_about_an_enterprise_is_an_order_of_the_audited_branch(client, visit, make_user):
    organiser = make_user(org_code="binhai")
    enterprise = visit.task.drawn.first().enterprise
    token = uuid.uuid4()
    finding = oversight.add_campaign_finding(visit, "出厂检验记录缺失", organiser, enterprise, submission_token=token)
    order = finding.order
    # 000 三、2: the branches deal with what the audit found and revisit
    assert order.unit == unit("binhai-tanggu") and order.enterprise == enterprise
    assert order.source_label == "督查互查：2026年证后监管督查互查（滨海新区塘沽分局 2026-10-24）"
    assert [i.description for i in order.items.all()] == ["出厂检验记录缺失"]
    # a double click records and issues once
    again = oversight.add_campaign_finding(visit, "出厂检验记录缺失", organiser, enterprise, submission_token=token)
    assert again == finding and CampaignFinding.objects.count() == 1 and RectificationOrder.objects.count() == 1
    # a finding about the branch's own work is no order; bad input saves nothing
    assert oversight.add_campaign_finding(visit, "巡查材料不全", organiser).order is None
    other = make_enterprise(org_code="binhai-tanggu")  # registered after the draw: not drawn
    with pytest.raises(ValidationError):
        oversight.add_campaign_finding(visit, "x", organiser, other)
    with pytest.raises(ValidationError):
        oversight.add_campaign_finding(visit, " ", organiser, enterprise)
    assert RectificationOrder.objects.count() == 1 and CampaignFinding.objects.count() == 2
    # the campaign report (000 二(三)) names the order
    with zipfile.ZipFile(io.BytesIO(reports.report_docx(visit.campaign))) as docx:
        assert f"出厂检验记录缺失（已责令改正，{order.number}）" in docx.read("word/document.xml").decode()

    client.force_login(organiser)
    page = client.get(f"/planning/visits/{visit.pk}/").content.decode()
    assert order.number in page and order.get_absolute_url() in page
    # the page's form: a double post issues once
    form = {"enterprise": enterprise.pk, "text": "标识不规范", "token": str(uuid.uuid4())}
    assert client.post(f"/planning/visits/{visit.pk}/finding/", form).status_code == 302
    assert client.post(f"/planning/visits/{visit.pk}/finding/", form).status_code == 302
    assert RectificationOrder.objects.filter(unit=unit("binhai-tanggu")).count() == 2
    # the audited branch sees its orders (it serves them and revisits), but records no findings of its own audit
    client.force_login(make_user(org_code="binhai-tanggu"))
    assert client.get(order.get_absolute_url()).status_code == 200
    form["token"] = str(uuid.uuid4())
    assert client.post(f"/planning/visits/{visit.pk}/finding/", form).status_code == 403
    # a URL edited from another jurisdiction finds nothing
    client.force_login(make_user(org_code="xuchang-weidu"))
    assert client.post(f"/planning/visits/{visit.pk}/finding/", form).status_code == 404
    assert RectificationOrder.objects.count() == 2


def test_cross_audit_record_problems_are_ordered_by_the_audited_branch(visit, make_user):
    organiser = make_user(org_code="binhai")
    make_inspector("binhai-hangu")
    make_inspector("binhai-dagang")
    record = finish_failing(oversight.dispatch_visit(visit, organiser)[0], organiser)
    issuer, label = followup.order_source(record)
    assert issuer == unit("binhai-tanggu") and label.startswith("督查互查：2026年证后监管督查互查")
    assert followup.may_issue(make_user(org_code="binhai-tanggu"), issuer)
    assert followup.may_issue(organiser, issuer)  # the 新区局 above its 分局, as a city above its counties
    assert not followup.may_issue(make_user(org_code="binhai-hangu"), issuer)
    assert followup.unlisted_problems(make_user(org_code="binhai-tanggu")).filter(record=record).exists()


def test_recheck_task_is_not_matched_from_the_random_check_page(client, recheck, city_admin, make_user):
    task = recheck.task
    owner = task_owner(task)
    assert owner.label == "市局复查" and owner.inspector_unit_ids == {unit("xuchang").pk}
    # the random check's own match would take the county's inspectors: refused, at the service and the page
    make_inspector("xuchang-weidu")
    make_inspector("xuchang-weidu")
    with pytest.raises(ValidationError, match="须在市局复查页面匹配并派发"):
        randomcheck.match_inspectors(task, city_admin)
    client.force_login(city_admin)
    response = client.post(f"/random-checks/{task.pk}/step/match/")
    assert response.status_code == 302 and response.url == f"/planning/rechecks/{recheck.pk}/"
    task.refresh_from_db()
    assert task.state == Task.State.DRAWN and not task.drawn.filter(assignments__isnull=False).exists()
    page = client.get(f"/random-checks/{task.pk}/").content.decode()
    assert f"/random-checks/{task.pk}/step/match/" not in page and "到市局复查页面匹配并派发" in page

    # the county sees the task read-only: marked in its list, no steps, no changes
    county = make_user(org_code="xuchang-weidu")
    client.force_login(county)
    listing = client.get("/random-checks/").content.decode()
    assert task.name in listing and f'href="/planning/rechecks/{recheck.pk}/"' in listing
    page = client.get(f"/random-checks/{task.pk}/").content.decode()
    assert "本单位只能查看" in page and "step/" not in page
    assert client.post(f"/random-checks/{task.pk}/step/complete/").status_code == 403

    # after the city's dispatch, a replacement inspector comes from the city too
    for _ in range(3):
        make_inspector("xuchang")
    oversight.dispatch_recheck(recheck, city_admin)
    drawn = task.drawn.first()
    assert {i.org_unit.code for i in randomcheck.swap_candidates(task, drawn)} <= {"xuchang"}
    assert client.get(f"/random-checks/drawn/{drawn.pk}/swap/").status_code == 403


def test_cross_audit_draw_is_managed_by_the_organiser_not_the_audited_branch(client, visit, make_user):
    task = visit.task
    owner = task_owner(task)
    assert owner.label == "督查互查" and unit("binhai-tanggu").pk not in owner.inspector_unit_ids
    branch = make_user(org_code="binhai-tanggu")
    client.force_login(branch)
    page = client.get(f"/random-checks/{task.pk}/").content.decode()
    assert "本单位只能查看" in page
    assert client.post(f"/random-checks/{task.pk}/cancel/", {"reason": "x"}).status_code == 403
    client.force_login(make_user(org_code="binhai"))
    page = client.get(f"/random-checks/{task.pk}/").content.decode()
    assert "本单位只能查看" not in page and f"/planning/visits/{visit.pk}/" in page
