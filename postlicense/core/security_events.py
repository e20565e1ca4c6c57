"""Security events in the audit chain (等保2.0 安全审计): logins, failed logins, lockouts, logouts, password
changes and changes of a user's role, jurisdiction or permissions. Exports call audit.record_event themselves."""

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save

from .audit import M2M_VERBS, current_actor, diff, record_event, snapshot
from .models import AuditEntry, User

ACCESS_FIELDS = ("role", "org_unit_id", "is_superuser", "is_staff", "is_active")
USERNAME_MAX = 150


def _ip(request):
    return get_client_ip_address(request) if request is not None else None


def _claimed_user(username):
    return User.objects.filter(username=username).first() if username else None


def _logged_in(sender, request, user, **kwargs):
    record_event(user, AuditEntry.Action.LOGIN, user.username, target=user, ip=_ip(request))


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(user, AuditEntry.Action.LOGOUT, user.username, target=user, ip=_ip(request))


def login_failed(request, username):
    """A failed login, whether authenticate() refused it or the login form did before it ran (a name too long)."""
    username = str(username)[:USERNAME_MAX]
    record_event(
        AnonymousUser(), AuditEntry.Action.LOGIN_FAILED, username, target=_claimed_user(username), ip=_ip(request)
    )


def _login_failed(sender, credentials, request=None, **kwargs):
    login_failed(request, credentials.get("username", ""))


def _locked_out(sender, request, username, ip_address, **kwargs):
    username = str(username or "")[:USERNAME_MAX]
    record_event(AnonymousUser(), AuditEntry.Action.LOCKOUT, username, target=_claimed_user(username), ip=ip_address)


def _user_saved(sender, instance, created, raw=False, **kwargs):
    """Runs after the audit trail's own handler, which keeps the row as it was in `_audit_before`.

    AbstractBaseUser.save() clears `_password` only after the signals, and a login's rehash of an unchanged
    password saves with `_password` already None: so a set `_password` means a new password."""
    if raw or created:
        return
    if instance._password is not None:
        record_event(current_actor(), AuditEntry.Action.PASSWORD, instance.username, target=instance)
    before = getattr(instance, "_audit_before", None)
    changed = {k: v for k, v in diff(before or {}, snapshot(instance)).items() if k in ACCESS_FIELDS}
    if before is not None and changed:
        record_event(current_actor(), AuditEntry.Action.ACCESS, instance.username, target=instance, changed=changed)


def _user_m2m(sender, instance, action, pk_set, **kwargs):
    """A user's groups or permissions changed from the user's side (Django admin's user form)."""
    if action in M2M_VERBS and isinstance(instance, User):
        field = "groups" if sender is User.groups.through else "user_permissions"
        record_event(
            current_actor(),
            AuditEntry.Action.ACCESS,
            instance.username,
            target=instance,
            changed={field: {M2M_VERBS[action]: sorted(str(pk) for pk in pk_set or [])}},
        )


def connect():
    """Connected after audit.connect, so that a user's update entry precedes the security event it causes."""
    user_logged_in.connect(_logged_in, dispatch_uid="security-login")
    user_logged_out.connect(_logged_out, dispatch_uid="security-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="security-login-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="security-lockout")
    post_save.connect(_user_saved, sender=User, dispatch_uid="security-user-saved")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(_user_m2m, sender=through, dispatch_uid=f"security-{through._meta.label}")
