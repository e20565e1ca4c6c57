"""Tamper-evident audit trail (issue: foundation §5) anchored outside the database (issue 11 item 5)."""

import json
import socket

import pytest
from django.core.management import CommandError, call_command

from postlicense.core.audit import Anchor, AnchorError, acting_as, anchor_chain, history_of, latest_anchor, verify_chain
from postlicense.core.models import AuditEntry, AuditHead, CalendarYear, User


@pytest.fixture(autouse=True)
def anchors_in_tmp(settings, tmp_path):
    """Anchors of the test database, never the ones of var/."""
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "audit-anchors.jsonl")
    settings.AUDIT_ANCHOR_SYSLOG = ""
    return tmp_path / "audit-anchors.jsonl"


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


def more_changes(n=2):
    for year in range(2090, 2090 + n):
        CalendarYear.objects.create(year=year, source="测试")


def delete_tail_and_rewind_head(n):
    """What an attacker with write access to the tables does to erase the last `n` entries unnoticed."""
    AuditEntry.objects.filter(pk__in=AuditEntry.objects.order_by("-id").values("pk")[:n]).delete()
    last = AuditEntry.objects.order_by("-id").first()
    AuditHead.objects.filter(id=1).update(last_id=last.id, last_hash=last.hash, count=AuditEntry.objects.count())


def test_anchor_writes_the_tip_as_one_json_line(changes, anchors_in_tmp, capsys):
    call_command("audit-anchor")
    [line] = anchors_in_tmp.read_text().splitlines()
    head, last = AuditHead.objects.get(), AuditEntry.objects.order_by("id").last()
    data = json.loads(line)
    assert (data["entry_id"], data["count"], data["hash"]) == (last.id, AuditEntry.objects.count(), last.hash)
    assert (head.last_id, head.last_hash) == (last.id, last.hash) and data["at"].endswith("+08:00")
    assert "已写入" in capsys.readouterr().out


def test_anchor_is_idempotent_while_the_chain_does_not_grow(changes, anchors_in_tmp, capsys):
    call_command("audit-anchor")
    call_command("audit-anchor")
    assert len(anchors_in_tmp.read_text().splitlines()) == 1 and "链尾未变" in capsys.readouterr().out
    more_changes(1)
    call_command("audit-anchor")
    assert len(anchors_in_tmp.read_text().splitlines()) == 2


def test_empty_chain_is_not_anchored(db, anchors_in_tmp, capsys):
    call_command("audit-anchor")
    assert not anchors_in_tmp.exists() and "为空" in capsys.readouterr().out


def test_normal_growth_after_an_anchor_verifies(changes, anchors_in_tmp, capsys):
    call_command("audit-anchor")
    anchor = latest_anchor(anchors_in_tmp)
    more_changes(3)
    call_command("audit-verify")
    assert f"与{anchor}一致" in capsys.readouterr().out


def test_deleting_the_tail_and_rewinding_the_head_is_caught_by_the_anchor(changes, anchors_in_tmp):
    call_command("audit-anchor")
    anchor = latest_anchor(anchors_in_tmp)
    delete_tail_and_rewind_head(2)
    assert verify_chain().ok  # the chain alone cannot tell: its head was rewound with it
    result = verify_chain(anchor=anchor)
    assert not result.ok and result.broken_id == anchor.entry_id and "链尾被回退" in result.reason
    with pytest.raises(CommandError, match=f"与锚点（.* 写入：第 {anchor.entry_id} 条记录，共 {anchor.count} 条）不符"):
        call_command("audit-verify")


def test_rewinding_then_regrowing_past_the_anchor_is_caught(changes, anchors_in_tmp):
    """Entries appended after a rewind take new ids: the anchored entry is gone whatever the count."""
    call_command("audit-anchor")
    delete_tail_and_rewind_head(1)
    more_changes(3)
    with pytest.raises(CommandError, match="锚点"):
        call_command("audit-verify")


def test_rewriting_the_whole_chain_is_caught_by_the_anchored_hash(changes, anchors_in_tmp):
    from postlicense.core.audit import GENESIS_HASH, chain_hash

    call_command("audit-anchor")
    prev = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("id"):
        entry.actor_name, entry.prev_hash = "他人", prev
        entry.hash = prev = chain_hash(entry, prev)
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="他人", prev_hash=entry.prev_hash, hash=entry.hash)
    AuditHead.objects.filter(id=1).update(last_hash=prev)
    assert verify_chain().ok
    with pytest.raises(CommandError, match="哈希已改变"):
        call_command("audit-verify")


