"""Follow-up and enforcement as its users see it (issue 13): a problem followed from a 不合格 record to its closing
revisit, one that escalates to 停产整顿 and a revocation decided by the issuing authority, each role's to-do list,
and the printed 责令改正通知书 + 送达回证 and 约谈笔录 looked at as images. Screenshots: var/screenshots/followup/.

The calendar has data to 2026 only, so the server's clock (timezone.localdate, which the pages read as "today") is
set back for the steps whose deadlines would otherwise fall in 2027; decisions are recorded on the real today."""

import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from postlicense.core.models import User
from postlicense.followup import interviews, services
from postlicense.followup.models import Escalation, Interview, LicenseDecisionProposal, RectificationOrder
from postlicense.followup.tests.helpers import failed_record, finish_revisit
from postlicense.inspections.models import Problem
from postlicense.inspections.tests.factories import make_enterprise, make_inspector
from postlicense.inspections.tests.helpers import passing_option, png_bytes
from postlicense.selfservice import services as selfservice

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
DIR = "followup"
PASSWORD = "pw-123456"


@pytest.fixture(autouse=True)
def media(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def clock(monkeypatch):
    """The server's today (the live server runs in this process): clock.set(date) moves it, clock.set(None) is real."""
    real = timezone.localdate

    class Clock:
        today = None

        def set(self, day):
            self.today = day

    c = Clock()
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: c.today if value is None and c.today else real(value, tz)
    )
    return c


def fits(page, width=375):
    return page.evaluate("document.documentElement.scrollWidth") <= width


def new_context_page(browser, live_server, phone=False):
    viewport = {"width": 375, "height": 812} if phone else {"width": 1280, "height": 800}
    extra = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if phone else {}
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url, **extra)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def enterprise_user(staff, enterprise, username):
    user, _ = selfservice.create_account(staff, enterprise=enterprise, username=username, display_name="张三")
    user.set_password(PASSWORD)
    user.save()
    selfservice.password_changed(user)
    return user


def draw_signature(page, canvas):
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(x + step * 15, y + (10 if step % 2 else -10))
    page.mouse.up()


def main_text(page):
    return page.locator("main").inner_text()


