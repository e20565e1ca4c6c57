"""Supervision testing as users see it: a sampler fills the 抽样单 on a phone (offline draft kept and uploaded,
photo, drawn signatures), the test page on a desktop and at 375 px, and the printed 抽样单 looked at as an image."""

import subprocess
from datetime import date

import pytest
from test_inspections import draw_signature, page_width

from postlicense.core.models import User
from postlicense.inspections.tests.factories import make_inspector
from postlicense.supervision.tests.factories import make_world, new_test, reported, sampled
from postlicense.supervision.tests.test_notices_complaints import notice as make_notice
from postlicense.supervision.tests.test_notices_complaints import row


@pytest.fixture(autouse=True)
def media(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def test_sampler_fills_the_sampling_form_on_a_phone_with_an_offline_draft(phone_page, login, shot, tmp_path):
    page = phone_page
    user = login(page, User.Role.INSPECTOR, "xuchang-weidu", display_name="王抽样")
    world = make_world()
    world.samplers[0] = make_inspector(user=user, name="王抽样")
    order = new_test(world)
    page.goto("/")
    assert "待抽样" in page.locator("main").inner_text()
    page.goto(f"/supervision/{order.pk}/fill/")
    page.context.set_offline(True)
    page.fill("#id_seal_no", "许封-2026-318")
    page.wait_for_selector("#autosave-status:has-text('网络中断')")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#autosave-status:has-text('草稿已自动保存')")
    order.refresh_from_db()
    assert order.seal_no == "许封-2026-318"
    page.fill("#id_sampling_date", "2026-11-27")
    page.locator("label", has_text="企业成品仓库").click()
    page.check("#id_passed_factory_inspection")
    for field, value in (
        ("batch", "20261125-02"),
        ("batch_size", "500吨"),
        ("test_quantity", "12kg（2袋）"),
        ("reserve_quantity", "12kg（2袋）"),
        ("standard", "GB 175-2023"),
        ("specification", "P·O 42.5"),
        ("trademark", "豫星"),
        ("sealed_at", "2026-11-27T10:30"),
    ):
        page.fill(f"#id_{field}", value)
    page.wait_for_selector("#autosave-status:has-text('草稿已自动保存')")
    photo = tmp_path / "seal.png"
    from postlicense.inspections.tests.helpers import png_bytes

    photo.write_bytes(png_bytes((320, 240)))
    page.set_input_files("input[type=file]", str(photo))
    page.wait_for_selector("#photos + p img.thumb")
    for form in range(3):
        sign = page.locator("form.sign-form").nth(form)
        if form == 2:
            sign.locator("input[name=signer]").fill("王建国")
        draw_signature(page, sign.locator("canvas"))
        with page.expect_navigation():
            sign.locator("button.primary").click()
    assert page_width(page) <= 375
    shot(page, "supervision-sampling-form-375", full_page=False)
    shot(page, "supervision-sampling-form-375-full")
    with page.expect_navigation():
        page.locator("button[value=finish]").click()
    assert page.url.split("#")[0].endswith(f"/supervision/{order.pk}/")
    shot(page, "supervision-after-finish-375")
    order.refresh_from_db()
    assert order.status == "sampled" and order.sending_due == date(2026, 12, 4)


def test_the_test_page_on_a_desktop_and_a_phone_and_the_printed_form(page, phone_page, login, shot):
    login(page, User.Role.COUNTY_STAFF, "xuchang-weidu")
    login(phone_page, User.Role.COUNTY_STAFF, "xuchang-weidu")
    world = make_world()
    failed = reported(world, "unqualified", date(2026, 10, 9))
    fresh = sampled(world, date(2026, 11, 26))
    for p, suffix in ((page, "desktop"), (phone_page, "375")):
        p.goto(f"/supervision/{failed.pk}/")
        assert "登记告知企业" in p.locator("main").inner_text()
        shot(p, f"supervision-test-failed-{suffix}")
        p.goto(f"/supervision/{fresh.pk}/")
        shot(p, f"supervision-test-sampled-{suffix}")
        p.goto("/supervision/")
        shot(p, f"supervision-list-{suffix}")
    for url in (
        f"/supervision/{failed.pk}/",
        f"/supervision/{fresh.pk}/",
        "/supervision/",
        "/supervision/complaints/new/",
    ):
        phone_page.goto(url)
        assert page_width(phone_page) <= 375, url
    screenshots = shot(page, "supervision-test-desktop-last").parent
    pdf = screenshots / "supervision-sampling.pdf"
    pdf.write_bytes(page.request.get(f"/supervision/{fresh.pk}/pdf/").body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(pdf), str(screenshots / "supervision-sampling-pdf")], check=True
    )
    assert len(sorted(screenshots.glob("supervision-sampling-pdf-*.png"))) == 3


def test_a_notice_inspection_gets_its_crew_on_a_phone(phone_page, login, shot):
    """A linkage notice dispatches its targeted inspection without inspectors (总局后续监管意见 二(六)); the county
    finds it on the notice page, picks two inspectors on the 指派检查组 page at 375 px, and the record can be filled."""
    staff = login(phone_page, User.Role.COUNTY_STAFF, "xuchang-weidu")
    world = make_world()
    notice = make_notice(staff, [row(world.enterprise.credit_code)], received=date(2026, 11, 25))
    record = notice.entries.get().inspection
    phone_page.goto(f"/supervision/notices/{notice.pk}/")
    assert "待指派检查组" in phone_page.locator("main").inner_text()
    phone_page.click("a.button:has-text('指派检查组')")
    phone_page.wait_for_url(f"**/inspections/{record.pk}/crew/")
    assert page_width(phone_page) <= 375
    shot(phone_page, "supervision-notice-crew-375")
    phone_page.click("button[value=manual]")  # nobody picked: refused at the field, nothing saved
    assert "不少于2人" in phone_page.locator("main").inner_text()
    for inspector in world.samplers:
        phone_page.get_by_label(inspector.name, exact=False).check()
    phone_page.click("button[value=manual]")
    phone_page.wait_for_url(f"**/inspections/{record.pk}/")
    text = phone_page.locator("main").inner_text()
    assert "已指派检查组" in text and "填写检查记录" in text and "人工指派" in text
    assert page_width(phone_page) <= 375
    shot(phone_page, "supervision-notice-crew-assigned-375")
    assert {i.pk for i in record.inspectors.all()} == {i.pk for i in world.samplers}
