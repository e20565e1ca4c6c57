"""Inspections as users see them: an inspector fills and finishes a 003 record on a phone (autosave, photo, drawn
signatures, enterprise refusal), a locked record is amended, and the printed 一企两表 is looked at as an image."""

import subprocess
from datetime import date

import pytest

from postlicense.core.models import User
from postlicense.inspections import services
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.tests.factories import make_enterprise, make_inspector
from postlicense.inspections.tests.helpers import all_conforming, fill_and_sign, new_record, passing_option, png_bytes


@pytest.fixture(autouse=True)
def checklists(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def draw_signature(page, canvas):
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 18, y + (12 if step % 2 else -12))
    page.mouse.up()


def test_inspector_fills_and_finishes_a_record_on_a_phone(phone_page, login, shot, tmp_path):
    page = phone_page
    user = login(page, User.Role.INSPECTOR, "xuchang-weidu", display_name="王检查")
    me = make_inspector(user=user, name="王检查")
    record = new_record(inspectors=[me, make_inspector(name="赵协查")])
    page.goto("/")
    assert "我的待检查" in page.locator("main").inner_text()
    page.locator(".sidenav").get_by_text("我的检查").click()
    assert record.enterprise.name in page.locator("main").inner_text()
    shot(page, "inspection-my-inspections-375", full_page=False)
    page.get_by_text(record.enterprise.name).click()
    page.wait_for_url(f"**/inspections/{record.pk}/fill/")

    page.fill("#id_inspection_date", "2026-05-01")
    items = list(record.template_version.items.all())
    for item in items:
        card = page.locator(f"#item-{item.pk}")
        if item.options:
            card.locator(f"label.choice:has(input[name^=option][value='{passing_option(item)}'])").click()
        if item.conclusions:
            card.locator("fieldset.conclusion label.choice", has_text="符合").first.click()
    for row in record.equipment_checks.all():  # counted on site, as registered
        page.fill(f"input[name=eq-qty-{row.pk}]", str(row.registered_quantity))
    # Item 6: the record is incomplete → 不符合 (the conclusion will be computed as 不合格).
    item6 = next(i for i in items if i.number == "6")
    card6 = page.locator(f"#item-{item6.pk}")
    card6.locator("label.choice", has_text="检验记录不全").click()
    card6.locator("fieldset.conclusion label.choice.bad").click()
    card6.locator("textarea").fill("缺少3个批次的出厂检验记录")
    page.fill("#id_problems_summary", "出厂检验记录不全，缺少3个批次")
    assert page.inner_text("#fill-progress") == "已填 11 / 11 项"  # item 12 is free text
    page.wait_for_selector("#autosave-status:has-text('草稿已自动保存')")

    # Autosaved: a reload (a lost page) keeps everything typed.
    page.reload()
    assert page.input_value("#id_problems_summary") == "出厂检验记录不全，缺少3个批次"
    assert card6.locator("fieldset.conclusion input[value=不符合]").is_checked()

    # A text file pretending to be a photo is refused; a real photo is attached.
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"this is not a picture")
    card6.locator("input[accept='image/*,application/pdf']").set_input_files(str(fake))
    page.wait_for_selector(".messages .msg-error")
    assert "不是图片（JPEG/PNG/WebP）或 PDF" in page.locator(".messages").inner_text()
    photo = tmp_path / "现场.png"
    photo.write_bytes(png_bytes((320, 240)))
    card6.locator("input[capture]").set_input_files(str(photo))
    page.wait_for_selector(f"#item-{item6.pk} img.thumb")
    assert page.input_value("#id_problems_summary") == "出厂检验记录不全，缺少3个批次"

    # Finishing before signing names what is missing (the answers are saved meanwhile).
    page.click("button[value=finish]")
    errors = page.locator("#record-form .form-error").inner_text()
    assert "王检查 尚未签名" in errors and "企业拒绝签字" in errors
    assert card6.locator("fieldset.conclusion input[value=不符合]").is_checked()

    for form in page.locator("form.sign-form").all()[:2]:
        draw_signature(page, form.locator("canvas"))
        form.locator("button[type=submit]").click()
        page.wait_for_selector(".messages .msg-success")
    page.locator("details.refuse summary").click()
    page.locator("details.refuse button").click()
    assert "须如实记录拒绝情况" in page.locator(".messages").inner_text()
    page.locator("details.refuse summary").click()
    page.locator("details.refuse textarea").fill("法定代表人张三对结论有异议，拒绝签字")
    page.locator("details.refuse button").click()
    page.wait_for_selector("text=已记录企业拒绝签字")
    shot(page, "inspection-phone-form-375-full")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "inspection-phone-form-375", full_page=False)
    page.locator(f"#item-{item6.pk}").scroll_into_view_if_needed()
    shot(page, "inspection-phone-form-375-item6", full_page=False)

    page.click("button[value=finish]")
    page.wait_for_selector("text=已完成 · 已锁定")
    body = page.locator("main").inner_text()
    assert "已完成 · 已锁定" in body and "不合格" in body and "企业拒绝签字" in body
    record.refresh_from_db()
    assert record.status == "finished" and record.conclusion == "unqualified"
    assert record.problems.filter(status="open").count() == 1
    assert record.crew.exclude(signature="").count() == 2


