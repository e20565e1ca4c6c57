"""Separation of duties (issue 11 item 9): a city admin manages its own jurisdiction's users; national reference
data (holiday calendar, product catalogue) is changed only by a superuser."""

import re

import pytest
from django.contrib.auth.models import Group

from postlicense.core.models import AuditEntry, CalendarDay, OrgUnit, User
from postlicense.core.services import ensure_city_admin_group
from postlicense.registry.models import ProductCategory


@pytest.fixture
def city_admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang", is_staff=True)


@pytest.fixture
def admin_client(client, city_admin):
    client.force_login(city_admin)
    return client


def loaded_version(client, url):
    return re.search(r'name="version" value="([^"]+)"', client.get(url).content.decode()).group(1)


def new_user_data(**overrides):
    unit = OrgUnit.objects.get(code="xuchang-weidu")
    return {
        "username": "weidu-new",
        "display_name": "王新",
        "role": User.Role.COUNTY_STAFF,
        "org_unit": unit.pk,
        "password1": "Zhjg-2026-safe",
        "password2": "Zhjg-2026-safe",
        **overrides,
    }


def test_city_admin_lists_users_of_its_city_and_counties_only(admin_client, make_user):
    mine = [make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"), make_user(User.Role.INSPECTOR, "xuchang-changge")]
    foreign = make_user(User.Role.COUNTY_STAFF, "tacheng-wusu")
    boss = make_user(User.Role.CITY_ADMIN, "xuchang", is_superuser=True)
    page = admin_client.get("/core/users/").content.decode()
    assert all(u.username in page for u in mine)
    assert foreign.username not in page and boss.username not in page


def test_user_management_is_for_city_admins_only(client, make_user):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    assert client.get("/core/users/").status_code == 403
    assert client.get("/core/users/new/").status_code == 403


def test_city_admin_creates_a_user_inside_its_jurisdiction(admin_client, city_admin):
    response = admin_client.post("/core/users/new/", new_user_data())
    assert response.status_code == 302 and response.url == "/core/users/"
    user = User.objects.get(username="weidu-new")
    assert (user.role, user.org_unit.code, user.is_superuser, user.is_staff) == (
        "county_staff",
        "xuchang-weidu",
        False,
        False,
    )
    assert user.check_password("Zhjg-2026-safe")
    [entry] = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, model="core.user", object_id=str(user.pk))
    assert entry.actor == city_admin


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("org_unit", "tacheng-wusu", "选择一个有效的选项"),  # a forged unit outside the jurisdiction
        ("role", "enterprise", "选择一个有效的选项"),
        ("role", "superuser", "选择一个有效的选项"),
        ("password2", "different", "两个密码不一致"),
        ("password1", "12345678", "密码"),
        ("display_name", "", "该字段是必填项"),
    ],
)
def test_bad_new_user_is_refused_at_the_field_and_nothing_saved(admin_client, field, value, message):
    if field == "org_unit":
        value = OrgUnit.objects.get(code=value).pk
    if field == "password1":
        data = new_user_data(password1=value, password2=value)
    else:
        data = new_user_data(**{field: value})
    page = admin_client.post("/core/users/new/", data).content.decode()
    assert message in page and 'value="weidu-new"' in page  # what the user typed is kept
    assert not User.objects.filter(username="weidu-new").exists()


def test_new_user_cannot_be_made_superuser_by_a_forged_field(admin_client):
    admin_client.post("/core/users/new/", new_user_data(is_superuser="on", is_staff="on"))
    user = User.objects.get(username="weidu-new")
    assert not user.is_superuser and not user.is_staff


def test_double_submit_creates_one_user(admin_client):
    admin_client.post("/core/users/new/", new_user_data())
    page = admin_client.post("/core/users/new/", new_user_data()).content.decode()
    assert "已存在" in page and User.objects.filter(username="weidu-new").count() == 1


