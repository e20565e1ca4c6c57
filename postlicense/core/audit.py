"""Tamper-evident audit trail: every change of an AuditedModel becomes one hash-chained AuditEntry."""

import contextlib
import contextvars
import functools
import hashlib
import json
import os
import socket
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import changes
from .bulk import insert_rows, plain_attribute, update_rows
from .models import AuditedModel, AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
M2M_VERBS = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}
_actor = contextvars.ContextVar("audit_actor", default=None)


@contextlib.contextmanager
def acting_as(user):
    """Attribute the changes made inside the block to `user` (a User, or a callable returning one)."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor():
    actor = _actor.get()
    actor = actor() if callable(actor) else actor
    return actor if getattr(actor, "is_authenticated", False) else None


_PLAIN_STRING = (models.Field.value_to_string, models.Field.value_from_object)


@functools.cache
def _snapshot_fields(model):
    """(attname, field, plain) of the model's audited fields; field is None where its string is str() of the
    attribute (Field.value_to_string), so that snapshot skips the field's method call: a dispatch snapshots
    100,000 records of 27 fields; plain where a loaded value may be read from the instance's __dict__
    (bulk.plain_attribute)."""
    return tuple(
        (
            f.attname,
            None if (type(f).value_to_string, type(f).value_from_object) == _PLAIN_STRING else f,
            plain_attribute(model, f.attname),
        )
        for f in model._meta.concrete_fields
        if f.attname not in model.audit_exclude
    )


def snapshot(obj, fields=None):
    """The audited fields' values as strings (None for NULL), as Field.value_to_string gives them; only the
    named `fields` when given."""
    values, attributes = {}, obj.__dict__
    for attname, field, plain in _snapshot_fields(type(obj)):
        if fields is not None and attname not in fields:
            continue
        value = attributes[attname] if plain and attname in attributes else getattr(obj, attname)
        values[attname] = None if value is None else str(value) if field is None else field.value_to_string(obj)
    return values


def created_entries(model, rows, reprs):
    """Yield the creation entries of new rows given as full dicts of attnames (core.bulk.insert_values), `reprs`
    their str() in order: the same entries as record_created() of instances holding those values. snapshot()
    reads only the instance's attributes, so a namespace of the values stands in for it where a field's own
    value_to_string is needed."""
    label, pk, fields = model_label(model), model._meta.pk.attname, _snapshot_fields(model)
    for row, object_repr in zip(rows, reprs):
        after, obj = {}, None
        for attname, field, _ in fields:
            value = row[attname]
            if value is None or field is None:
                after[attname] = None if value is None else str(value)
            else:
                obj = obj or SimpleNamespace(**row)
                after[attname] = field.value_to_string(obj)
        yield Event(AuditEntry.Action.CREATE, label, str(row[pk]), object_repr, {"after": after})


def model_label(obj_or_model):
    return obj_or_model._meta.label_lower


def _canonical(fields):
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


_json_string = json.encoder.encode_basestring  # what _canonical writes for a str (ensure_ascii=False)


def _meta_prefix(at, actor_id, actor_name, action, model):
    """The canonical JSON of an entry's meta (chain_hash) up to its object_id: keys in sorted order, as
    _canonical writes them. record() makes it once per batch and model rather than encoding each entry's meta
    whole; tests/test_audit.py checks the result against chain_hash, which the verifier uses."""
    actor = "null" if actor_id is None else str(int(actor_id))
    return (
        f'{{"action":{_json_string(action)},"actor_id":{actor},"actor_name":{_json_string(actor_name)},'
        f'"at":{_json_string(at.isoformat())},"model":{_json_string(model)},"object_id":'
    )


def _meta_json(prefix, object_id, object_repr):
    return f'{prefix}{_json_string(object_id)},"object_repr":{_json_string(object_repr)}}}'


def chain_hash(entry, prev_hash, changes_json=None):
    """SHA-256 of the entry's canonical content and the previous entry's hash (the chain's link)."""
    meta = {
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "model": entry.model,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
    }
    changes_json = _canonical(entry.changes) if changes_json is None else changes_json
    return hashlib.sha256("\n".join((_canonical(meta), changes_json, prev_hash)).encode("utf-8")).hexdigest()


@dataclass
class Change:
    action: str
    obj: models.Model
    changes: dict

    @property
    def target(self):
        return model_label(self.obj), str(self.obj.pk), str(self.obj)


@dataclass
class Event:
    """What a security event concerns (a user for a login, a kind of record for an export), with its data."""

    action: str
    model: str
    object_id: str
    object_repr: str
    changes: dict

    @property
    def target(self):
        return self.model, self.object_id, self.object_repr


_INSERT_COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "model",
    "object_id",
    "object_repr",
    "changes",
    "prev_hash",
    "hash",
)