def test_locked_record_is_changed_only_by_an_amendment(page, login, shot):
    user = login(page, User.Role.COUNTY_STAFF, "xuchang-weidu", display_name="李科员")
    record = services.finish(fill_and_sign(new_record()), by=user)
    page.goto(f"/inspections/{record.pk}/fill/")
    assert "已完成并锁定" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="更正").click()
    item4 = record.template_version.items.get(number="4")
    page.locator(f"#item-{item4.pk} label.choice", has_text="未标注").click()
    page.locator(f"#item-{item4.pk} fieldset.conclusion label.choice.bad").click()
    page.fill("#id_problems_summary", "部分批次包装未标注生产许可证编号")
    page.click("main button[type=submit]")
    assert page.locator("#id_reason:invalid").count() == 1  # no reason, no amendment (the server refuses it too)
    assert "/amend/" in page.url
    page.fill("#id_reason", "复核现场照片，发现包装袋未标注许可证编号")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/inspections/{record.pk}/")
    amendment = page.locator("section.amendment").inner_text()
    assert "李科员" in amendment and "复核现场照片" in amendment
    assert "检查项 › 4 › 单项检查结论" in amendment and "符合" in amendment and "不符合" in amendment
    assert "不合格" in page.locator("dl.props").first.inner_text()
    shot(page, "inspection-locked-with-amendment")


def test_printed_003_table_as_an_image(page, login, shot):
    user = login(page, User.Role.COUNTY_STAFF, "xuchang-weidu")
    enterprise = make_enterprise(name="许昌市建安区金鼎水泥有限公司")
    record = new_record(enterprise=enterprise, inspectors=[make_inspector(name="王明"), make_inspector(name="李强")])
    items = {i.number: i for i in record.template_version.items.all()}
    findings = all_conforming(record)
    findings[items["8"].pk] = ("否", "不符合", "压力试验机检定过期")
    enterprise.equipment.filter(is_measuring_instrument=True).update(
        calibration_due=date(2026, 3, 1)
    )  # as the register says
    findings[items["12"].pk] = ("", "", "持续保持获证条件")
    record = services.finish(fill_and_sign(record, findings, summary="8. 压力试验机检定证书已过期2个月"), by=user)
    assert record.conclusion == InspectionRecord.Conclusion.UNQUALIFIED
    page.goto(f"/inspections/{record.pk}/")
    screenshots = shot(page, "inspection-003-detail").parent
    response = page.request.get(f"/inspections/{record.pk}/pdf/")
    assert response.headers["content-type"] == "application/pdf"
    pdf = screenshots / "inspection-003.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(screenshots / "inspection-003-pdf")], check=True)
    pages = sorted(screenshots.glob("inspection-003-pdf-*.png"))
    assert len(pages) == 4  # 一式两份: record + key-equipment table, twice


