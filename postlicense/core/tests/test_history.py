"""Change history reads like the pages (issue 10 item 8): field labels, not column names; 是/否 and choice
labels, not True/False and stored codes; related records by name; an import's entries marked 批量导入."""

from django.contrib.auth.models import Group

from postlicense.core.audit import Change, acting_as, history_of, record, record_event
from postlicense.core.history import describe
from postlicense.core.models import AuditEntry, OrgUnit, User


def _history(user, action=None):
    entries = history_of(user)
    return describe(entries.filter(action=action) if action else entries, User)


def test_update_shows_field_labels_and_readable_values(make_user):
    admin, target = make_user(User.Role.CITY_ADMIN, "xuchang"), make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    with acting_as(admin):
        target.display_name, target.role, target.is_active = "张三", User.Role.INSPECTOR, False
        target.org_unit = OrgUnit.objects.get(code="xuchang-changge")
        target.save()
    fields = {f.label: (f.before, f.after) for f in _history(target, AuditEntry.Action.UPDATE)[-1].fields}
    assert fields["姓名"] == ("—", "张三")
    assert fields["角色"] == ("县局/分局人员", "检查人员")
    assert fields["有效"] == ("是", "否")
    assert fields["所属单位"] == ("许昌市魏都区市场监督管理局", "长葛市市场监督管理局")
    assert not {"display_name", "role", "is_active", "org_unit_id"} & set(fields)


def test_many_to_many_change_names_the_field_and_the_records(make_user):
    target = make_user()
    target.groups.add(Group.objects.create(name="市局管理员"))
    assert _history(target, AuditEntry.Action.UPDATE)[-1].summary == "组：增加 市局管理员"
    access = _history(target, AuditEntry.Action.ACCESS)[-1]
    assert access.summary == f"{target.username}；组：增加 市局管理员"


def test_security_event_shows_what_and_how_many_rows(make_user):
    user = make_user()
    record_event(user, AuditEntry.Action.EXPORT, "导出企业名录", rows=12, target=user)
    assert _history(user, AuditEntry.Action.EXPORT)[-1].summary == "导出企业名录（12 行）"


def test_import_entries_are_marked(make_user):
    target = make_user()
    record([Change(AuditEntry.Action.UPDATE, target, {"changed": {"display_name": ["", "李四"]}, "source": "import"})])
    imported, edited = _history(target)[-1], _history(target)[0]
    assert imported.source == "批量导入" and edited.source == ""


def test_history_page_shows_labels_and_import_marker(client, make_user):
    admin, target = make_user(User.Role.CITY_ADMIN, "xuchang"), make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    record(
        [Change(AuditEntry.Action.UPDATE, target, {"changed": {"is_active": ["True", "False"]}, "source": "import"})]
    )
    client.force_login(admin)
    page = client.get(f"/core/history/core.user/{target.pk}/").content.decode()
    assert "批量导入" in page and "有效" in page and "is_active" not in page
    assert "True" not in page and "False" not in page and "None" not in page