def test_edited_urls_outside_the_jurisdiction_or_to_a_superuser_are_404(admin_client, make_user):
    foreign = make_user(User.Role.COUNTY_STAFF, "tacheng-wusu")
    boss = make_user(User.Role.CITY_ADMIN, "xuchang", is_superuser=True)
    for user in (foreign, boss):
        assert admin_client.get(f"/core/users/{user.pk}/").status_code == 404
        assert admin_client.get(f"/core/users/{user.pk}/password/").status_code == 404
        assert admin_client.post(f"/core/users/{user.pk}/active/", {"active": "0"}).status_code == 404
    assert admin_client.get("/core/users/999999/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


def test_role_change_is_saved_and_audited_as_an_access_change(admin_client, city_admin, make_user):
    """security_events records the ACCESS event on save: the role and org unit before and after, by the city admin."""
    user = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    unit = OrgUnit.objects.get(code="xuchang-changge")
    data = {"display_name": "李四", "role": User.Role.INSPECTOR, "org_unit": unit.pk}
    data["version"] = loaded_version(admin_client, f"/core/users/{user.pk}/")
    assert admin_client.post(f"/core/users/{user.pk}/", data).status_code == 302
    user.refresh_from_db()
    assert (user.role, user.org_unit, user.display_name) == ("inspector", unit, "李四")
    [event] = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS, object_id=str(user.pk))
    assert event.actor == city_admin and set(event.changes["changed"]) == {"role", "org_unit_id"}


def test_stale_edit_is_refused_and_keeps_what_was_typed(admin_client, make_user):
    """No lost updates (core.concurrency): another admin changed the user after this page was loaded."""
    user = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    version = loaded_version(admin_client, f"/core/users/{user.pk}/")
    User.objects.filter(pk=user.pk).update(role=User.Role.INSPECTOR)
    data = {"display_name": "赵六", "role": User.Role.CITY_ADMIN, "org_unit": user.org_unit_id, "version": version}
    page = admin_client.post(f"/core/users/{user.pk}/", data).content.decode()
    assert "保存未成功" in page and "检查人员" in page and "赵六" in page
    user.refresh_from_db()
    assert (user.role, user.display_name) == ("inspector", "")


def test_role_change_to_a_unit_outside_is_refused(admin_client, make_user):
    user = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    outside = OrgUnit.objects.get(code="tacheng-wusu")
    data = {"display_name": "李四", "role": User.Role.CITY_ADMIN, "org_unit": outside.pk}
    page = admin_client.post(f"/core/users/{user.pk}/", data).content.decode()
    assert "选择一个有效的选项" in page and "李四" in page
    user.refresh_from_db()
    assert (user.role, user.org_unit.code) == ("county_staff", "xuchang-weidu")


def test_disable_and_enable_a_user(admin_client, make_user):
    user = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    assert admin_client.get(f"/core/users/{user.pk}/active/").status_code == 405
    admin_client.post(f"/core/users/{user.pk}/active/", {"active": "0"})
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS, object_id=str(user.pk)).exists()
    admin_client.post(f"/core/users/{user.pk}/active/", {"active": "1"})
    user.refresh_from_db()
    assert user.is_active


