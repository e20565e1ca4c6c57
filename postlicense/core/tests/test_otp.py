"""Session limits and two-factor authentication (issue 11 item 8; 等保2.0 第三级 身份鉴别 and 会话超时)."""

import time

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from postlicense.core.middleware import ACTIVE_AT, LOGIN_AT, session_end_reason
from postlicense.core.models import AuditEntry, User


def code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def set_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


# --- idle timeout beside the 8-hour absolute limit -------------------------------------------------------------


def test_idle_timeout_defaults_to_30_minutes_beside_the_8_hour_limit():
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30 and settings.SESSION_COOKIE_AGE == 8 * 3600


def test_session_end_reason_idle_and_absolute():
    now = 1_000_000
    assert session_end_reason({LOGIN_AT: now - 60, ACTIVE_AT: now - 29 * 60}, now) is None
    assert "30 分钟未操作" in session_end_reason({LOGIN_AT: now - 3600, ACTIVE_AT: now - 30 * 60}, now)
    assert "8 小时" in session_end_reason({LOGIN_AT: now - 8 * 3600, ACTIVE_AT: now - 10}, now)


def test_idle_session_is_logged_out_with_a_chinese_message(client, make_user):
    client.force_login(make_user())
    set_session(client, **{ACTIVE_AT: int(time.time()) - 31 * 60})
    response = client.get("/registry/")
    assert response.status_code == 302 and response.url == "/login/?next=/registry/"
    page = client.get(response.url).content.decode()
    assert "30 分钟未操作" in page
    assert client.get("/").status_code == 302  # the session is over, not just this page


def test_activity_keeps_the_session_and_moves_the_idle_clock(client, make_user):
    client.force_login(make_user())
    before = int(time.time()) - 29 * 60
    set_session(client, **{ACTIVE_AT: before})
    assert client.get("/").status_code == 200
    assert client.session[ACTIVE_AT] > before


def test_activity_does_not_extend_the_absolute_limit(client, make_user):
    client.force_login(make_user())
    set_session(client, **{LOGIN_AT: int(time.time()) - 8 * 3600, ACTIVE_AT: int(time.time())})
    response = client.get("/", follow=True)
    assert "登录已满 8 小时" in response.content.decode()


def test_login_starts_both_clocks(client, make_user):
    user = make_user()
    client.post("/login/", {"username": user.username, "password": "pw"})
    assert abs(client.session[LOGIN_AT] - time.time()) < 5 and client.session[ACTIVE_AT] == client.session[LOGIN_AT]


def test_expired_htmx_request_redirects_the_whole_page(client, make_user):
    client.force_login(make_user())
    set_session(client, **{ACTIVE_AT: int(time.time()) - 3600})
    response = client.get("/core/calendar/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/login/")


# --- one-time passwords ------------------------------------------------------------------------------------------


@pytest.fixture
def require_2fa(settings):
    settings.REQUIRE_2FA = True


@pytest.fixture
def city_admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


def login(client, user):
    return client.post("/login/", {"username": user.username, "password": "pw"}, follow=True)


def enrolled(user):
    device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="恢复码")
    recovery.token_set.create(token="abcd2345")
    return device


def test_2fa_off_by_default_for_demo_and_tests(client, city_admin):
    assert settings.REQUIRE_2FA is False
    assert login(client, city_admin).redirect_chain[-1][0] == "/"


@pytest.mark.usefixtures("require_2fa")
def test_staff_without_admin_role_need_no_second_factor(client, make_user):
    assert login(client, make_user()).redirect_chain[-1][0] == "/"


@pytest.mark.usefixtures("require_2fa")
def test_city_admin_must_enrol_before_any_page(client, city_admin):
    page = login(client, city_admin)
    assert page.redirect_chain[-1][0].startswith("/core/2fa/enrol/")
    html = page.content.decode()
    assert "启用双因素认证" in html and 'src="data:image/svg+xml' in html
    assert client.get("/registry/").url == "/core/2fa/?next=/registry/"
    assert client.get("/api/v1/enterprises/").status_code == 302


@pytest.mark.usefixtures("require_2fa")
def test_superuser_must_give_a_second_factor_too(client, make_user):
    admin = make_user(User.Role.COUNTY_STAFF, None, is_superuser=True, is_staff=True)
    assert login(client, admin).redirect_chain[-1][0].startswith("/core/2fa/enrol/")