def test_draft_typed_offline_is_kept_on_the_phone_and_uploaded_when_back_online(phone_page, login):
    page = phone_page
    user = login(page, User.Role.INSPECTOR, "xuchang-weidu")
    record = new_record(inspectors=[make_inspector(user=user), make_inspector()])
    page.goto(f"/inspections/{record.pk}/fill/")
    page.context.set_offline(True)
    page.fill("#id_problems_summary", "断网时填写的问题汇总")
    page.wait_for_selector("#autosave-status:has-text('网络中断')")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#autosave-status:has-text('草稿已自动保存')")
    record.refresh_from_db()
    assert record.problems_summary == "断网时填写的问题汇总"
    # The server unreachable (a dead zone), then the page is reopened: the draft kept on the phone is restored and sent.
    page.route("**/draft/", lambda route: route.abort())
    page.fill("#id_problems_summary", "第二次断网后填写")
    page.wait_for_selector("#autosave-status:has-text('网络中断')")
    page.unroute("**/draft/")
    page.goto(f"/inspections/{record.pk}/fill/")
    assert page.input_value("#id_problems_summary") == "第二次断网后填写"
    page.wait_for_selector("#autosave-status:has-text('草稿已自动保存')")
    record.refresh_from_db()
    assert record.problems_summary == "第二次断网后填写"


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_record_pages_fit_a_375px_phone_without_horizontal_scrolling(phone_page, login, shot):
    """Record detail was 606 px wide: its findings, equipment, problems and amendment tables now scroll in their
    own box. Checked on a finished record with a nonconformity, a problem and an amendment, and on its forms."""
    page = phone_page
    user = login(page, User.Role.COUNTY_STAFF, "xuchang-weidu")
    record = new_record(enterprise=make_enterprise(name="许昌市建安区金鼎水泥制品有限责任公司第二分厂"))
    findings = all_conforming(record)
    item6 = record.template_version.items.get(number="6")
    findings[item6.pk] = ("检验记录不全", "不符合", "出厂检验记录缺少3个批次的强度检验数据，检验报告未经检验员签字")
    record = services.finish(fill_and_sign(record, findings, summary="6. 出厂检验记录不全"), by=user)
    services.amend(record, by=user, reason="补充备注", fields={"problems_summary": "6. 出厂检验记录不全，缺3个批次"})
    for url, name in (
        (f"/inspections/{record.pk}/", "inspection-detail-375"),
        (f"/inspections/{record.pk}/amend/", "inspection-amend-375"),
        (f"/inspections/{new_record().pk}/fill/", "inspection-fill-375"),
        ("/inspections/", "inspection-list-375"),
        ("/inspections/new/", "inspection-new-375"),
    ):
        page.goto(url)
        assert page_width(page) <= 375, url
        shot(page, name)


def test_contradicting_answer_and_register_confirmation_on_the_phone_form(phone_page, login, shot):
    """003 附件 注2 at the item while typing (autosave), the nested 有（□已处理 □未处理） choice, and item 1's register
    disagreement confirmed with a note before finishing."""
    page = phone_page
    user = login(page, User.Role.INSPECTOR, "xuchang-weidu")
    record = fill_and_sign(new_record(inspectors=[make_inspector(user=user), make_inspector()]))
    items = {i.number: i for i in record.template_version.items.all()}
    page.goto(f"/inspections/{record.pk}/fill/")
    card10 = page.locator(f"#item-{items['10'].pk}")
    assert card10.locator(".choice-group .choice-parent").inner_text() == "有"
    assert card10.locator(".choice-group label.choice").all_inner_texts() == ["已处理", "未处理"]
    card1 = page.locator(f"#item-{items['1'].pk}")
    card1.locator("label.choice", has_text="不在有效期").click()
    card1.locator(".errorlist").wait_for()
    assert "检查记录为“不在有效期”，单项检查结论只能为“不符合”" in card1.locator(".errorlist").inner_text()
    card1.scroll_into_view_if_needed()
    shot(page, "inspection-contradiction-375", full_page=False)
    card1.locator("fieldset.conclusion label.choice.bad").click()
    page.fill("#id_problems_summary", "1. 许可证已过期")
    page.wait_for_selector("#autosave-status:has-text('草稿已自动保存')")
    assert card1.locator(".errorlist").count() == 0
    page.click("button[value=finish]")
    assert "而登记信息显示检查日期 2026-05-01 有效的生产许可证" in card1.locator(".errorlist").inner_text()
    card1.locator("input[name^=confirm-]").first.check()
    card1.locator("textarea[name^=confirm-note-]").fill("现场查看许可证正本，已于2026年4月被注销")
    page.click("button[value=finish]")
    page.wait_for_selector("text=已完成 · 已锁定")
    assert "已核实登记信息差异：现场查看许可证正本" in page.locator("table.findings").inner_text()