def test_city_admin_cannot_disable_itself(admin_client, city_admin):
    response = admin_client.post(f"/core/users/{city_admin.pk}/active/", {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    city_admin.refresh_from_db()
    assert city_admin.is_active


def test_reset_password_sets_it_and_is_audited(admin_client, city_admin, make_user):
    user = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    data = {"new_password1": "Reset-2026-pass", "new_password2": "Reset-2026-pass"}
    assert admin_client.post(f"/core/users/{user.pk}/password/", data).status_code == 302
    user.refresh_from_db()
    assert user.check_password("Reset-2026-pass")
    [event] = AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD, object_id=str(user.pk))
    assert event.actor == city_admin


def test_reset_password_mismatch_is_a_field_error(admin_client, make_user):
    user = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    data = {"new_password1": "Reset-2026-pass", "new_password2": "other"}
    assert "两个密码不一致" in admin_client.post(f"/core/users/{user.pk}/password/", data).content.decode()
    user.refresh_from_db()
    assert user.check_password("pw")


# --- national reference data: superusers only -------------------------------------------------------------------


@pytest.fixture
def grouped_city_admin(city_admin):
    """The demo's 市局管理员 group, as the registry demo builds it (calendar plus catalogue)."""
    city_admin.groups.add(ensure_city_admin_group([ProductCategory]))
    return city_admin


def test_city_admin_group_holds_view_permissions_only(db):
    group = ensure_city_admin_group([ProductCategory])
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == {"view_calendaryear", "view_calendarday", "view_productcategory"}
    assert Group.objects.get(name="市局管理员") == group


def test_old_change_permissions_of_the_group_are_removed(db):
    from django.contrib.auth.models import Permission

    group, _ = Group.objects.get_or_create(name="市局管理员")
    group.permissions.add(Permission.objects.get(codename="change_calendarday"))
    ensure_city_admin_group()
    assert not group.permissions.filter(codename="change_calendarday").exists()


@pytest.mark.parametrize("model_path", ["core/calendarday", "core/calendaryear", "registry/productcategory"])
def test_city_admin_cannot_change_national_reference_data_in_admin(client, grouped_city_admin, model_path):
    """Separation of duties: the holiday calendar and the product catalogue change every jurisdiction's deadlines."""
    client.force_login(grouped_city_admin)
    assert client.get(f"/admin/{model_path}/").status_code == 200  # may look
    assert client.get(f"/admin/{model_path}/add/").status_code == 403


def test_city_admin_cannot_post_a_calendar_change_even_with_the_permission(client, grouped_city_admin):
    from django.contrib.auth.models import Permission

    grouped_city_admin.user_permissions.add(Permission.objects.get(codename="change_calendarday"))
    client.force_login(grouped_city_admin)
    day = CalendarDay.objects.first()
    response = client.post(f"/admin/core/calendarday/{day.pk}/change/", {"date": day.date, "kind": "workday"})
    assert response.status_code == 403
    day.refresh_from_db()
    assert CalendarDay.objects.get(pk=day.pk).kind == day.kind


def test_superuser_maintains_national_reference_data(client, make_user):
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang", is_superuser=True, is_staff=True))
    assert client.get("/admin/core/calendarday/add/").status_code == 200
    assert client.get("/admin/registry/productcategory/add/").status_code == 200


def test_city_admin_cannot_reach_users_in_django_admin(client, grouped_city_admin):
    client.force_login(grouped_city_admin)
    assert client.get("/admin/core/user/").status_code == 403


def test_user_management_in_navigation_for_city_admin_only(client, city_admin, make_user):
    client.force_login(city_admin)
    assert "用户管理" in client.get("/").content.decode()
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    assert "用户管理" not in client.get("/").content.decode()


def test_reset_two_factor_deletes_the_devices_and_is_audited(admin_client, city_admin, make_user):
    """A 市局管理员 who lost phone and recovery codes enrols again at the next login."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    other = make_user(User.Role.CITY_ADMIN, "xuchang")
    TOTPDevice.objects.create(user=other, name="动态口令")
    StaticDevice.objects.create(user=other, name="恢复码")
    assert "重置双因素认证" in admin_client.get("/core/users/").content.decode()
    assert admin_client.get(f"/core/users/{other.pk}/2fa-reset/").status_code == 405
    assert admin_client.post(f"/core/users/{other.pk}/2fa-reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=other).exists() and not StaticDevice.objects.filter(user=other).exists()
    [event] = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS, object_id=str(other.pk))
    assert event.actor == city_admin and event.changes == {"two_factor": "reset"}


def test_reset_two_factor_outside_the_jurisdiction_is_404(admin_client, make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    foreign = make_user(User.Role.CITY_ADMIN, "tacheng")
    TOTPDevice.objects.create(user=foreign, name="动态口令")
    assert admin_client.post(f"/core/users/{foreign.pk}/2fa-reset/").status_code == 404
    assert TOTPDevice.objects.filter(user=foreign).exists()


def test_otp_device_keys_are_not_in_django_admin(client, make_user):
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang", is_superuser=True, is_staff=True))
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
