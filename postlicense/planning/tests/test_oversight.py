"""City re-checks (002 第十九条), cross audits (000), class suggestions and calibration."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from postlicense.inspections.models import Finding, InspectionRecord, Problem
from postlicense.inspections.selectors import current_template
from postlicense.inspections.tests.word import docx_text
from postlicense.planning import oversight, services
from postlicense.planning.models import Campaign, CampaignVisit, ClassChange
from postlicense.randomcheck.models import Task
from postlicense.randomcheck.services import draw_enterprises, verify_task_draw
from postlicense.randomcheck.tests.factories import contribute
from postlicense.registry.archive import timeline

from .factories import make_enterprise, make_inspector, record, unit

pytestmark = pytest.mark.django_db

STRATA = ("low", "medium", "medium_high", "high")


def _recheck(city_admin, n=23):
    for i in range(n):
        make_enterprise(risk_level=STRATA[i % 4])
    make_enterprise(org_code="xuchang-changge")
    return oversight.open_recheck(
        unit("xuchang"),
        unit("xuchang-weidu"),
        2026,
        current_template("production_conditions_004"),
        date(2026, 12, 20),
        city_admin,
    )


def test_recheck_draws_at_least_ten_percent_with_the_verifiable_draw(city_admin):
    recheck = _recheck(city_admin)
    assert (recheck.licensed, recheck.target) == (23, 3)  # ceil(10% × 23), 002 第十九条
    assert recheck.task.state == Task.State.FROZEN and recheck.task.candidates_digest
    contribute(recheck.task, city_admin)
    task = draw_enterprises(recheck.task, city_admin)
    assert task.drawn.count() >= recheck.target
    assert verify_task_draw(task)[1] == []  # the same public verification as a random check


def test_recheck_with_the_countys_inspectors_is_refused_and_nothing_saved(city_admin):
    recheck = _recheck(city_admin)
    contribute(recheck.task, city_admin)
    draw_enterprises(recheck.task, city_admin)
    county_people = [make_inspector("xuchang-weidu"), make_inspector("xuchang-weidu")]
    with pytest.raises(ValidationError, match="市局复查须由市局自己的检查人员实施"):
        oversight.dispatch_recheck(recheck, city_admin, county_people)
    # with no city inspector at all the automatic match names the shortfall in Chinese
    with pytest.raises(ValidationError):
        oversight.dispatch_recheck(recheck, city_admin)
    assert not InspectionRecord.objects.exists()
    for _ in range(3):
        make_inspector("xuchang")
    records = oversight.dispatch_recheck(recheck, city_admin)
    assert {r.org_unit.code for r in records} == {"xuchang"}
    assert all(i.org_unit.code == "xuchang" for r in records for i in r.inspectors.all())
    recheck.task.refresh_from_db()
    assert recheck.task.state == Task.State.DISPATCHED
    assert oversight.recheck_done(recheck) == 0
    first = records[0]
    first.status, first.conclusion, first.inspection_date = "finished", "qualified", date(2026, 11, 20)
    first.save()
    assert oversight.recheck_done(recheck) == 1


def test_recheck_bad_units_and_twice(city_admin):
    _recheck(city_admin, n=4)
    with pytest.raises(ValidationError, match="已创建"):
        _recheck(city_admin, n=0)
    with pytest.raises(ValidationError, match="只能由市局组织"):
        oversight.open_recheck(unit("xuchang-weidu"), unit("xuchang-changge"), 2026, None, date(2026, 12, 1), None)


def test_county_finding_needs_text(city_admin):
    recheck = _recheck(city_admin, n=2)
    with pytest.raises(ValidationError):
        oversight.add_county_finding(recheck, "  ", False, city_admin)
    oversight.add_county_finding(recheck, "巡查记录不完整", True, city_admin)
    assert recheck.findings.get().serious


# ---- cross audits (000) ----


def test_schedule_groups_are_000_annex_1(campaign, make_user):
    user = make_user(org_code="binhai")
    oversight.add_visit(campaign, unit("binhai-tanggu"), date(2026, 10, 24), user)
    [(visit, group)] = oversight.schedule(campaign)
    assert [u.code for u in group] == ["binhai", "binhai-baoshui", "binhai-dagang", "binhai-hangu", "binhai-kaifa"]
    assert visit.branch.code not in [u.code for u in group]


@pytest.mark.parametrize(
    "branch, day, field, message",
    [
        ("binhai-tanggu", date(2026, 11, 2), "date", "日期应在督查互查阶段内"),
        ("binhai-tanggu", date(2026, 10, 19), "date", "日期应在督查互查阶段内"),
        ("binhai", date(2026, 10, 24), "branch", "不是天津市滨海新区市场监督管理局的下属分局"),
        ("xuchang-weidu", date(2026, 10, 24), "branch", "下属分局"),
    ],
)
def test_visit_bad_input(campaign, make_user, branch, day, field, message):
    with pytest.raises(ValidationError) as exc:
        oversight.add_visit(campaign, unit(branch), day, make_user(org_code="binhai"))
    assert message in " ".join(exc.value.error_dict[field][0].messages)
    assert not CampaignVisit.objects.exists()


def test_second_visit_to_one_branch_is_refused(campaign, make_user):
    user = make_user(org_code="binhai")
    oversight.add_visit(campaign, unit("binhai-tanggu"), date(2026, 10, 24), user)
    with pytest.raises(ValidationError, match="每个分局只检查一次"):
        oversight.add_visit(campaign, unit("binhai-tanggu"), date(2026, 10, 25), user)
    assert CampaignVisit.objects.count() == 1


def test_campaign_windows_checked(make_user):
    with pytest.raises(ValidationError) as exc:
        oversight.create_campaign(
            organiser=unit("binhai"),
            name="x",
            year=2026,
            self_check_start=date(2026, 10, 17),
            self_check_end=date(2026, 10, 22),
            audit_start=date(2026, 10, 21),
            audit_end=date(2026, 10, 31),
            user=None,
        )
    assert "audit_start" in exc.value.error_dict
    assert not Campaign.objects.exists()


def test_visit_draws_two_and_matches_from_the_group_only(campaign, make_user):
    user = make_user(org_code="binhai")
    for i in range(7):
        make_enterprise(org_code="binhai-tanggu", risk_level=STRATA[i % 4])
    visit = oversight.add_visit(campaign, unit("binhai-tanggu"), date(2026, 10, 24), user)
    task = oversight.open_visit_draw(visit, current_template("patrol_000"), user, now=None)
    contribute(task, user)
    draw_enterprises(task, user)
    assert task.drawn.count() == 2  # 000 二(二)2: 2～3家
    own = [make_inspector("binhai-tanggu"), make_inspector("binhai-tanggu")]
    with pytest.raises(ValidationError, match="被检查分局的人员不能参加"):
        oversight.dispatch_visit(visit, user, own)
    make_inspector("binhai-hangu")
    make_inspector("binhai-dagang")
    records = oversight.dispatch_visit(visit, user)
    assert {r.kind for r in records} == {InspectionRecord.Kind.CROSS_AUDIT}
    assert not any(i.org_unit.code == "binhai-tanggu" for r in records for i in r.inspectors.all())
    block = oversight.branch_block(visit)
    assert (block["due"], block["done"]) == (7, 0)
    with pytest.raises(ValidationError):
        oversight.save_materials(visit, "-1", "", user)
    oversight.save_materials(visit, "6", "材料齐全", user)
    assert oversight.branch_block(visit)["sampled"] == 6


def test_self_check_upload_window_and_pdf_checks(campaign, make_user):
    user = make_user(org_code="binhai-tanggu")
    visit = oversight.add_visit(campaign, unit("binhai-tanggu"), date(2026, 10, 24), make_user(org_code="binhai"))
    pdf = SimpleUploadedFile("自查.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf")
    with pytest.raises(ValidationError, match="自查阶段"):
        oversight.upload_self_check(visit, pdf, user, today=date(2026, 10, 25))
    not_pdf = SimpleUploadedFile("自查.pdf", b"MZ\x90\x00", "application/pdf")
    with pytest.raises(ValidationError, match="须为PDF"):
        oversight.upload_self_check(visit, not_pdf, user, today=date(2026, 10, 18))
    active = SimpleUploadedFile("自查.pdf", b"%PDF-1.4\n1 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\n%%EOF")
    with pytest.raises(ValidationError):
        oversight.upload_self_check(visit, active, user, today=date(2026, 10, 18))
    visit.refresh_from_db()
    assert not visit.self_check_report
    pdf.seek(0)
    oversight.upload_self_check(visit, pdf, user, today=date(2026, 10, 18))
    assert visit.self_check_report


def test_reports_render(campaign, make_user):
    user = make_user(org_code="binhai")
    visit = oversight.add_visit(campaign, unit("binhai-kaifa"), date(2026, 10, 25), user)
    oversight.add_campaign_finding(visit, "巡查记录缺少检查人员签字", user)
    from postlicense.planning import reports

    assert reports.schedule_pdf(campaign).startswith(b"%PDF")
    text = docx_text(reports.report_docx(campaign))  # inspections.wordprint, opened back with python-docx
    assert f"{campaign.name}工作报告" in text and "巡查记录缺少检查人员签字" in text and "督查互查组成员单位" in text


# ---- class suggestion and calibration ----


def test_class_suggestion_and_confirmation(city_admin):
    e = make_enterprise(supervision_class="A")
    bad = record(e, date(2026, 3, 1), conclusion="unqualified")
    Problem.objects.create(enterprise=e, record=bad, description="仍存在", status=Problem.Status.PERSISTING)
    [(enterprise, suggested, reasons)] = oversight.suggestions([e], date(2026, 11, 30))
    assert suggested == "C" and reasons == ["检查不合格1次", "问题仍未整改1次"]
    with pytest.raises(ValidationError):
        services.confirm_class(e, "C", " ", city_admin)
    services.confirm_class(e, "C", "；".join(reasons), city_admin)
    e.refresh_from_db()
    assert e.supervision_class == "C" and ClassChange.objects.get().from_class == "A"
    assert any("由A类调整为C类" in event.title for event in timeline(e))
    with pytest.raises(ValidationError, match="已是C类"):
        services.confirm_class(e, "C", "再次", city_admin)


def test_calibration_flags_an_inspector_outside_the_interval(city_admin):
    recheck = _recheck(city_admin, n=40)
    contribute(recheck.task, city_admin)
    draw_enterprises(recheck.task, city_admin)
    strict, lenient = make_inspector("xuchang", name="严"), make_inspector("xuchang", name="松")
    others = [make_inspector("xuchang", name=f"其他{i}") for i in range(2)]
    template = current_template("production_conditions_004")
    items = list(template.items.all())
    for n, drawn in enumerate(recheck.task.drawn.select_related("enterprise")):
        crew = [strict if n % 2 else lenient, others[n % 2]]
        r = record(drawn.enterprise, date(2026, 6, 1))
        r.inspectors.set(crew)
        drawn.inspection = r
        drawn.save(update_fields=["inspection"])
        for item in items:
            bad = crew[0] is strict
            Finding.objects.create(record=r, item=item, conclusion="不符合" if bad else "符合")
    rows = {row["name"]: row for row in oversight.calibration(unit("xuchang"), 2026)}
    assert rows["严"]["flag"] == "偏高" and rows["松"]["flag"] == "偏低"
    assert rows["严"]["low"] <= rows["严"]["share"] <= rows["严"]["high"]