def test_dispatch_offers_only_the_checklists_of_the_chosen_kind(page, login):
    login(page, User.Role.COUNTY_STAFF, "xuchang-weidu")
    page.goto("/inspections/new/")
    page.select_option("#id_kind", "patrol")
    offered = page.eval_on_selector_all("#id_template_version option:not([hidden])", "os => os.map(o => o.textContent)")
    assert [o for o in offered if o.strip("-")] == [
        "获证企业巡查记录（总局后续监管意见） 第1版（适用：巡查）",
        "获证企业巡查、回访记录（白城事中事后监管办法） 第1版（适用：巡查）",
        "生产企业现场生产条件检查表 第1版（适用：定期监督检查、不定期监督检查、巡查、专项检查、飞行检查、回访/复查）",
    ]
    page.select_option("#id_kind", "random_check")
    assert page.eval_on_selector("#id_template_version", "s => s.selectedOptions[0].textContent").startswith(
        "“双随机一公开”监督检查表"
    )


def test_cross_audit_sheet_is_filled_as_the_seed_has_it_on_a_phone(phone_page, login, shot):
    """000 督查互查 sheet: the counts first, 产品名称 under 现场检查情况, the six 是/否 items, then the free-text
    现场检查结论; no 问题汇总 and no enterprise signature: the two inspectors sign and the record finishes."""
    page = phone_page
    user = login(page, User.Role.INSPECTOR, "xuchang-weidu", display_name="王检查")
    me = make_inspector(user=user, name="王检查")
    record = new_record("patrol_000", inspectors=[me, make_inspector(name="赵协查")])
    page.goto(f"/inspections/{record.pk}/fill/")
    assert page_width(page) <= 375
    assert page.locator("#id_problems_summary").count() == 0 and page.locator("details.refuse").count() == 0
    last_item = record.template_version.items.order_by("-position").first()
    conclusion_box = page.locator("#extra-site_conclusion")
    assert conclusion_box.bounding_box()["y"] > page.locator(f"#item-{last_item.pk}").bounding_box()["y"]
    page.fill("#id_inspection_date", "2026-05-01")
    page.fill("#extra-due", "12")
    page.fill("#extra-product", "通用硅酸盐水泥")
    for item in record.template_version.items.all():
        page.locator(f"#item-{item.pk} label.choice:has(input[value='是'])").click()
    for row in record.equipment_checks.all():
        page.fill(f"input[name=eq-qty-{row.pk}]", str(row.registered_quantity))
    conclusion_box.fill("现场检查各项均符合要求。")
    page.wait_for_selector("#autosave-status:has-text('草稿已自动保存')")
    forms = page.locator("form.sign-form").all()
    assert len(forms) == 2  # the inspectors only
    for form in forms:
        draw_signature(page, form.locator("canvas"))
        form.locator("button[type=submit]").click()
        page.wait_for_selector(".messages .msg-success")
    shot(page, "inspection-000-fill-375")
    page.click("button[value=finish]")
    page.wait_for_selector("text=已完成 · 已锁定")
    body = page.locator("main").inner_text()
    assert "现场检查各项均符合要求。" in body and "问题汇总" not in body
    assert page_width(page) <= 375
    shot(page, "inspection-000-detail-375")
    record.refresh_from_db()
    assert record.status == "finished" and record.extra_values["site_conclusion"] == "现场检查各项均符合要求。"