def record(changes: Iterable[Change | Event], actor=None, actor_name="系统"):
    """Append entries to the chain, serialised by a lock on the chain's head row. The actor is `actor`, else
    the user of the `acting_as` block; `actor_name` names an entry with neither (a command, a failed login).

    Rows go in with COPY on PostgreSQL and one executemany of bound parameters elsewhere: imports append
    hundreds of thousands of entries, and a model instance per entry would cost more than the rest of the import.
    `changes` may be a generator, which must not query the database: each entry is made as COPY takes it,
    while the server stores the ones before.
    """
    if isinstance(changes, list | tuple) and not changes:
        return
    actor = actor or current_actor()
    connection = connections[router.db_for_write(AuditEntry)]
    actor_id, actor_name = (actor.pk, str(actor)) if actor else (None, actor_name)
    with transaction.atomic(using=connection.alias):
        head = AuditHead.objects.select_for_update().get_or_create(id=1)[0]
        at, prefixes, chain = timezone.now(), {}, [head.last_hash, 0]
        db_at = connection.ops.adapt_datetimefield_value(at)
        sha256 = hashlib.sha256

        if isinstance(changes, list | tuple):
            # str() of an instance may query (a relation not loaded yet): not while COPY runs
            targeted = [(change.target, change) for change in changes]
        else:
            targeted = ((change.target, change) for change in changes)

        def rows():
            # A generator: COPY sends the rows while the next ones are hashed, so the server stores them on the
            # other core meanwhile.
            prev = chain[0]
            for (model, object_id, object_repr), change in targeted:
                object_repr = object_repr[:200]
                prefix = prefixes.get((change.action, model))
                if prefix is None:
                    prefix = prefixes[change.action, model] = _meta_prefix(
                        at, actor_id, actor_name, change.action, model
                    )
                changes_json = _canonical(change.changes)
                # chain_hash's text, the meta's JSON from the batch's prefix
                text = "\n".join((_meta_json(prefix, object_id, object_repr), changes_json, prev))
                prev_hash, prev = prev, sha256(text.encode("utf-8")).hexdigest()
                chain[:] = prev, chain[1] + 1
                yield (
                    db_at,
                    actor_id,
                    actor_name,
                    change.action,
                    model,
                    object_id,
                    object_repr,
                    changes_json,
                    prev_hash,
                    prev,
                )

        insert_rows(connection, AuditEntry._meta.db_table, _INSERT_COLUMNS, rows())
        prev, count = chain
        if not count:  # an empty iterable
            return
        last_id = AuditEntry.objects.filter(hash=prev).values_list("id", flat=True).get()
        AuditHead.objects.filter(id=1).update(last_id=last_id, last_hash=prev, count=models.F("count") + count)


def record_event(user, action, detail, *, rows=None, target=None, **data):
    """Append a security event (an AuditEntry.Action after DELETE): who (`user`: None for the system, an anonymous
    user for a failed login), what (`detail`, the entry's object), about which record or kind of record (`target`: an instance or
    a model class), and for an export or download how many `rows`; other keyword values go into its data."""
    changes = {key: value for key, value in {"rows": rows, **data}.items() if value is not None}
    model = model_label(target) if target is not None else ""
    object_id = str(target.pk) if isinstance(target, models.Model) else ""
    actor = user if getattr(user, "is_authenticated", False) else None
    record(
        [Event(action, model, object_id, detail, changes)],
        actor=actor,
        actor_name="系统" if user is None else "未登录用户",
    )


def record_export(request, detail, *, rows, target=None):
    """The event of an export or download of personal data made by `request`: who, what (`detail`, the address
    and the query that chose the rows) and how many rows."""
    record_event(
        request.user,
        AuditEntry.Action.EXPORT,
        detail,
        rows=rows,
        target=target,
        path=request.path,
        query=request.GET.urlencode() or None,
    )


def record_created(objects):
    """One creation entry per object, for records written with bulk_create (which sends no signals)."""
    record([Change(AuditEntry.Action.CREATE, obj, {"after": snapshot(obj)}) for obj in objects])