def test_a_problem_followed_to_its_closing(page, browser, live_server, login, shot, clock, tmp_path):
    staff = login(page, User.Role.COUNTY_STAFF, "xuchang-weidu", display_name="李科员")
    enterprise = make_enterprise(name="许昌市魏都区恒信水泥有限公司")
    record = failed_record(staff, enterprise=enterprise, day=date(2026, 10, 9))

    # Issue: the record with problems not yet on an order → the form → the order (numbered, 已下达).
    clock.set(date(2026, 10, 12))
    page.goto("/followup/orders/pending/")
    assert enterprise.name in main_text(page)
    shot(page, f"{DIR}/01-pending-records")
    page.locator("tr", has_text=enterprise.name).get_by_role("link", name="下达通知书").click()
    page.wait_for_url(f"**/followup/orders/new/{record.pk}/")
    for box in page.locator("input[name=problems]").all():
        box.check()
    shot(page, f"{DIR}/02-issue-form")
    page.click("main button[type=submit]")
    page.wait_for_url("**/followup/orders/*/")
    order = RectificationOrder.objects.get(enterprise=enterprise)
    assert order.number == "许市监责改〔2026〕1号" and order.items.count() == 2
    assert "已签发 许市监责改〔2026〕1号" in page.locator(".messages").inner_text()
    shot(page, f"{DIR}/03-order-issued")

    # Service: the 送达回证 recorded; the deadline runs from it.
    clock.set(date(2026, 10, 13))
    page.reload()
    page.fill("#id_served_on", "2026-10-13")
    page.select_option("#id_method", "direct")
    page.fill("#id_receiver", "张三")
    page.get_by_role("button", name="登记送达").click()
    page.wait_for_selector("text=已登记送达")
    order.refresh_from_db()
    assert order.served_on == date(2026, 10, 13) and order.deadline == date(2026, 11, 12)
    assert "2026-11-12（送达后30日）" in page.locator("dl.props").inner_text()
    shot(page, f"{DIR}/04-order-served")

    # The enterprise's own user reports, on a phone, with a photo.
    clock.set(date(2026, 11, 5))
    enterprise_user(staff, enterprise, "hengxin")
    phone = new_context_page(browser, live_server, phone=True)
    log_in(phone, "hengxin")
    phone.goto("/core/todo/")
    assert order.number in main_text(phone) and fits(phone)
    shot(phone, f"{DIR}/todo-enterprise-375")
    phone.goto(order.get_absolute_url())
    assert fits(phone)
    shot(phone, f"{DIR}/05-enterprise-order-375")
    links = {a.get_attribute("href") for a in phone.locator("main a[href^='/']").all()}
    broken = {href: phone.request.get(href).status for href in links}
    assert all(status == 200 for status in broken.values()), broken  # every link the enterprise is shown opens
    phone.fill("#id_text", "已补齐3个批次的出厂检验记录，建立进货台帐并逐批登记。")
    phone.fill("#id_completed_on", "2026-11-04")
    photo = tmp_path / "整改后台帐.png"
    photo.write_bytes(png_bytes((320, 240)))
    phone.set_input_files("#id_files", str(photo))
    phone.get_by_role("button", name="提交整改报告").click()
    phone.wait_for_selector("text=整改报告已提交")
    order.refresh_from_db()
    assert order.status == RectificationOrder.Status.REPORTED
    assert "整改后台帐.png" in main_text(phone) and fits(phone)
    shot(phone, f"{DIR}/06-enterprise-reported-375")
    phone.context.close()

    # The county dispatches the revisit (two inspectors), which the inspector then finds in their to-do.
    inspector_user = User.objects.create_user(
        "weidu-jc", password=PASSWORD, role=User.Role.INSPECTOR, org_unit=staff.org_unit, display_name="王检查"
    )
    me = make_inspector(user=inspector_user, name="王检查")
    other = make_inspector(name="赵协查")
    clock.set(date(2026, 11, 6))
    page.goto("/core/todo/")
    assert order.number in main_text(page)
    shot(page, f"{DIR}/todo-county-staff")
    page.goto(order.get_absolute_url())
    page.select_option("#id_inspectors", [str(me.pk), str(other.pk)])
    page.fill("#id_due_date", "2026-11-20")
    shot(page, f"{DIR}/07-revisit-dispatch")
    page.get_by_role("button", name="派发复查").click()
    page.wait_for_url("**/followup/revisits/*/")
    shot(page, f"{DIR}/08-revisit-dispatched")

    clock.set(None)
    phone = new_context_page(browser, live_server, phone=True)
    log_in(phone, "weidu-jc")
    phone.goto("/core/todo/")
    assert enterprise.name in main_text(phone) and fits(phone)
    shot(phone, f"{DIR}/todo-inspector-375")
    revisit = order.revisits.get()
    phone.goto(revisit.get_absolute_url())
    phone.get_by_role("link", name="填写复查记录").click()
    phone.wait_for_url(f"**/inspections/{revisit.record.pk}/fill/")
    phone.fill("#id_inspection_date", "2026-11-27")
    items = list(revisit.record.checked_items())
    assert sorted(i.number for i in items) == ["6", "7"]  # only the failed items are re-answered
    for item in items:
        card = phone.locator(f"#item-{item.pk}")
        if item.options:
            card.locator(f"label.choice:has(input[name^=option][value='{passing_option(item)}'])").click()
        card.locator("fieldset.conclusion label.choice", has_text="符合").first.click()
    phone.fill("#id_problems_summary", "复查：出厂检验记录已补齐，进货台帐已建立并登记。")
    phone.wait_for_selector("#autosave-status:has-text('草稿已自动保存')")
    for form in phone.locator("form.sign-form").all():
        if form.locator("input[name=signer]").count():
            form.locator("input[name=signer]").fill("张三")
        draw_signature(phone, form.locator("canvas"))
        form.locator("button[type=submit]").click()
        phone.wait_for_selector(".messages .msg-success")
    assert fits(phone)
    shot(phone, f"{DIR}/09-revisit-fill-375")
    phone.click("button[value=finish]")
    phone.wait_for_selector("text=已完成 · 已锁定")
    phone.context.close()

    order.refresh_from_db()
    assert order.status == RectificationOrder.Status.CLOSED
    assert set(Problem.objects.filter(record=record).values_list("status", flat=True)) == {"closed"}
    page.goto(order.get_absolute_url())
    assert "已关闭" in page.locator(".toolbar .badge").inner_text()
    shot(page, f"{DIR}/10-order-closed")
    page.goto(revisit.get_absolute_url())
    assert "本次复查确认已整改" in main_text(page)
    shot(page, f"{DIR}/11-revisit-corrected")

    # The printed 责令改正通知书 and 送达回证, looked at as images.
    pdf_pages = print_pdf(page, f"/followup/orders/{order.pk}/pdf/", "order")
    assert (
        len(pdf_pages) == 2
    )  # the notice on one sheet (its last line used to spill onto a sheet of its own), the receipt


