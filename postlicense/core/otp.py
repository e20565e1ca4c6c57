"""Two-factor authentication (等保2.0 第三级 身份鉴别: two kinds of proof for administrators): when REQUIRE_2FA is
set, a superuser or city admin gives a time-based one-time password (django-otp TOTP, RFC 6238) after the password,
or one of ten single-use recovery codes (django-otp's static device) shown once at enrolment."""

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.authentication import BasicScheme
from rest_framework import authentication, exceptions

from .audit import record_event
from .models import AuditEntry, User

RECOVERY_CODES = 10
TOTP_NAME, RECOVERY_NAME = "动态口令", "恢复码"


def required_for(user):
    return settings.REQUIRE_2FA and user.is_authenticated and (user.is_superuser or user.role == User.Role.CITY_ADMIN)


def needs_verification(user):
    """Logged in with the password but not yet with a one-time password, where one is required."""
    return required_for(user) and not user.is_verified()


def confirmed_totp(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_totp(user):
    """The device being enrolled: the same key on every visit of the page until it is confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def qr_data_uri(device):
    """The otpauth:// address as an inline SVG (the CSP allows data: images, not third-party ones)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def _fail(user, kind, token):
    record_event(user, AuditEntry.Action.OTP_FAILED, user.username, target=user, kind=kind, length=len(token))


def _throttled(device):
    return device is not None and not device.verify_is_allowed()[0]


def confirm_enrolment(request, token):
    """The first code from the authenticator app confirms the pending device; returns the new recovery codes.

    The codes replace any earlier ones and are stored only as django-otp's tokens: the caller shows them once.
    A wrong code is refused before the transaction, so its audit entry and the throttle count stay written."""
    user, token = request.user, token.strip()
    device = pending_totp(user)
    if _throttled(device):
        raise ValidationError("错误次数过多，请稍后再试。", code="throttled")
    if not device.verify_token(token):
        _fail(user, "enrol", token)
        raise ValidationError("动态口令不正确，请核对手机时间后输入验证器中当前显示的 6 位数字。", code="invalid")
    with transaction.atomic():
        TOTPDevice.objects.devices_for_user(user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
        record_event(user, AuditEntry.Action.OTP_ENROL, user.username, target=user, recovery_codes=RECOVERY_CODES)
    otp_login(request, device)
    return codes


def verify(request, token):
    """Accept a current TOTP code or an unused recovery code (which is then used up) for the logged-in user."""
    user, token = request.user, token.strip()
    totp, recovery = confirmed_totp(user), StaticDevice.objects.filter(user=user).first()
    if _throttled(totp) or _throttled(recovery):
        raise ValidationError("错误次数过多，请稍后再试。", code="throttled")
    if totp is not None and totp.verify_token(token):
        otp_login(request, totp)
        return
    if recovery is not None and recovery.verify_token(token):
        if totp is not None:
            totp.throttle_reset()  # the recovery code was first tried as a TOTP code, which counted as a failure
        otp_login(request, recovery)
        record_event(
            user, AuditEntry.Action.OTP_RECOVERY, user.username, target=user, remaining=recovery.token_set.count()
        )
        return
    _fail(user, "verify", token)
    raise ValidationError("动态口令或恢复码不正确。", code="invalid")


class BasicAuthentication(authentication.BasicAuthentication):
    """The API's HTTP Basic authentication, refused to a user who must give a one-time password: a password alone
    would otherwise open the API to the accounts REQUIRE_2FA protects (they use the API from a verified session)."""

    def authenticate_credentials(self, userid, password, request=None):
        user, auth = super().authenticate_credentials(userid, password, request)
        if required_for(user):
            raise exceptions.AuthenticationFailed(
                "该账号须使用双因素认证，不能以 HTTP Basic 方式访问接口；请在浏览器中登录后使用。"
            )
        return user, auth


class BasicAuthenticationScheme(BasicScheme):
    """The API schema documents it as the plain HTTP Basic scheme it is."""

    target_class = BasicAuthentication
