"""No lost updates (issue 11 item 3) as two people see it: 乙 and 甲 open the same enterprise; 乙 saves first; 甲's
save (on a phone, 375 px) is refused naming 乙's change, with what 甲 typed still in the form; saving again keeps
甲's values."""

from postlicense.core.models import User
from postlicense.registry.models import Enterprise
from postlicense.registry.tests.conftest import make_enterprise  # noqa: F401  (fixture)


def test_two_pages_editing_one_enterprise(page, phone_page, login, shot, make_enterprise):  # noqa: F811
    enterprise = make_enterprise("xuchang-weidu", name="魏都并发水泥有限公司")
    url = f"/registry/enterprises/{enterprise.pk}/edit/"
    login(phone_page, User.Role.COUNTY_STAFF, "xuchang-weidu", username="jia", display_name="甲")
    login(page, User.Role.COUNTY_STAFF, "xuchang-weidu", username="yi", display_name="乙")
    phone_page.goto(url)
    page.goto(url)

    page.select_option("#id_risk_level", "high")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/registry/enterprises/{enterprise.pk}/")

    phone_page.fill("#id_phone", "0374-5550001")
    phone_page.fill("#id_notes", "甲核实的新电话")
    phone_page.get_by_role("button", name="保存").click()
    error = phone_page.locator(".form-error")
    error.wait_for()
    assert "保存未成功：在您编辑期间，乙（" in error.inner_text()
    assert "风险等级：高风险 → 低风险" in error.inner_text()
    assert phone_page.input_value("#id_phone") == "0374-5550001"
    assert phone_page.input_value("#id_notes") == "甲核实的新电话"
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone_page, "375/stale-save-refused")
    enterprise.refresh_from_db()
    assert (enterprise.risk_level, enterprise.phone) == ("high", "")

    # 甲 keeps 乙's risk level this time, then saves again from the same page.
    phone_page.select_option("#id_risk_level", "high")
    phone_page.get_by_role("button", name="保存").click()
    phone_page.wait_for_url(f"**/registry/enterprises/{enterprise.pk}/")
    saved = Enterprise.objects.get(pk=enterprise.pk)
    assert (saved.risk_level, saved.phone, saved.notes) == ("high", "0374-5550001", "甲核实的新电话")
