"""The register as a user sees it: the filtered enterprise list (pinyin initials), an enterprise's quality
archive with license badges and an edit in its timeline, and the import error report for a file with bad rows."""
import pytest
from django.apps import apps

from postlicense.core.models import User
from postlicense.registry.catalogue_data import load_catalogue
from postlicense.registry.models import Enterprise, License
from postlicense.registry.selectors import EnterpriseFilter, enterprise_list, expiring_q
from postlicense.registry.tests.conftest import good_row, xlsx_bytes


@pytest.fixture
def register(transactional_db):
    load_catalogue(apps)
    apps.get_app_config("registry").load_demo(open("/dev/null", "w"))


def test_list_search_by_pinyin_initials_and_filter(page, login, shot, register):
    user = login(page, User.Role.CITY_ADMIN, "xuchang", display_name="王五")
    page.goto("/registry/enterprises/")
    assert page.locator("#results tbody tr").count() == 50
    expected = [e.name for e in enterprise_list(user, EnterpriseFilter(q="xcsn", risk_level="medium")).rows]
    assert expected
    page.fill("input[name=q]", "xcsn")
    page.select_option("select[name=risk_level]", "medium")
    page.wait_for_url("**risk_level=medium**")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === %d" % len(expected))
    names = page.locator("#results tbody tr td:first-child a").all_inner_texts()
    assert names == expected
    assert "q=xcsn" in page.get_attribute("#export-link", "href") or "q=xcsn" in page.url
    shot(page, "registry-list-xcsn")


def test_enterprise_archive_with_badges_and_an_edit_in_the_timeline(page, login, shot, register):
    login(page, User.Role.COUNTY_STAFF, "xuchang-changge", display_name="赵六")
    enterprise = License.objects.filter(expiring_q(), enterprise__region_id="411082").first().enterprise
    assert enterprise is not None
    page.goto(f"/registry/enterprises/{enterprise.pk}/")
    assert page.locator(".badge", has_text="即将到期").count() >= 1
    page.get_by_role("link", name="编辑企业信息").click()
    page.select_option("#id_risk_level", "high")
    page.fill("#id_phone", "0374-6666888")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/registry/enterprises/{enterprise.pk}/")
    timeline = page.locator("ul.timeline")
    assert "企业信息变更" in timeline.inner_text() and "风险等级" in timeline.inner_text()
    shot(page, "registry-enterprise-archive")
    timeline.get_by_role("link", name="企业信息变更").first.click()
    assert "变更历史" in page.locator("h1").inner_text()


def test_import_error_report_lists_every_bad_row(page, login, shot, transactional_db):
    load_catalogue(apps)
    login(page, User.Role.CITY_ADMIN, "xuchang", display_name="王五")
    bad_code = good_row(3)
    bad_code["统一社会信用代码"] = bad_code["统一社会信用代码"][:17] + ("1" if bad_code["统一社会信用代码"][17] != "1" else "2")
    rows = [good_row(1), good_row(2, 所在区县="火星区"), bad_code, good_row(4, 发证日期="2028-05-01", 有效期至="2023-05-01"),
            good_row(1, 企业名称="重复的企业", 许可证编号="豫XK08-001-00100"), good_row(6, 产品类别="月饼", 风险等级="极高")]
    page.goto("/registry/enterprises/")
    page.get_by_role("link", name="Excel 导入").click()
    page.set_input_files("input[type=file]", files=[{"name": "获证企业.xlsx", "mimeType": "application/octet-stream",
                                                     "buffer": xlsx_bytes(rows).getvalue()}])
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_selector("table.import-errors")
    report = page.locator("table.import-errors tbody tr")
    assert report.count() >= 6
    text = page.locator("table.import-errors").inner_text()
    for fragment in ("火星区", "校验码", "有效期至须晚于发证日期", "与第2行重复", "月饼", "极高"):
        assert fragment in text, fragment
    assert "没有写入任何数据" in page.locator("main").inner_text()
    assert not Enterprise.objects.exists()
    shot(page, "registry-import-errors")


def test_inspector_directory_shows_certificate_state(page, login, shot, register):
    apps.get_app_config("inspectors").load_demo(open("/dev/null", "w"))
    login(page, User.Role.CITY_ADMIN, "xuchang", display_name="王五")
    page.locator(".sidenav").get_by_text("执法人员").click()
    page.select_option("select[name=certificate]", "expired")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("table.list tbody tr")
    assert rows.count() >= 1 and rows.locator(".badge.bad", has_text="已过期").count() == rows.count()
    shot(page, "inspectors-expired-certificates")