def bulk_create_audited(model, objects, **kwargs):
    """bulk_create with one audit entry per row, appended to the chain in one step."""
    created = model.objects.bulk_create(objects, **kwargs)
    changes.rows_written(model, created)
    record_created(created)
    return created


def m2m_change(instance, field, verb, pks):
    """The entry of a many-to-many change ("added", "removed" or "cleared" on `field`), for signals and bulk writes."""
    return Change(AuditEntry.Action.UPDATE, instance, {"m2m": {field: {verb: sorted(str(pk) for pk in pks)}}})


def bulk_update_audited(model, objects, fields, before=None):
    """Write the named fields of many instances (bulk.update_rows, which sends no signals) with one update
    entry per changed row, comparing those fields; the values before are read back in one query, unless the
    caller passes them (`before`: pk → snapshot, of at least those fields, taken of rows it read under a lock
    in this transaction)."""
    written = {model._meta.get_field(name).attname for name in fields}
    if before is None:
        before = {
            obj.pk: snapshot(obj, written)
            for obj in model._base_manager.filter(pk__in=[obj.pk for obj in objects]).only(*fields)
        }
    update_rows(model, objects, fields)
    record(
        [
            Change(AuditEntry.Action.UPDATE, obj, {"changed": changed})
            for obj in objects
            if (changed := diff(before[obj.pk], snapshot(obj, written)))
        ]
    )