def print_pdf(page, url, name):
    response = page.request.get(url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    folder = SCREENSHOTS / DIR
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(response.body())
    for old in folder.glob(f"{name}-pdf-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(folder / f"{name}-pdf")], check=True)
    return sorted(folder.glob(f"{name}-pdf-*.png"))


def test_a_problem_escalates_to_revocation(page, browser, live_server, login, shot, clock):
    staff = login(page, User.Role.COUNTY_STAFF, "xuchang-weidu", display_name="李科员")
    enterprise = make_enterprise(name="许昌市魏都区宏达水泥有限公司")
    license = enterprise.licenses.get()
    record = failed_record(staff, enterprise=enterprise, day=date(2026, 5, 29))
    crew = [make_inspector(name="王检查"), make_inspector(name="赵协查")]

    clock.set(date(2026, 6, 1))
    order = services.issue_order(
        enterprise=enterprise,
        unit=enterprise.supervising_unit,
        by=staff,
        source_kind=RectificationOrder.SourceKind.INSPECTION,
        source_label="日常检查（2026-05-29）",
        problems=Problem.objects.filter(record=record),
        source_record=record,
    )
    clock.set(date(2026, 6, 2))
    services.serve_order(order, by=staff, served_on=date(2026, 6, 2), method="direct", receiver="张三")
    clock.set(date(2026, 7, 6))
    revisit = services.dispatch_revisit(order, by=staff, inspectors=crew, due_date=date(2026, 7, 10))
    finish_revisit(revisit, staff, corrected={"6": False, "7": True}, day=date(2026, 7, 8))

    # The revisit found item 6 persisting: the system proposes 停产整顿; a person confirms it with a reason.
    clock.set(date(2026, 7, 13))
    page.goto(order.get_absolute_url())
    escalation = order.escalations.get()
    panel = page.locator(f"#escalation-{escalation.pk}")
    assert "责令停产整顿" in panel.inner_text() or "停产整顿" in panel.inner_text()
    shot(page, f"{DIR}/20-persisting-stoppage-proposed")
    panel.get_by_role("button", name="确认升级").click()
    assert page.locator(f"#escalation-{escalation.pk} .form-error, #escalation-{escalation.pk} .errorlist").count()
    page.locator(f"#escalation-{escalation.pk} textarea[name=reason]").first.fill(
        "复查发现出厂检验记录仍不全，企业整改不到位，依法责令停产整顿。"
    )
    page.locator(f"#escalation-{escalation.pk}").get_by_role("button", name="确认升级").click()
    page.wait_for_selector("text=已确认升级")
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.CONFIRMED and escalation.result_order
    stoppage = escalation.result_order
    shot(page, f"{DIR}/21-stoppage-confirmed")

    # The 停产整顿 order: served in the page, its re-check dispatched in the page, found persisting.
    clock.set(date(2026, 7, 14))
    page.goto(stoppage.get_absolute_url())
    page.fill("#id_served_on", "2026-07-14")
    page.fill("#id_receiver", "张三")
    page.get_by_role("button", name="登记送达").click()
    page.wait_for_selector("text=已登记送达")
    stoppage.refresh_from_db()
    assert stoppage.measure == RectificationOrder.Measure.STOPPAGE and stoppage.deadline.year == 2026
    shot(page, f"{DIR}/22-stoppage-order-served")
    clock.set(stoppage.deadline)
    page.reload()
    page.select_option("#id_inspectors", [str(i.pk) for i in crew])
    page.fill("#id_due_date", stoppage.revisit_due.isoformat())
    page.get_by_role("button", name="派发复查").click()
    page.wait_for_url("**/followup/revisits/*/")
    recheck = stoppage.revisits.get()
    finish_revisit(recheck, staff, corrected={"6": False}, day=stoppage.deadline)

    # The re-check persisting: a revocation proposal to confirm; the license is unchanged until the decision.
    clock.set(None)
    page.goto(stoppage.get_absolute_url())
    revoke = stoppage.escalations.get()
    assert revoke.kind == Escalation.Kind.REVOCATION
    shot(page, f"{DIR}/23-recheck-persisting-revoke-proposed")
    panel = page.locator(f"#escalation-{revoke.pk}").inner_text()
    assert "二(四)" in panel and "第五十四条" not in panel  # its own ground, not the failed-test one
    phone = new_context_page(browser, live_server, phone=True)
    log_in(phone, staff.username)
    phone.goto(stoppage.get_absolute_url())
    assert fits(phone)
    shot(phone, f"{DIR}/23-recheck-persisting-revoke-proposed-375")
    page.locator(f"#escalation-{revoke.pk} textarea[name=reason]").first.fill("停产整顿期满复查仍不具备生产条件。")
    page.locator(f"#escalation-{revoke.pk}").get_by_role("button", name="确认升级").click()
    page.wait_for_selector("text=已确认升级")
    proposal = LicenseDecisionProposal.objects.get(license=license)
    assert proposal.kind == LicenseDecisionProposal.Kind.REVOKE
    shot(page, f"{DIR}/24-revoke-escalation-confirmed")

    page.goto(proposal.get_absolute_url())
    shot(page, f"{DIR}/25-proposal-to-confirm")
    phone.goto(proposal.get_absolute_url())
    assert fits(phone)
    shot(phone, f"{DIR}/25-proposal-to-confirm-375")
    phone.context.close()
    page.get_by_role("button", name="确认并报市局").click()
    page.wait_for_load_state()
    license.refresh_from_db()
    assert license.status == "valid"

    city = new_context_page(browser, live_server)
    User.objects.create_user(
        "xc-city", password=PASSWORD, role=User.Role.CITY_ADMIN, org_unit=staff.org_unit.parent, display_name="王处长"
    )
    log_in(city, "xc-city")
    city.goto("/core/todo/")
    assert enterprise.name in main_text(city)
    shot(city, f"{DIR}/todo-city-admin")
    city.goto(proposal.get_absolute_url())
    city.get_by_role("button", name="转报许可机关").click()
    city.wait_for_load_state()
    city.get_by_role("link", name="录入许可机关的决定").click()
    city.fill("#id_number", "豫市监许吊〔2026〕3号")
    city.fill("#id_date", timezone.localdate().isoformat())  # the server's today (Beijing): not before the forwarding
    city.select_option("#id_outcome", "granted")
    city.fill("#id_authority", "河南省市场监督管理局")
    license.refresh_from_db()
    assert license.status == "valid"  # forwarded, not yet decided: the license is as it was
    shot(city, f"{DIR}/26-decision-form")
    city.locator("main button[type=submit]").click()
    city.wait_for_url(f"**{proposal.get_absolute_url()}")
    proposal.refresh_from_db()
    license.refresh_from_db()
    assert proposal.status == LicenseDecisionProposal.Status.DECIDED and license.status == "revoked"
    assert "豫市监许吊〔2026〕3号" in main_text(city)
    shot(city, f"{DIR}/27-decision-recorded")
    city.context.close()


def test_interview_record_printed(page, login, shot):
    staff = login(page, User.Role.COUNTY_STAFF, "xuchang-weidu", display_name="李科员")
    colleague = User.objects.create_user(
        "weidu-2", password=PASSWORD, role=User.Role.COUNTY_STAFF, org_unit=staff.org_unit, display_name="周科员"
    )
    record = failed_record(staff, enterprise=make_enterprise(name="许昌市魏都区恒信水泥有限公司"))
    at = timezone.make_aware(datetime(2026, 11, 20, 10))
    interview = interviews.notify(
        record.enterprise,
        staff,
        reason="出厂检验记录不全，逾期未整改",
        notice_date=date(2026, 11, 16),
        scheduled_at=at,
        place="魏都区市场监管局二楼会议室",
        officials=[staff, colleague],
        problems=list(record.problems.all()),
    )
    interviews.hold(
        interview,
        staff,
        attendee_kind=Interview.Attendee.LEGAL_REP,
        attendee_name="张三",
        record="问：你是否清楚本次约谈的原因？\n答：清楚，是出厂检验记录不全。\n问：何时整改完毕？\n答：两周内补齐。",
        attendee_signed=True,
        commitments=[("补齐出厂检验记录", None), ("报送整改报告", date(2026, 12, 21))],
    )
    page.goto(f"/followup/interviews/{interview.pk}/")
    shot(page, f"{DIR}/30-interview")
    # A short interview prints on one sheet: its signature lines used to fall alone onto a second one.
    assert len(print_pdf(page, f"/followup/interviews/{interview.pk}/record.pdf", "interview")) == 1
