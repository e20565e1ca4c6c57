"""User management by a city admin (separation of duties, issue 11 item 9): a city admin creates, edits, disables and
resets the password of the users of its own city and counties, never a superuser and never anyone outside its
jurisdiction; national reference data is the superuser's (core/admin.py). The changes of role, org unit, active flag
and password land in the audit chain through security_events."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp import devices_for_user

from .audit import record_event
from .models import AuditEntry, User
from .scoping import get_scoped_or_404
from .selectors import org_units_for, users_for

MANAGED_ROLES = (User.Role.CITY_ADMIN, User.Role.COUNTY_STAFF, User.Role.INSPECTOR)


def can_manage_users(user):
    return user.is_superuser or (user.role == User.Role.CITY_ADMIN and user.org_unit_id is not None)


def manageable_users(manager):
    """The users a manager may see and change: its jurisdiction's bureau users; superusers only for a superuser."""
    if not can_manage_users(manager):
        raise PermissionDenied("只有市局管理员可以管理用户。")
    users = users_for(manager).filter(role__in=MANAGED_ROLES)
    return users if manager.is_superuser else users.filter(is_superuser=False)


def manageable_user_or_404(manager, pk):
    return get_scoped_or_404(manageable_users(manager), manager, pk=pk)


@transaction.atomic
def create_user(manager, *, username, display_name, role, org_unit, password):
    _check_assignment(manager, role, org_unit)
    user = User(username=username, display_name=display_name, role=role, org_unit=org_unit)
    user.set_password(password)
    user.save()
    return user


def update_user(manager, form):
    """Save the edit form (name, role, org unit) unless the assignment is outside the manager's jurisdiction or
    someone else changed the user since the page was loaded (core.concurrency: the form then carries the refusal);
    returns the user, or None when refused as stale."""
    _check_assignment(manager, form.cleaned_data["role"], form.cleaned_data["org_unit"])
    return form.save_checked()


def set_active(manager, user, active):
    if user.pk == manager.pk and not active:
        raise ValidationError("不能停用自己的账号。")
    user.is_active = active
    user.save(update_fields=["is_active"])


@transaction.atomic
def reset_two_factor(manager, user):
    """A user who lost both phone and recovery codes enrols again at the next login (when REQUIRE_2FA is set)."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    record_event(manager, AuditEntry.Action.ACCESS, user.username, target=user, two_factor="reset")


def reset_password(user, password):
    user.set_password(password)
    user.save(update_fields=["password"])


def _check_assignment(manager, role, org_unit):
    """The form offers only these choices; a forged POST gets the same refusal."""
    if role not in MANAGED_ROLES:
        raise ValidationError({"role": "请选择有效的角色。"})
    if org_unit is None or not org_units_for(manager).filter(pk=org_unit.pk).exists():
        raise ValidationError({"org_unit": "所属单位必须在您的管辖范围内。"})
