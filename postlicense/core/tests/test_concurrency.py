"""No lost updates (issue 11 item 3): the shared version check, on the user record (a choice, a relation, a flag
and a many-to-many field)."""

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.db import transaction

from postlicense.core.audit import acting_as
from postlicense.core.concurrency import StaleEdit, VersionedForm, check_version, locked, version_of
from postlicense.core.models import OrgUnit, User

FIELDS = ["display_name", "role", "org_unit", "is_active", "groups"]


def _check(user, version, posted):
    with transaction.atomic():
        check_version(locked(user), version, posted, FIELDS)


def _posted(user, **changes):
    values = {name: getattr(user, name) for name in FIELDS if name != "groups"}
    return {**values, "groups": list(user.groups.all()), **changes}


@pytest.fixture
def target(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu", display_name="张三")


def test_an_unchanged_record_saves_with_its_version(target):
    version = version_of(target, FIELDS)
    _check(target, version, _posted(target, display_name="张三丰"))


def test_a_stale_save_is_refused_and_shows_their_value_and_yours(target, make_user):
    """A loads, B saves 姓名 and 角色, A saves a different 姓名: A learns what B changed (label: theirs → yours)."""
    version = version_of(target, FIELDS)
    other = make_user(User.Role.CITY_ADMIN, "xuchang", display_name="李四")
    with acting_as(other):
        User.objects.filter(pk=target.pk).update(display_name="张三（市局）")
        saved = User.objects.get(pk=target.pk)
        saved.role = User.Role.INSPECTOR
        saved.save()
    with pytest.raises(StaleEdit) as caught:
        _check(target, version, _posted(target, display_name="张三丰"))
    conflicts = {c.label: (c.theirs, c.yours) for c in caught.value.conflicts}
    assert conflicts == {"姓名": ("张三（市局）", "张三丰"), "角色": ("检查人员", "县局/分局人员")}
    message = caught.value.messages[0]
    assert (
        "李四" in message and "姓名：张三（市局） → 张三丰" in message and "角色：检查人员 → 县局/分局人员" in message
    )


def test_a_change_to_a_field_the_other_person_left_alone_still_refuses_their_change(target):
    """B changed 所属单位 only; A's save would put the old unit back: refused, though A only edited 姓名."""
    version = version_of(target, FIELDS)
    User.objects.filter(pk=target.pk).update(org_unit=OrgUnit.objects.get(code="xuchang-changge"))
    with pytest.raises(StaleEdit) as caught:
        _check(target, version, _posted(target, display_name="张三丰"))
    assert [str(c) for c in caught.value.conflicts] == ["所属单位：长葛市市场监督管理局 → 许昌市魏都区市场监督管理局"]


def test_double_submit_with_the_same_base_and_values_is_not_an_error(target):
    version = version_of(target, FIELDS)
    posted = _posted(target, display_name="张三丰", is_active=False)
    _check(target, version, posted)
    User.objects.filter(pk=target.pk).update(display_name="张三丰", is_active=False)
    _check(target, version, posted)


def test_many_to_many_changes_are_versioned(target):
    version = version_of(target, FIELDS)
    target.groups.add(Group.objects.create(name="市局管理员"))
    with pytest.raises(StaleEdit) as caught:
        _check(target, version, _posted(target, groups=[]))
    assert [str(c) for c in caught.value.conflicts] == ["组：市局管理员 → —"]


def test_fields_a_write_does_not_carry_keep_their_value_and_do_not_conflict(target):
    """An API PATCH that sends only 姓名 cannot overwrite 角色."""
    version = version_of(target, FIELDS)
    User.objects.filter(pk=target.pk).update(role=User.Role.INSPECTOR)
    _check(target, version, {"display_name": "张三丰"})


@pytest.mark.parametrize("edit", ["", "garbage", "other-record"])
def test_a_missing_edited_or_foreign_version_is_an_unknown_base(target, make_user, edit):
    """A hostile or missing version cannot claim a base: every differing field is shown, equal values still save."""
    version = version_of(make_user(), FIELDS) if edit == "other-record" else edit
    with pytest.raises(StaleEdit) as caught:
        _check(target, version, _posted(target, display_name="张三丰"))
    assert "无法确认本页载入时的内容" in caught.value.messages[0]
    assert [str(c) for c in caught.value.conflicts] == ["姓名：张三 → 张三丰"]
    _check(target, version, _posted(target))


def test_resubmitting_with_the_refusals_version_saves_your_values(target):
    version = version_of(target, FIELDS)
    User.objects.filter(pk=target.pk).update(display_name="张三（市局）")
    with pytest.raises(StaleEdit) as caught:
        _check(target, version, _posted(target, display_name="张三丰"))
    _check(target, caught.value.version, _posted(target, display_name="张三丰"))


class UserForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "role", "is_active"]


def test_versioned_form_refuses_keeps_what_was_typed_and_offers_the_current_version(target):
    loaded = UserForm(instance=target)
    data = {"display_name": "张三丰", "role": User.Role.COUNTY_STAFF, "is_active": "on"}
    data["version"] = loaded.initial["version"]
    User.objects.filter(pk=target.pk).update(display_name="张三（市局）")
    form = UserForm(data, instance=User.objects.get(pk=target.pk))
    assert form.is_valid() and form.save_checked() is None
    target.refresh_from_db()
    assert target.display_name == "张三（市局）"
    assert "姓名：张三（市局） → 张三丰" in form.non_field_errors()[0]
    assert form["display_name"].value() == "张三丰"
    assert form["version"].value() == version_of(target, UserForm.Meta.fields) != data["version"]
    again = UserForm({**data, "version": form["version"].value()}, instance=target)
    assert again.is_valid() and again.save_checked() is not None
    target.refresh_from_db()
    assert target.display_name == "张三丰"


def test_a_new_record_has_no_version(db):
    assert "version" not in UserForm().fields