@pytest.mark.usefixtures("require_2fa")
def test_enrolment_confirms_with_a_code_and_shows_ten_recovery_codes_once(client, city_admin):
    login(client, city_admin)
    device = TOTPDevice.objects.get(user=city_admin, confirmed=False)
    response = client.post("/core/2fa/enrol/", {"token": code(device), "next": "/registry/"})
    assert "no-store" in response["Cache-Control"]  # the codes must not stay in the browser's cache
    page = response.content.decode()
    codes = list(StaticToken.objects.filter(device__user=city_admin).values_list("token", flat=True))
    assert len(codes) == 10 and all(c in page for c in codes) and "只显示这一次" in page
    assert 'href="/registry/"' in page
    assert TOTPDevice.objects.get(user=city_admin).confirmed
    [event] = AuditEntry.objects.filter(action=AuditEntry.Action.OTP_ENROL)
    assert event.actor == city_admin and event.changes == {"recovery_codes": 10}
    assert client.get("/").status_code == 200
    assert client.get("/core/2fa/enrol/").status_code == 302  # enrolled: the codes are not shown again


@pytest.mark.usefixtures("require_2fa")
def test_wrong_enrolment_code_is_refused_in_chinese_and_audited(client, city_admin):
    login(client, city_admin)
    page = client.post("/core/2fa/enrol/", {"token": "000000x"}).content.decode()
    assert "动态口令不正确" in page
    assert not TOTPDevice.objects.filter(user=city_admin, confirmed=True).exists()
    [event] = AuditEntry.objects.filter(action=AuditEntry.Action.OTP_FAILED)
    assert event.changes == {"kind": "enrol", "length": 7} and "000000x" not in str(event.changes)
    assert client.get("/").status_code == 302


@pytest.mark.usefixtures("require_2fa")
def test_enrolment_page_shows_the_same_key_until_confirmed(client, city_admin):
    login(client, city_admin)
    client.get("/core/2fa/enrol/")
    assert TOTPDevice.objects.filter(user=city_admin).count() == 1


@pytest.mark.usefixtures("require_2fa")
def test_enrolled_admin_verifies_after_the_password(client, city_admin):
    device = enrolled(city_admin)
    page = login(client, city_admin)
    assert page.redirect_chain[-1][0].startswith("/core/2fa/?next=") and "动态口令" in page.content.decode()
    assert client.post("/core/2fa/", {"token": code(device), "next": "/core/calendar/"}).url == "/core/calendar/"
    assert client.get("/").status_code == 200


@pytest.mark.usefixtures("require_2fa")
def test_wrong_code_is_refused_audited_and_then_throttled(client, city_admin):
    device = enrolled(city_admin)
    login(client, city_admin)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    assert "动态口令或恢复码不正确" in client.post("/core/2fa/", {"token": wrong}).content.decode()
    assert "错误次数过多" in client.post("/core/2fa/", {"token": code(device)}).content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.OTP_FAILED, actor=city_admin).count() == 1
    assert client.get("/").status_code == 302


@pytest.mark.usefixtures("require_2fa")
def test_recovery_code_works_once(client, city_admin):
    enrolled(city_admin)
    login(client, city_admin)
    assert client.post("/core/2fa/", {"token": "abcd2345"}).url == "/"
    [event] = AuditEntry.objects.filter(action=AuditEntry.Action.OTP_RECOVERY)
    assert event.changes == {"remaining": 0}
    client.post("/logout/")
    login(client, city_admin)
    assert "不正确" in client.post("/core/2fa/", {"token": "abcd2345"}).content.decode()


@pytest.mark.usefixtures("require_2fa")
def test_verify_next_goes_only_to_this_site_and_never_loops(client, city_admin):
    device = enrolled(city_admin)
    login(client, city_admin)
    assert client.post("/core/2fa/?next=https://evil.example/", {"token": code(device)}).url == "/"
    client.post("/logout/")
    assert client.get("/core/2fa/?next=/core/2fa/").status_code == 302  # not logged in: to the login page
    login(client, city_admin)
    TOTPDevice.objects.filter(user=city_admin).update(last_t=-1, throttling_failure_count=0)
    assert client.post("/core/2fa/", {"token": code(device), "next": "/core/2fa/"}).url == "/"


@pytest.mark.usefixtures("require_2fa")
def test_verified_user_is_not_asked_again_in_the_session(client, city_admin):
    device = enrolled(city_admin)
    login(client, city_admin)
    client.post("/core/2fa/", {"token": code(device)})
    assert client.get("/core/2fa/?next=/core/calendar/").url == "/core/calendar/"


@pytest.mark.usefixtures("require_2fa")
def test_api_basic_authentication_is_refused_to_accounts_that_need_a_second_factor(client, city_admin, make_user):
    """A password alone must not open the API to a city admin or superuser; other staff keep Basic authentication."""
    import base64

    def basic(user):
        return "Basic " + base64.b64encode(f"{user.username}:pw".encode()).decode()

    refused = client.get("/api/v1/enterprises/", HTTP_AUTHORIZATION=basic(city_admin))
    assert refused.status_code in (401, 403) and "双因素认证" in refused.json()["detail"]
    assert client.get("/api/v1/enterprises/", HTTP_AUTHORIZATION=basic(make_user())).status_code == 200
