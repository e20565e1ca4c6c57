"""Foundation as a user sees it: login (and its Chinese error), the home page per role."""

from postlicense.core.models import User


def test_login_page_and_wrong_password(page, shot, transactional_db):
    User.objects.create_user("zhangsan", password="right-pw-1", role=User.Role.COUNTY_STAFF)
    page.goto("/")
    assert "/login/" in page.url
    shot(page, "login")
    page.fill("#id_username", "zhangsan")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    error = page.locator(".form-error")
    assert "用户名" in error.inner_text()
    assert page.input_value("#id_username") == "zhangsan"
    shot(page, "login-error")


def test_home_as_county_staff(page, login, shot):
    login(page, User.Role.COUNTY_STAFF, "xuchang-weidu", display_name="李四")
    body = page.locator("main").inner_text()
    assert "工作台" in body and "411002" in body
    assert page.locator(".sidenav").get_by_text("监管部门").is_visible()
    shot(page, "home-county-staff")
    page.locator(".sidenav").get_by_text("监管部门").click()
    assert page.locator("table.list tbody tr").count() == 1


def test_home_as_city_admin(page, login, shot):
    login(page, User.Role.CITY_ADMIN, "xuchang", display_name="王五")
    assert "4110" in page.locator("main").inner_text()
    shot(page, "home-city-admin")
    page.locator(".sidenav").get_by_text("监管部门").click()
    assert page.locator("table.list tbody tr").count() == 7


def test_working_day_calculator(page, login, shot):
    login(page)
    page.goto("/core/calendar/?year=2023")
    page.fill("input[name=start]", "2023-09-25")
    page.fill("input[name=n]", "20")
    page.get_by_role("button", name="计算").click()
    page.wait_for_selector("#calc-result strong")
    assert "2023年10月27日" in page.inner_text("#calc-result")
    shot(page, "calendar")


def test_api_docs_render_from_our_own_static_files(page, live_server, shot, login):
    """/api/v1/docs/ was blank: Swagger UI came from a CDN that the CSP blocks (now drf-spectacular-sidecar).
    The docs are for bureau staff (issue 11 item 10)."""
    errors, elsewhere = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request", lambda request: None if request.url.startswith(live_server.url) else elsewhere.append(request.url)
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "(window.cspViolations = window.cspViolations || []).push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    login(page)
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 3
    assert "/api/v1/enterprises/" in page.locator("#swagger-ui").inner_text()
    assert page.evaluate("window.cspViolations || []") == []
    assert errors == [] and elsewhere == []
    shot(page, "api-docs")
