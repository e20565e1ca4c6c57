import zlib

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from faker import Faker

from .models import CalendarDay, CalendarYear, OrgUnit, User

DEMO_PASSWORD = "demo-2026"


@transaction.atomic
def import_calendar_year(year, rows, source, replace=False):
    """Store one year's holidays and adjusted working days, all or nothing."""
    if CalendarYear.objects.filter(year=year).exists():
        if not replace:
            raise ValidationError(f"{year}年的节假日数据已存在；如需覆盖请使用 --replace。")
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarYear.objects.filter(year=year).delete()
    CalendarYear.objects.create(year=year, source=source)
    for day, kind, name in rows:
        CalendarDay.objects.create(date=day, kind=kind, name=name)


def ensure_city_admin_group(extra_models=()):
    """The 市局管理员 group may look at reference data in Django admin (calendar plus what apps add); changing it
    is a superuser's (core.admin.NationalReferenceAdmin), so the group holds view permissions only."""
    group, _ = Group.objects.get_or_create(name="市局管理员")
    labels = [CalendarYear, CalendarDay, *extra_models]
    perms = Permission.objects.filter(
        content_type__app_label__in={m._meta.app_label for m in labels},
        content_type__model__in={m._meta.model_name for m in labels},
    )
    group.permissions.remove(*perms.exclude(codename__startswith="view_"))
    group.permissions.add(*perms.filter(codename__startswith="view_"))
    return group


def ensure_demo_user(username, role, org_unit=None, display_name="", **extra):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "org_unit": org_unit, "display_name": display_name, **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


ROLE_SUFFIX = {User.Role.CITY_ADMIN: "admin", User.Role.COUNTY_STAFF: "staff", User.Role.INSPECTOR: "inspector"}


def load_demo_users():
    """One login per role per org unit: <org code>-admin / -staff / -inspector, plus the superuser `admin`.

    Each gets a person's name (the header adds the role and unit itself), the same on every run."""
    group, fake = ensure_city_admin_group(), Faker("zh_CN")
    ensure_demo_user("admin", User.Role.CITY_ADMIN, display_name="系统管理员", is_staff=True, is_superuser=True)
    for unit in OrgUnit.objects.select_related("region").order_by("region_id", "kind", "code"):
        manager_role = User.Role.CITY_ADMIN if unit.kind == OrgUnit.Kind.CITY else User.Role.COUNTY_STAFF
        for role in (manager_role, User.Role.INSPECTOR):
            username = f"{unit.code}-{ROLE_SUFFIX[role]}"
            fake.seed_instance(zlib.crc32(username.encode()))
            user = ensure_demo_user(
                username, role, unit, display_name=fake.name(), is_staff=role == User.Role.CITY_ADMIN
            )
            if role == User.Role.CITY_ADMIN:
                user.groups.add(group)
