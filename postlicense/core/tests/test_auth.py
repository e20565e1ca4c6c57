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


def test_one_address_is_locked_across_accounts_so_it_cannot_lock_every_staff_login(client, make_user):
    """Issue 11 item 8: failures are counted per address across accounts (AXES_LOCKOUT_PARAMETERS has ip_address):
    after the limit on as many different <org>-staff names, the address is refused even with a right password,
    and the accounts themselves stay open from other addresses."""
    victims = [make_user() for _ in range(settings.AXES_FAILURE_LIMIT)]
    for victim in victims:
        client.post("/login/", {"username": victim.username, "password": "wrong"}, REMOTE_ADDR="10.6.6.6")
    other = make_user()
    refused = client.post("/login/", {"username": other.username, "password": "pw"}, REMOTE_ADDR="10.6.6.6")
    assert refused.status_code == 429 and "锁定" in refused.content.decode()
    fine = client.post("/login/", {"username": victims[0].username, "password": "pw"}, REMOTE_ADDR="10.7.7.7")
    assert fine.status_code == 302 and fine.url == "/"


def test_one_password_sprayed_over_all_accounts_stops_at_the_limit(client, make_user):
    users = [make_user() for _ in range(settings.AXES_FAILURE_LIMIT + 3)]
    statuses = [
        client.post("/login/", {"username": u.username, "password": "demo-2026"}, REMOTE_ADDR="10.8.8.8").status_code
        for u in users
    ]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(statuses[settings.AXES_FAILURE_LIMIT :]) == {429}


def test_a_successful_login_does_not_clear_the_address_count(client, make_user):
    """AXES_RESET_ON_SUCCESS is off: one known password must not reset a spraying address's failures."""
    sprayed, own = [make_user() for _ in range(settings.AXES_FAILURE_LIMIT - 1)], make_user()
    for u in sprayed:
        client.post("/login/", {"username": u.username, "password": "wrong"}, REMOTE_ADDR="10.5.5.5")
    client.post("/login/", {"username": own.username, "password": "pw"}, REMOTE_ADDR="10.5.5.5")
    client.post("/logout/")
    client.post("/login/", {"username": sprayed[0].username, "password": "wrong"}, REMOTE_ADDR="10.5.5.5")
    locked = client.post("/login/", {"username": own.username, "password": "pw"}, REMOTE_ADDR="10.5.5.5")
    assert locked.status_code == 429
