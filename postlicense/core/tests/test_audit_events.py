"""Security events join the audit hash chain (issue 11 item 5; 等保2.0 第三级 安全审计, OWASP ASVS L2 V7)."""

from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group

from postlicense.core.audit import acting_as, record_event, verify_chain
from postlicense.core.models import AuditEntry, OrgUnit, User
from postlicense.inspectors.models import Inspector
from postlicense.registry.tests.conftest import make_enterprise  # noqa: F401  (fixture)


def events(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_successful_login_is_recorded_with_who_and_address(client, make_user):
    user = make_user()
    client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.1.2.3")
    [entry] = events(AuditEntry.Action.LOGIN)
    assert (entry.actor, entry.model, entry.object_id, entry.object_repr) == (
        user,
        "core.user",
        str(user.pk),
        user.username,
    )
    assert entry.changes == {"ip": "10.1.2.3"}
    assert verify_chain().ok


def test_failed_login_is_recorded_for_the_claimed_account_without_the_password(client, make_user):
    user = make_user()
    client.post("/login/", {"username": user.username, "password": "wrong-secret"}, REMOTE_ADDR="10.9.9.9")
    [entry] = events(AuditEntry.Action.LOGIN_FAILED)
    assert entry.actor is None and entry.actor_name == "未登录用户"
    assert (entry.object_id, entry.object_repr, entry.changes) == (str(user.pk), user.username, {"ip": "10.9.9.9"})
    assert "wrong-secret" not in str(entry.changes) + entry.object_repr


def test_failed_login_for_an_unknown_name_is_recorded_and_a_huge_name_is_cut(client, db):
    client.post("/login/", {"username": "x" * 200, "password": "pw"})
    [entry] = events(AuditEntry.Action.LOGIN_FAILED)
    assert entry.object_id == "" and entry.object_repr == "x" * 150


def test_lockout_is_recorded_once_the_limit_is_reached(client, make_user):
    """django-axes' user_locked_out: the account is locked after AXES_FAILURE_LIMIT failures."""
    user = make_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": user.username, "password": "wrong"})
    client.post("/login/", {"username": user.username, "password": "pw"})
    lockouts = events(AuditEntry.Action.LOCKOUT)
    assert lockouts and all(e.object_id == str(user.pk) for e in lockouts)
    assert len(events(AuditEntry.Action.LOGIN_FAILED)) == settings.AXES_FAILURE_LIMIT + 1  # the refused right one too
    assert not events(AuditEntry.Action.LOGIN)


def test_logout_is_recorded(client, make_user):
    user = make_user()
    client.force_login(user)
    client.post("/logout/")
    [entry] = events(AuditEntry.Action.LOGOUT)
    assert entry.actor == user and entry.object_id == str(user.pk)


def test_password_change_through_the_page_is_recorded_without_the_password(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post(
        "/password/", {"old_password": "pw", "new_password1": "Kx9-ledger-42", "new_password2": "Kx9-ledger-42"}
    )
    assert response.status_code == 302
    [entry] = events(AuditEntry.Action.PASSWORD)
    assert entry.actor == user and entry.object_id == str(user.pk)
    assert all("Kx9" not in str(e.changes) and "pbkdf2" not in str(e.changes) for e in AuditEntry.objects.all())


def test_password_set_by_an_admin_names_the_admin(make_user):
    admin, user = make_user(User.Role.CITY_ADMIN, "xuchang"), make_user()
    with acting_as(admin):
        user.set_password("another-pass-77")
        user.save()
    [entry] = events(AuditEntry.Action.PASSWORD)
    assert entry.actor == admin and entry.object_id == str(user.pk)


def test_rehashing_an_unchanged_password_at_login_is_not_a_password_change(make_user):
    """check_password() upgrades a hash made by an older hasher, saving with `_password` cleared."""
    from django.contrib.auth.hashers import make_password

    user = make_user()
    User.objects.filter(pk=user.pk).update(password=make_password("pw", hasher="pbkdf2_sha1"))
    user = User.objects.get(pk=user.pk)
    assert user.check_password("pw") and User.objects.get(pk=user.pk).password.startswith("pbkdf2_sha256$")
    assert not events(AuditEntry.Action.PASSWORD)


def test_role_and_jurisdiction_changes_are_access_events(make_user):
    admin, user = make_user(User.Role.CITY_ADMIN, "xuchang"), make_user(User.Role.INSPECTOR, "xuchang-weidu")
    with acting_as(admin):
        user.role = User.Role.COUNTY_STAFF
        user.org_unit = OrgUnit.objects.get(code="xuchang-changge")
        user.display_name = "李四"  # not an access change: only in the update entry
        user.save()
    [entry] = events(AuditEntry.Action.ACCESS)
    assert entry.actor == admin and entry.object_id == str(user.pk)
    assert set(entry.changes["changed"]) == {"role", "org_unit_id"}
    assert entry.changes["changed"]["role"] == ["inspector", "county_staff"]
    update = AuditEntry.objects.filter(action="update", model="core.user", object_id=str(user.pk)).get()
    assert update.id < entry.id and "display_name" in update.changes["changed"]


def test_superuser_flag_and_group_changes_are_access_events(make_user):
    user = make_user()
    user.is_superuser = True
    user.save()
    group = Group.objects.create(name="审计员")
    user.groups.add(group)
    changes = [e.changes["changed"] for e in events(AuditEntry.Action.ACCESS)]
    assert changes == [{"is_superuser": ["False", "True"]}, {"groups": {"added": [str(group.pk)]}}]


def test_saving_a_user_without_access_changes_records_no_access_event(make_user):
    user = make_user()
    user.display_name = "王五"
    user.save()
    assert not events(AuditEntry.Action.ACCESS) and not events(AuditEntry.Action.PASSWORD)


def test_record_event_for_an_export_keeps_who_what_and_how_many_rows(make_user):
    user = make_user()
    record_event(user, AuditEntry.Action.EXPORT, "获证企业名录（xlsx）", rows=42, target=User, filter="q=水泥")
    [entry] = events(AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.model, entry.object_id, entry.object_repr) == (
        user,
        "core.user",
        "",
        "获证企业名录（xlsx）",
    )
    assert entry.changes == {"rows": 42, "filter": "q=水泥"}
    assert entry.get_action_display() == "导出/下载"
    assert verify_chain().ok


def test_record_event_without_a_user_is_the_system(db):
    record_event(None, AuditEntry.Action.EXPORT, "备份", rows=0)
    [entry] = events(AuditEntry.Action.EXPORT)
    assert entry.actor is None and entry.actor_name == "系统" and entry.changes == {"rows": 0}


def test_enterprise_export_records_who_what_and_the_rows_in_scope(client, make_user, make_enterprise):
    make_enterprise("xuchang-weidu"), make_enterprise("xuchang-changge"), make_enterprise("baicheng-taobei")
    user = make_user(User.Role.CITY_ADMIN, "xuchang")
    client.force_login(user)
    assert client.get("/registry/enterprises/export.xlsx", {"q": "测试"}).status_code == 200
    [entry] = events(AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.model, entry.object_repr) == (user, "registry.enterprise", "获证企业名录")
    assert entry.changes == {"rows": 2, "path": "/registry/enterprises/export.xlsx", "query": "q=%E6%B5%8B%E8%AF%95"}


def test_inspector_export_records_the_rows_in_scope(client, make_user):
    for code, unit in (("41100000001", "xuchang-weidu"), ("22080000001", "baicheng-taobei")):
        Inspector.objects.create(
            name="某人",
            org_unit=OrgUnit.objects.get(code=unit),
            certificate_no=code,
            certificate_valid_until=date(2030, 1, 1),
        )
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    assert client.get("/inspectors/export.xlsx").status_code == 200
    [entry] = events(AuditEntry.Action.EXPORT)
    assert (entry.model, entry.object_repr, entry.changes["rows"]) == ("inspectors.inspector", "执法检查人员名录", 1)


def test_random_check_export_records_the_file_and_the_task(client, make_user):
    from postlicense.randomcheck.tests.factories import make_task

    user = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = make_task(user)
    client.force_login(user)
    assert client.get(f"/random-checks/{task.pk}/export/draw.csv").status_code == 200
    [entry] = events(AuditEntry.Action.EXPORT)
    assert (entry.model, entry.object_id, entry.changes["rows"]) == ("randomcheck.task", str(task.pk), 0)
    assert entry.object_repr.endswith("抽查名单.csv")


def test_inspection_record_download_is_recorded_on_the_record(client, make_user):
    from postlicense.inspections.tests.helpers import new_record

    record = new_record()
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    assert client.get(f"/inspections/{record.pk}/docx/").status_code == 200
    [entry] = events(AuditEntry.Action.EXPORT)
    assert (entry.model, entry.object_id, entry.object_repr, entry.changes["rows"]) == (
        "inspections.inspectionrecord",
        str(record.pk),
        "检查记录（Word）",
        1,
    )


def test_a_users_history_page_lists_their_security_events(client, make_user):
    admin, user = make_user(User.Role.CITY_ADMIN, "xuchang"), make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    client.post("/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.7.7.7")
    with acting_as(admin):
        user.role = User.Role.INSPECTOR
        user.save()
    client.force_login(admin)
    page = client.get(f"/core/history/core.user/{user.pk}/").content.decode()
    assert "登录失败" in page and "角色/权限变更" in page and user.username in page
