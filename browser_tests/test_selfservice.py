"""Enterprise self-service as the people use it, on a desktop and on a 375 px phone: the enterprise's first login
(forced password change) → home → the self-report form (autosaved as it types) → feedback; the county's review;
the public landing page and search. Screenshots: var/screenshots/selfservice-*.png."""

from datetime import date

import pytest
from playwright.sync_api import expect

from postlicense.core.models import OrgUnit, User
from postlicense.inspections import services as inspections
from postlicense.inspections.tests.helpers import fill_and_sign, new_record
from postlicense.portal.masking import mask_person
from postlicense.randomcheck.tests.factories import published_task
from postlicense.selfservice import services
from postlicense.selfservice.models import SelfReport

PASSWORD = "Qiye-mima-2026"


def fits(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def world(transactional_db):
    staff = User.objects.create_user(
        "weidu-staff",
        password="pw-123456",
        role=User.Role.COUNTY_STAFF,
        display_name="赵敏",
        org_unit=OrgUnit.objects.get(code="xuchang-weidu"),
    )
    record = new_record()
    record = inspections.finish(fill_and_sign(record, day=date(2025, 9, 1)), by=staff)
    enterprise = record.enterprise
    services.grant_late_filing(
        staff, enterprise=enterprise, year=2025, reason="企业停产检修，申请补报", until=date(2026, 12, 20)
    )
    user, temporary = services.create_account(
        staff, enterprise=enterprise, username="qiye-test", display_name="张三", is_legal_representative=True
    )
    return {"staff": staff, "enterprise": enterprise, "record": record, "temporary": temporary}


def log_in(page, username, password):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_enterprise_files_its_report_and_gives_feedback(request, device, world, shot):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    width = 1280 if device == "desktop" else 375
    log_in(page, "qiye-test", world["temporary"])
    assert "/enterprise/password/" in page.url and "临时密码" in page.inner_text("main")
    shot(page, f"selfservice-{device}-1-first-login")
    page.fill("#id_old_password", world["temporary"])
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.click("main button[type=submit]")
    page.goto("/enterprise/")
    assert world["enterprise"].name in page.inner_text("main") and fits(page, width)
    shot(page, f"selfservice-{device}-2-home")

    page.click("#filing-note + form button")
    page.wait_for_url("**/enterprise/reports/*/")
    product = page.locator("select[name$='-status']").first
    product.select_option("正常生产")
    page.fill("input[name$='-output']", "约8万吨")
    expect(page.locator("#autosave-status")).to_contain_text("草稿已自动保存", timeout=20_000)
    report = SelfReport.objects.get()
    assert report.revision >= 1 and report.content["products"][0]["output"] == "约8万吨"
    page.check("#id_changes_none")
    page.check("#id_records_confirmed")
    for radio in page.locator("input[type=radio][value='是']").all():
        radio.check()
    page.fill("#id_declarant", "张三")
    page.check("#id_declaration")
    assert fits(page, width)
    shot(page, f"selfservice-{device}-3-report-form")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == SelfReport.Status.SUBMITTED
    shot(page, f"selfservice-{device}-4-report-filed")

    page.goto(f"/enterprise/feedback/new/{world['record'].pk}/")
    page.check("input[name=categories][value=disrupted]")
    page.fill("#id_text", "检查持续一整天，要求全部停机配合，影响正常生产")
    assert fits(page, width)
    shot(page, f"selfservice-{device}-5-feedback-form")
    page.click("main button[type=submit]")
    page.wait_for_url("**/enterprise/feedback/*/")
    assert "待受理" in page.inner_text("main")
    shot(page, f"selfservice-{device}-6-feedback-sent")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_county_reviews_a_report(request, device, world, shot):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    width = 1280 if device == "desktop" else 375
    enterprise = world["enterprise"]
    report = services.start_report(None, enterprise, 2025, date(2026, 11, 30))
    from postlicense.selfservice.demo import _complete

    services.submit(
        report,
        by=None,
        revision=0,
        content=_complete(report.content, declared_problem=True),
        declarant="张三",
        declarant_position="法定代表人",
        today=date(2026, 11, 30),
    )
    log_in(page, "weidu-staff", "pw-123456")
    page.goto("/enterprise/manage/reports/?year=2025")
    assert enterprise.name in page.inner_text("main") and fits(page, width)
    shot(page, f"selfservice-{device}-7-review-list")
    page.goto(f"/enterprise/reports/{report.pk}/")
    assert fits(page, width)
    shot(page, f"selfservice-{device}-8-review")
    page.check("input[name=decision][value=qualified]")
    page.click("#review-form + form button[type=submit]")
    page.wait_for_load_state()
    assert "2025年度检查合格" in page.inner_text("main")
    shot(page, f"selfservice-{device}-9-reviewed")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_public_landing_and_search(request, device, transactional_db, shot):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    width = 1280 if device == "desktop" else 375
    admin = User.objects.create_user(
        "rc-admin", password="pw-123456", role=User.Role.CITY_ADMIN, org_unit=OrgUnit.objects.get(code="xuchang")
    )
    task = published_task(admin, name="2026年度工业产品生产许可证获证企业“双随机一公开”监督检查")
    disclosure = task.drawn.filter(disclosure__isnull=False).first().disclosure
    page.goto("/login/")
    page.click("#public-links a")
    assert page.locator("#public-search").is_visible() and fits(page, width)
    shot(page, f"selfservice-{device}-10-public-landing")
    page.fill("#public-q", disclosure.enterprise_name[2:6])
    page.click("#public-search button")
    page.wait_for_url("**/public/search/**")
    assert disclosure.enterprise_name in page.inner_text("main") and fits(page, width)
    shot(page, f"selfservice-{device}-11-public-search")
    page.click("#search-results a")
    person = disclosure.drawn.enterprise.legal_representative
    text = page.inner_text("main")
    assert mask_person(person) in text and person not in text and fits(page, width)
    shot(page, f"selfservice-{device}-12-public-enterprise")
