import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from . import otp
from .audit import acting_as

LOGIN_AT, ACTIVE_AT = "postlicense_login_at", "postlicense_active_at"
# The activity time is written at most once a minute, not on every request (a session write each time).
ACTIVITY_RESOLUTION = 60


class AuditActorMiddleware:
    """Attributes audit entries written during a request to the logged-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(lambda: getattr(request, "user", None)):
            return self.get_response(request)


def session_end_reason(session, now):
    """Why a logged-in session is over (等保 三级 会话超时): 8 hours after login, or idle too long; None if it is not."""
    login_at, active_at = session.get(LOGIN_AT), session.get(ACTIVE_AT)
    if login_at is not None and now - login_at >= settings.SESSION_COOKIE_AGE:
        return f"登录已满 {settings.SESSION_COOKIE_AGE // 3600} 小时，请重新登录。"
    if active_at is not None and now - active_at >= settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
        return f"您已 {settings.SESSION_IDLE_TIMEOUT_MINUTES} 分钟未操作，为保护数据安全已自动退出，请重新登录。"
    return None


def _to(request, url):
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)


class SessionLimitsMiddleware:
    """Ends a session at its absolute or idle limit, and sends a user who must give a one-time password (REQUIRE_2FA)
    to that step before any other page. Django's session expiry alone cannot do both: saving the activity time
    would push the absolute limit on."""

    OPEN_PATHS = ("/core/2fa/", "/logout/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = int(time.time())
        if request.user.is_authenticated:
            reason = session_end_reason(request.session, now)
            if reason:
                logout(request)
                messages.warning(request, reason)
                login = redirect_to_login(request.get_full_path())
                return _to(request, login.url)
            if otp.needs_verification(request.user) and not request.path.startswith(self.OPEN_PATHS):
                login = redirect_to_login(request.get_full_path(), reverse("core:otp_verify"))
                return _to(request, login.url)
        response = self.get_response(request)
        if request.user.is_authenticated and now - request.session.get(ACTIVE_AT, 0) >= ACTIVITY_RESOLUTION:
            request.session[ACTIVE_AT] = now
        return response


def session_started(sender, request, user, **kwargs):
    """user_logged_in: the absolute limit counts from here (a login as the same user keeps the old session data)."""
    request.session[LOGIN_AT] = request.session[ACTIVE_AT] = int(time.time())
