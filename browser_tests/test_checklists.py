"""Checklists as a city admin edits them (draft, htmx rows, an error at the field, preview, publish) at desktop and
375 px, and the printed 000 and 003 forms as images beside the seed tables (var/screenshots/print/)."""

import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from postlicense.core.models import User
from postlicense.inspections import services
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.tests.factories import make_enterprise, make_inspector
from postlicense.inspections.tests.helpers import all_conforming, fill_and_sign

PRINTS = Path(__file__).resolve().parent.parent / "var" / "screenshots" / "print"


@pytest.fixture(autouse=True)
def media(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_city_admin_edits_previews_and_publishes_a_checklist(page, login, shot):
    login(page, User.Role.CITY_ADMIN, "xuchang")
    page.locator(".sidenav").get_by_text("检查表").click()
    card = page.locator(".checklist-card", has_text="“双随机一公开”监督检查表")
    assert "当前版本" in card.inner_text()
    shot(page, "checklist-list")
    card.get_by_role("button", name="新建草稿版本").click()
    page.wait_for_url("**/edit/")

    item12 = page.locator(".editor-item", has=page.locator("textarea", has_text="其他需要检查的项目"))
    item12.locator("textarea").fill("其他需要检查的项目（含产品实施细则要求）。")
    item12.locator("input[name$=-conclusions]").fill("符合、不符合、不适用")
    item12.get_by_role("button", name="添加选项").click()
    expect(item12.locator(".option-row")).to_have_count(1)  # item 12 has no options in the seed
    option = item12.locator(".option-row").last
    option.locator("input[name$=-label]").fill("已检查")
    option.locator("input[name$=-allowed]").fill("合格")  # not one of the item's conclusions
    page.get_by_role("button", name="添加检查项").click()
    expect(page.locator(".editor-item")).to_have_count(13)
    new_item = page.locator(".editor-item").last
    new_item.locator("textarea").fill("是否建立产品质量安全追溯制度")
    new_item.locator("input[name$=-conclusions]").fill("符合、不符合")
    page.get_by_role("button", name="保存草稿").click()

    error = item12.locator(".errorlist")
    assert "允许的结论“合格”不在本项的单项检查结论（符合、不符合、不适用）中" in error.inner_text()
    assert new_item.locator("textarea").input_value() == "是否建立产品质量安全追溯制度"  # nothing typed is lost
    shot(page, "checklist-edit-error")
    option.locator("input[name$=-allowed]").fill("符合")
    page.get_by_role("button", name="保存草稿").click()
    assert "草稿已保存" in page.locator(".messages").inner_text()
    shot(page, "checklist-edit")

    draft = services.current_template("random_check_003").template.versions.get(number=2)
    page.goto(f"/inspections/checklists/versions/{draft.pk}/")
    assert "是否建立产品质量安全追溯制度" in page.locator(".preview-fill").inner_text()
    frame = page.frame_locator("iframe.print-preview")
    assert "□有（□已处理 □未处理）" in frame.locator("body").inner_text()
    shot(page, "checklist-preview")

    page.goto(f"/inspections/checklists/versions/{draft.pk}/edit/")
    page.get_by_role("button", name="发布").click()
    page.wait_for_url("**/inspections/checklists/")
    assert "已发布" in page.locator(".messages").inner_text()
    assert services.current_template("random_check_003").number == 2
    assert services.current_template("random_check_003").items.get(number="13").text == "是否建立产品质量安全追溯制度"


def test_checklist_pages_fit_a_375px_phone(phone_page, login, shot):
    page = phone_page
    login(page, User.Role.CITY_ADMIN, "xuchang")
    page.goto("/inspections/checklists/")
    page.locator(".checklist-card", has_text="督查互查").get_by_role("button", name="新建草稿版本").click()
    page.wait_for_url("**/edit/")
    draft_url = page.url
    page.get_by_role("button", name="添加检查项").click()
    expect(page.locator(".editor-item")).to_have_count(7)
    page.locator(".editor-item").last.get_by_role("button", name="添加选项").click()
    expect(page.locator(".editor-item").last.locator(".option-row")).to_have_count(2)
    assert page_width(page) <= 375
    shot(page, "checklist-edit-375")
    for url, name in (
        ("/inspections/checklists/", "checklist-list-375"),
        (draft_url.replace("edit/", ""), "checklist-preview-375"),
    ):
        page.goto(url)
        assert page_width(page) <= 375, url
        shot(page, name)


def _record(code, kind, findings_for):
    enterprise = make_enterprise(name="许昌市建安区金鼎水泥制品有限责任公司")
    record = services.create_inspection(
        enterprise=enterprise,
        kind=kind,
        template_version=services.current_template(code),
        org_unit=enterprise.supervising_unit,
        inspectors=[make_inspector(name="王检查"), make_inspector(name="赵协查")],
        due_date=date.today() + timedelta(days=30),
    )
    return fill_and_sign(record, findings=findings_for(record), summary="出厂检验记录不全")


def test_printed_000_and_003_forms_as_images(page, login):
    """The PDFs as a user downloads them, rendered at 70 dpi for comparison with the seed tables."""
    login(page, User.Role.COUNTY_STAFF, "xuchang-weidu")

    def forms_003(record):
        findings = all_conforming(record)
        items = {i.number: i for i in record.template_version.items.all()}
        findings[items["6"].pk] = ("检验记录不全", "不符合", "缺3个批次")
        findings[items["10"].pk] = ("有（已处理）", "符合", "")
        return findings

    record_003 = _record("random_check_003", InspectionRecord.Kind.RANDOM_CHECK, forms_003)
    record_000 = _record(
        "patrol_000",
        InspectionRecord.Kind.CROSS_AUDIT,
        lambda r: {i.pk: ("否" if i.number == "6" else "是", "", "") for i in r.template_version.items.all()},
    )
    record_000 = services.save_draft(
        record_000,
        revision=record_000.revision,
        fields={
            "extra_values": {
                "due": "12",
                "done": "11",
                "sampled": "5",
                "overall": "材料基本齐全",
                "product": "通用硅酸盐水泥",
                "site_conclusion": "生产条件、检验条件符合发证要求；出厂检验记录不全，责令一个月内整改。",
            }
        },
    )
    folder = PRINTS
    folder.mkdir(parents=True, exist_ok=True)
    for record, name in ((record_000, "print-000"), (record_003, "print-003")):
        response = page.request.get(f"/inspections/{record.pk}/pdf/")
        assert response.headers["content-type"] == "application/pdf"
        pdf = folder / f"{name}.pdf"
        pdf.write_bytes(response.body())
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(folder / name)], check=True)
        pdf.unlink()
    assert (folder / "print-000-1.png").exists() and (folder / "print-003-1.png").exists()
