"""The register as a user sees it: the filtered enterprise list (pinyin initials), an enterprise's quality
archive with license badges and an edit in its timeline, and the import error report for a file with bad rows."""

import pytest
from django.apps import apps

from postlicense.core.models import User
from postlicense.registry.models import Enterprise, License
from postlicense.registry.selectors import EnterpriseFilter, enterprise_list, expiring_q
from postlicense.registry.tests.conftest import good_row, xlsx_bytes


@pytest.fixture
def register(transactional_db):
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
    page.wait_for_function(f"document.querySelectorAll('#results tbody tr').length === {len(expected)}")
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
    login(page, User.Role.CITY_ADMIN, "xuchang", display_name="王五")
    bad_code = good_row(3)
    bad_code["统一社会信用代码"] = bad_code["统一社会信用代码"][:17] + (
        "1" if bad_code["统一社会信用代码"][17] != "1" else "2"
    )
    rows = [
        good_row(1),
        good_row(2, 所在区县="火星区"),
        bad_code,
        good_row(4, 发证日期="2028-05-01", 有效期至="2023-05-01"),
        good_row(1, 企业名称="重复的企业", 许可证编号="豫XK08-001-00100"),
        good_row(6, 产品类别="月饼", 风险等级="极高"),
    ]
    page.goto("/registry/enterprises/")
    page.get_by_role("link", name="Excel 导入").click()
    page.set_input_files(
        "input[type=file]",
        files=[
            {"name": "获证企业.xlsx", "mimeType": "application/octet-stream", "buffer": xlsx_bytes(rows).getvalue()}
        ],
    )
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


def test_downloads_keep_their_chinese_names(page, login, register):
    """Issue 10 §8: Chromium saved the exports and templates as 'export.xlsx' / 'template.xlsx' (RFC 6266 filename*)."""
    from django.utils import timezone

    apps.get_app_config("inspectors").load_demo(open("/dev/null", "w"))
    login(page, User.Role.CITY_ADMIN, "xuchang", display_name="王五")
    day = f"{timezone.localdate():%Y%m%d}"
    for url, link, name in [
        ("/registry/enterprises/", "导出当前结果（.xlsx）", f"获证企业名录-{day}.xlsx"),
        ("/inspectors/", "导出当前结果（.xlsx）", f"执法检查人员名录-{day}.xlsx"),
        ("/registry/import/enterprises/", "下载导入模板", "获证企业及许可证导入模板.xlsx"),
        ("/registry/import/inspectors/", "下载导入模板", "执法检查人员导入模板.xlsx"),
    ]:
        page.goto(url)
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        assert download.value.suggested_filename == name, url


def test_register_and_inspector_pages_fit_a_375px_phone(phone_page, login, shot, register):
    """Issue 10 §8: the enterprise list was 570 px wide; no register or inspector page scrolls sideways at 375 px."""
    from postlicense.core.jobs.models import Job
    from postlicense.inspectors.models import Inspector

    apps.get_app_config("inspectors").load_demo(open("/dev/null", "w"))
    user = login(phone_page, User.Role.CITY_ADMIN, "xuchang", display_name="王五")
    enterprise = (
        Enterprise.objects.filter(
            region__code__startswith="4110", equipment__calibration_due__isnull=False, licenses__isnull=False
        )
        .order_by("pk")
        .first()
    )
    lic, item = enterprise.licenses.first(), enterprise.equipment.filter(calibration_due__isnull=False).first()
    inspector = Inspector.objects.filter(org_unit__code__startswith="xuchang", avoid_enterprises__isnull=False).first()
    job = Job.objects.create(
        kind=Job.Kind.IMPORT_ENTERPRISES,
        filename="获证企业名录（第一批）.xlsx",
        created_by=user,
        status=Job.Status.INVALID,
        total=2,
        errors=[
            {
                "row": 3,
                "column": "统一社会信用代码",
                "message": "统一社会信用代码校验码错误，第18位应为「X」，实为「1」",
            }
        ],
    )
    pages = {
        "list": "/registry/enterprises/",
        "detail": enterprise.get_absolute_url(),
        "edit": f"/registry/enterprises/{enterprise.pk}/edit/",
        "license": f"/registry/enterprises/{enterprise.pk}/licenses/{lic.pk}/",
        "equipment": f"/registry/enterprises/{enterprise.pk}/equipment/{item.pk}/",
        "import": "/registry/import/enterprises/",
        "import-job": f"/registry/import-jobs/{job.pk}/",
        "inspectors": "/inspectors/",
        "inspector": inspector.get_absolute_url(),
        "inspector-edit": f"/inspectors/{inspector.pk}/edit/",
        "history": f"/core/history/registry.enterprise/{enterprise.pk}/",
    }
    for name, url in pages.items():
        phone_page.goto(url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        shot(phone_page, f"375-registry-{name}")
        assert width <= 375, f"{url}: {width} px"


def test_a_taken_credit_code_links_to_the_registered_enterprise(page, login, shot, register):
    """Issue 10 §7: a code already registered in the user's jurisdiction names and links the enterprise; the
    form keeps what was typed, and a wrong phone is explained at its field."""
    login(page, User.Role.COUNTY_STAFF, "xuchang-changge", display_name="赵六")
    holder = Enterprise.objects.filter(region_id="411082").order_by("pk").first()
    page.goto("/registry/enterprises/new/")
    page.fill("#id_name", "长葛新建重复水泥有限公司")
    page.fill("#id_credit_code", holder.credit_code.lower())
    page.fill("#id_legal_representative", "王五")
    page.fill("#id_phone", "6123456")
    page.fill("#id_address", "长葛市建设路1号")
    page.select_option("#id_region", "411082")
    page.select_option("#id_supervising_unit", label="长葛市市场监督管理局")
    page.select_option("#id_product_category", label="水泥")
    page.get_by_role("button", name="保存").click()
    assert "缺少区号" in page.locator("#id_phone ~ .errorlist").inner_text()
    link = page.locator(".errorlist a", has_text=holder.name)
    assert page.input_value("#id_name") == "长葛新建重复水泥有限公司"
    shot(page, "registry-taken-credit-code")
    link.click()
    page.wait_for_url(f"**{holder.get_absolute_url()}")
    assert not Enterprise.objects.filter(name="长葛新建重复水泥有限公司").exists()
