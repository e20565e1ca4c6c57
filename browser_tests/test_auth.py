"""Authentication as a user sees it (issue 11 items 8 and 9): two-factor enrolment and verification, and a city
admin's user management, on a 375 px phone: no page scrolling sideways, no CSP violation, Chinese throughout."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from postlicense.core.models import OrgUnit, User

PASSWORD = "pw-123456"


def fits_375(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def watch_csp(page):
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    return violations


def code(device):
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password_login(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


@pytest.fixture
def city_admin(transactional_db):
    return User.objects.create_user(
        "xuchang-boss",
        password=PASSWORD,
        role=User.Role.CITY_ADMIN,
        org_unit=OrgUnit.objects.get(code="xuchang"),
        display_name="王市长",
    )


def test_two_factor_enrolment_recovery_codes_and_next_login(phone_page, city_admin, settings, shot):
    settings.REQUIRE_2FA = True
    page, violations = phone_page, watch_csp(phone_page)
    password_login(page, city_admin.username)
    page.wait_for_url("**/core/2fa/enrol/**")
    assert page.locator("img.otp-qr").evaluate("img => img.naturalWidth") > 0  # the data: SVG is allowed and drawn
    assert fits_375(page)
    shot(page, "375/2fa-enrol")

    page.fill("#id_token", "123")
    page.click("main button[type=submit]")
    assert "动态口令不正确" in page.locator(".errorlist").inner_text()

    page.wait_for_timeout(1100)  # django-otp throttles: after one wrong code the next is taken a second later
    device = TOTPDevice.objects.get(user=city_admin)
    page.fill("#id_token", code(device))
    page.click("main button[type=submit]")
    page.wait_for_selector(".recovery-codes")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and "只显示这一次" in page.locator("main").inner_text()
    assert fits_375(page)
    shot(page, "375/2fa-recovery-codes")
    page.get_by_text("我已保存，继续").click()
    page.wait_for_url(re.compile(r"/$"))
    assert "工作台" in page.locator("main").inner_text()

    page.locator("form[action='/logout/'] button").click()
    password_login(page, city_admin.username)
    page.wait_for_url("**/core/2fa/?next=**")
    assert fits_375(page)
    shot(page, "375/2fa-verify")
    page.fill("#id_token", codes[0])
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert not violations


def test_city_admin_manages_users_on_a_phone(phone_page, city_admin, shot):
    page = phone_page
    password_login(page, city_admin.username)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/core/users/")
    assert "用户管理" in page.locator("h1").inner_text() and fits_375(page)
    page.get_by_text("新增用户").click()
    page.fill("#id_username", "weidu-zhao")
    page.fill("#id_display_name", "赵六")
    page.select_option("#id_role", "inspector")
    page.select_option("#id_org_unit", label="许昌市魏都区市场监督管理局")
    page.fill("#id_password1", "Zhjg-2026-safe")
    page.fill("#id_password2", "Zhjg-2026-other")
    page.click("main button[type=submit]")
    assert "两个密码不一致" in page.locator(".errorlist").inner_text()
    assert page.input_value("#id_display_name") == "赵六" and page.input_value("#id_username") == "weidu-zhao"
    assert fits_375(page)
    shot(page, "375/user-create-error")
    page.fill("#id_password1", "Zhjg-2026-safe")
    page.fill("#id_password2", "Zhjg-2026-safe")
    page.click("main button[type=submit]")
    page.wait_for_url("**/core/users/")
    assert "已新增用户 weidu-zhao" in page.locator(".messages").inner_text()
    row = page.locator("tr", has_text="weidu-zhao")
    row.get_by_role("button", name="停用").click()
    assert "已停用用户 weidu-zhao" in page.locator(".messages").inner_text()
    assert not User.objects.get(username="weidu-zhao").is_active
    assert fits_375(page)
    shot(page, "375/user-list")
