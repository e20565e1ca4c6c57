"""Tamper-evident audit trail (issue: foundation §5)."""
import pytest
from django.core.management import CommandError, call_command

from postlicense.core.audit import acting_as, history_of, verify_chain
from postlicense.core.models import AuditEntry, CalendarYear, User


@pytest.fixture
def changes(make_user):
    actor = make_user(User.Role.CITY_ADMIN, "xuchang")
    with acting_as(actor):
        year = CalendarYear.objects.create(year=2099, source="测试")
        year.source = "国办发明电〔2098〕1号"
        year.save()
        year.save()  # no change: no entry
        CalendarYear.objects.filter(year=2099).first().delete()
    return actor


def test_create_update_delete_are_logged_with_who_and_what(changes):
    entries = list(AuditEntry.objects.filter(model="core.calendaryear"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.actor == changes and e.actor_name == str(changes) for e in entries)
    assert entries[1].changes == {"changed": {"source": ["测试", "国办发明电〔2098〕1号"]}}
    assert entries[2].changes["before"]["source"] == "国办发明电〔2098〕1号"


def test_password_is_never_in_the_trail(make_user):
    user = make_user()
    user.set_password("new-secret")
    user.save()
    assert all("password" not in str(e.changes) for e in history_of(user))


def test_chain_verifies(changes):
    result = verify_chain()
    assert result.ok and result.checked == AuditEntry.objects.count()
    call_command("audit-verify")


def test_editing_an_entry_breaks_the_chain(changes):
    entry = AuditEntry.objects.filter(model="core.calendaryear", action="update").get()
    AuditEntry.objects.filter(pk=entry.pk).update(changes={"changed": {"source": ["测试", "改过"]}})
    result = verify_chain()
    assert not result.ok and result.broken_id == entry.pk
    with pytest.raises(CommandError, match=f"第 {entry.pk} 条"):
        call_command("audit-verify")


def test_recomputing_an_edited_entrys_own_hash_still_breaks_the_next_link(changes):
    from postlicense.core.audit import chain_hash

    entry = AuditEntry.objects.filter(model="core.calendaryear", action="create").get()
    entry.actor_name = "他人"
    entry.hash = chain_hash(entry, entry.prev_hash)
    AuditEntry.objects.filter(pk=entry.pk).update(actor_name=entry.actor_name, hash=entry.hash)
    result = verify_chain()
    assert not result.ok and result.broken_id > entry.pk


def test_deleting_a_middle_entry_breaks_the_chain(changes):
    entry = AuditEntry.objects.filter(model="core.calendaryear", action="update").get()
    AuditEntry.objects.filter(pk=entry.pk).delete()
    assert not verify_chain().ok


def test_deleting_the_newest_entry_is_detected(changes):
    AuditEntry.objects.order_by("-id").first().delete()
    result = verify_chain()
    assert not result.ok and "链尾" in result.reason


def test_record_history_view_lists_entries(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    target = make_user(User.Role.COUNTY_STAFF, "xuchang-yuzhou")
    with acting_as(admin):
        target.display_name = "张三"
        target.save()
    client.force_login(admin)
    page = client.get(f"/core/history/core.user/{target.pk}/").content.decode()
    assert "张三" in page and "修改" in page


def test_only_audited_models_carry_the_delete_handlers(db):
    """Plain rows (link tables, the chain's head) stay fast-deletable: no per-row load before a bulk delete."""
    from django.db.models.deletion import Collector

    from postlicense.core.models import AuditHead, CalendarDay

    assert Collector(using="default", origin=None).can_fast_delete(AuditHead.objects.all())
    assert not Collector(using="default", origin=None).can_fast_delete(CalendarDay.objects.all())