def diff(before, after):
    """{field: [before, after]} for the fields whose snapshot values differ."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""
    last_id: int = 0  # the tip that was verified
    last_hash: str = GENESIS_HASH


@dataclass(frozen=True)
class Anchor:
    """The chain's tip as written outside the database by audit-anchor: the newest entry, the number of entries
    up to it and its hash. Whoever rewrites the tables cannot rewrite this copy, so a rewound tail shows."""

    entry_id: int
    count: int
    hash: str
    at: str

    def __str__(self):
        return f"锚点（{self.at[:19].replace('T', ' ')} 写入：第 {self.entry_id} 条记录，共 {self.count} 条）"

    def to_json(self):
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, line):
        data = json.loads(line)
        anchor = cls(int(data["entry_id"]), int(data["count"]), str(data["hash"]), str(data["at"]))
        if len(anchor.hash) != 64 or anchor.count < 1:
            raise ValueError(line)
        return anchor


class AnchorError(Exception):
    """An anchor cannot be read or written; the message is for the operator, in Chinese."""


def _anchor_mismatch(anchor, walked, checked, last_id):
    if walked is None:
        return f"与{anchor}不符：该条记录已不存在，链尾被回退（现有 {checked} 条，最后一条是第 {last_id} 条）"
    if walked[0] != anchor.hash:
        return f"与{anchor}不符：该条记录的哈希已改变（记录被改写）"
    return f"与{anchor}不符：截至该条应有 {anchor.count} 条，现有 {walked[1]} 条（有记录被删除或插入）"


def verify_chain(anchor: Anchor | None = None, since: Anchor | None = None):
    """Recompute every hash from the genesis, or from `since` (an anchor trusted for what precedes it: the
    incremental check before anchoring again). The head row and `anchor` must agree with what was walked.

    Entries appended while the walk runs move the head on; it is read after the walk, and when it names newer
    entries the walk goes on to them, so a busy system is not reported as tampered with."""
    prev, checked, last_id = GENESIS_HASH, 0, 0
    if since is not None:
        if not AuditEntry.objects.filter(id=since.entry_id, hash=since.hash).exists():
            return VerifyResult(
                False, 0, since.entry_id, f"与{since}不符：该条记录已不存在或已被改写（链尾被回退或篡改）"
            )
        prev, checked, last_id = since.hash, since.count, since.entry_id
    walked, more = None, True
    while more:
        more = False
        for entry in AuditEntry.objects.filter(id__gt=last_id).order_by("id").iterator(chunk_size=2000):
            if entry.prev_hash != prev:
                return VerifyResult(False, checked, entry.id, "前一条记录的哈希不符（有记录被删除或篡改）")
            if chain_hash(entry, prev) != entry.hash:
                return VerifyResult(False, checked, entry.id, "本条记录内容与哈希不符（记录被篡改）")
            prev, last_id, checked, more = entry.hash, entry.id, checked + 1, True
            if anchor is not None and entry.id == anchor.entry_id:
                walked = (entry.hash, checked)
        head = AuditHead.objects.filter(id=1).first() or AuditHead()
        more = more and head.last_id > last_id
    if anchor is not None and walked != (anchor.hash, anchor.count):
        return VerifyResult(False, checked, anchor.entry_id, _anchor_mismatch(anchor, walked, checked, last_id))
    if (head.last_hash, head.last_id, head.count) != (prev, last_id, checked):
        return VerifyResult(False, checked, head.last_id or None, "链尾与记录不符（末尾记录被删除或篡改）")
    return VerifyResult(True, checked, last_id=last_id, last_hash=prev)


def latest_anchor(path):
    """The last anchor written to the file at `path`, or None when there is none yet."""
    path = Path(path)
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"无法读取锚点文件 {path}：{exc}") from exc
    if not lines:
        return None
    try:
        return Anchor.from_json(lines[-1])
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorError(f"锚点文件 {path} 第 {len(lines)} 行不是有效的锚点") from exc


def _send_to_syslog(address, line):
    """One RFC 3164 datagram (facility auth, severity info) to a local socket path or to host:port over UDP."""
    host, _, port = address.rpartition(":")
    family, target = (socket.AF_INET, (host, int(port))) if host and port.isdigit() else (socket.AF_UNIX, address)
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.sendto(f"<38>postlicense-audit-anchor: {line}".encode(), target)
    except OSError as exc:
        raise AnchorError(f"无法发送到 syslog（{address}）：{exc}") from exc


def anchor_chain(path, syslog_address=""):
    """Check the entries added since the latest anchor, then write the chain's tip to the anchor file (appended,
    one JSON line) and/or syslog. Returns (anchor, written): an unchanged tip is not written again."""
    previous = latest_anchor(path) if path else None
    result = verify_chain(since=previous)
    if not result.ok:
        raise AnchorError(f"审计日志校验失败，未写入锚点：第 {result.broken_id} 条记录处断裂——{result.reason}")
    if result.checked == 0:
        return None, False
    anchor = Anchor(
        result.last_id, result.checked, result.last_hash, timezone.localtime().isoformat(timespec="seconds")
    )
    if previous is not None and (previous.entry_id, previous.hash) == (anchor.entry_id, anchor.hash):
        return previous, False
    line = anchor.to_json()
    if path:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as file:
                file.write(line + "\n")
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            raise AnchorError(f"无法写入锚点文件 {path}：{exc}") from exc
    if syslog_address:
        _send_to_syslog(syslog_address, line)
    return anchor, True


def history_of(obj):
    return AuditEntry.objects.filter(model=model_label(obj), object_id=str(obj.pk)).select_related("actor")


def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old else None


def fields_changed(instance):
    """In a post_save receiver: the attnames this save of `instance` changed (against the row read in pre_save), or
    None when that is not known (a new row, a model outside the audit trail). Lets a receiver skip work that only
    some fields call for (an autosave of a record changes neither its status nor its counted date)."""
    before = getattr(instance, "_audit_before", None)
    if before is None:
        return None
    after = snapshot(instance)
    return {name for name, value in after.items() if before.get(name) != value}


def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = snapshot(instance)
    before = None if created else getattr(instance, "_audit_before", None)
    if before is None:
        record([Change(AuditEntry.Action.CREATE, instance, {"after": after})])
        return
    changed = diff(before, after)
    if changed:
        record([Change(AuditEntry.Action.UPDATE, instance, {"changed": changed})])


def _log_delete(sender, instance, **kwargs):
    record([Change(AuditEntry.Action.DELETE, instance, {"before": snapshot(instance)})])


def connect(all_models):
    """Connect the save and delete handlers to each AuditedModel by name: a handler for every sender would
    also stop Django from fast-deleting plain rows (a many-to-many link table, say) without loading them."""
    for model in all_models:
        if issubclass(model, AuditedModel):
            pre_save.connect(_remember_before, sender=model, dispatch_uid=f"audit-before-{model._meta.label}")
            post_save.connect(_log_save, sender=model, dispatch_uid=f"audit-save-{model._meta.label}")
            post_delete.connect(_log_delete, sender=model, dispatch_uid=f"audit-delete-{model._meta.label}")


@receiver(m2m_changed)
def _log_m2m(sender, instance, action, model, pk_set, **kwargs):
    if action not in M2M_VERBS or not isinstance(instance, AuditedModel):
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name,
    )
    record([m2m_change(instance, field, M2M_VERBS[action], pk_set or [])])