def test_anchor_refuses_to_bless_a_rewound_chain_and_writes_nothing(changes, anchors_in_tmp):
    call_command("audit-anchor")
    before = anchors_in_tmp.read_text()
    delete_tail_and_rewind_head(1)
    more_changes(1)
    with pytest.raises(CommandError, match="未写入锚点"):
        call_command("audit-anchor")
    assert anchors_in_tmp.read_text() == before


def test_anchor_checks_the_entries_added_since_the_last_anchor(changes, anchors_in_tmp):
    call_command("audit-anchor")
    more_changes(2)
    newest = AuditEntry.objects.order_by("id").last()
    AuditEntry.objects.filter(pk=newest.pk).update(actor_name="他人")
    with pytest.raises(CommandError, match=f"第 {newest.pk} 条"):
        call_command("audit-anchor")


def test_a_damaged_anchor_file_is_a_chinese_error(changes, anchors_in_tmp):
    anchors_in_tmp.write_text('{"entry_id": 1, "count": 1}\n')
    with pytest.raises(CommandError, match="第 1 行不是有效的锚点"):
        call_command("audit-verify")


def test_anchor_goes_to_syslog_when_set(changes, settings):
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(5)
    settings.AUDIT_ANCHOR_PATH, settings.AUDIT_ANCHOR_SYSLOG = "", f"127.0.0.1:{server.getsockname()[1]}"
    try:
        anchor, written = anchor_chain(settings.AUDIT_ANCHOR_PATH, settings.AUDIT_ANCHOR_SYSLOG)
        message = server.recv(4096).decode()
    finally:
        server.close()
    assert written and message == f"<38>postlicense-audit-anchor: {anchor.to_json()}"
    assert Anchor.from_json(message.split(": ", 1)[1]) == anchor


def test_an_unreachable_syslog_socket_is_a_chinese_error(changes):
    with pytest.raises(AnchorError, match="无法发送到 syslog"):
        anchor_chain("", "/nonexistent/log")


def test_entries_appended_while_verifying_are_walked_too(changes, monkeypatch):
    """A busy system moves the head on during the walk: that is not a rewound or forged tail."""
    from postlicense.core import audit

    original, appended = audit.chain_hash, []

    def hash_and_append_once(entry, prev, changes_json=None):
        if not appended:
            appended.append(True)
            more_changes(1)  # committed while the first pass holds its rows
        return original(entry, prev, changes_json)

    monkeypatch.setattr(audit, "chain_hash", hash_and_append_once)
    result = verify_chain()
    assert appended and result.ok and result.checked == AuditEntry.objects.count()
    assert (result.last_id, result.last_hash) == AuditEntry.objects.order_by("id").values_list("id", "hash").last()


def test_a_head_pointing_past_the_last_entry_fails_without_looping(changes):
    AuditHead.objects.filter(id=1).update(last_id=10**9)
    result = verify_chain()
    assert not result.ok and "链尾" in result.reason


def test_a_batch_of_awkward_entries_is_hashed_as_the_verifier_hashes_them(make_user):
    """record() writes each entry's meta from a prefix made once per batch and model; the verifier recomputes
    chain_hash from the entry as stored. Names with quotes, backslashes, control characters, Chinese and
    characters outside the BMP, an entry with no actor and entries of several models and actions in one batch
    must come out the same both ways."""
    from postlicense.core.audit import Change, Event, record

    actor = make_user(User.Role.CITY_ADMIN, "xuchang")
    years = [CalendarYear(year=2090 + n, source=source) for n, source in enumerate(['引"号\\', "换\n行\t", "𠀀 é"])]
    CalendarYear.objects.bulk_create(years)
    batch = [Change(AuditEntry.Action.CREATE, year, {"after": {"source": year.source}}) for year in years]
    batch.insert(1, Event(AuditEntry.Action.EXPORT, "", "", '导出 "名录"\x01', {"rows": 3}))
    batch.append(Change(AuditEntry.Action.DELETE, years[0], {"before": {}}))
    before = AuditEntry.objects.count()
    record(batch, actor=actor)
    record(batch[:2], actor_name='系统\\"')
    assert AuditEntry.objects.count() == before + len(batch) + 2
    assert verify_chain().ok
