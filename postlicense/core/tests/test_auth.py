"""Login, lockout and sessions in Chinese (issue: foundation §4)."""

from django.conf import settings

from postlicense.core.models import User


def test_login_page_is_chinese(client, db):
    page = client.get("/login/").content.decode()
    assert "用户名" in page and "密码" in page and "登录" in page


def test_pages_require_login(client, db):
    assert client.get("/").url.startswith("/login/")


def test_wrong_password_gives_chinese_message(client, make_user):
    user = make_user()
    page = client.post("/login/", {"username": user.username, "password": "wrong"}).content.decode()
    assert "正确的" in page and "用户名" in page


def test_lockout_after_repeated_failures(client, make_user):
    user = make_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": user.username, "password": "wrong"})
    locked = client.post("/login/", {"username": user.username, "password": "pw"})
    assert locked.status_code == 429 and "锁定" in locked.content.decode()


def test_successful_login_shows_home_with_jurisdiction(client, make_user):
    user = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    response = client.post("/login/", {"username": user.username, "password": "pw"}, follow=True)
    page = response.content.decode()
    assert "工作台" in page and "411082" in page


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_logout_requires_post_and_ends_session(client, make_user):
    client.force_login(make_user())
    client.post("/logout/")
    assert client.get("/").status_code == 302
