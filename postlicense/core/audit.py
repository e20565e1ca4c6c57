"""Tamper-evident audit trail: every change of an AuditedModel becomes one hash-chained AuditEntry."""
import contextlib
import contextvars
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .bulk import insert_rows, update_rows
from .models import AuditedModel, AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
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


def snapshot(obj):
    return {
        f.attname: (None if getattr(obj, f.attname) is None else f.value_to_string(obj))
        for f in obj._meta.concrete_fields
        if f.attname not in obj.audit_exclude
    }


def model_label(obj_or_model):
    return obj_or_model._meta.label_lower


def _canonical(fields):
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


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


@dataclass
class _PendingEntry:
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    model: str
    object_id: str
    object_repr: str


_INSERT_COLUMNS = ("at", "actor_id", "actor_name", "action", "model", "object_id", "object_repr", "changes",
                   "prev_hash", "hash")


def record(changes: list[Change]):
    """Append entries to the chain, serialised by a lock on the chain's head row.

    Rows go in with COPY on PostgreSQL and one executemany of bound parameters elsewhere: imports append
    hundreds of thousands of entries, and a model instance per entry would cost more than the rest of the import.
    """
    if not changes:
        return
    actor = current_actor()
    connection = connections[router.db_for_write(AuditEntry)]
    with transaction.atomic(using=connection.alias):
        head = AuditHead.objects.select_for_update().get_or_create(id=1)[0]
        prev, at, rows = head.last_hash, timezone.now(), []
        db_at = connection.ops.adapt_datetimefield_value(at)
        for change in changes:
            entry = _PendingEntry(at, actor.pk if actor else None, str(actor) if actor else "系统", change.action,
                                  model_label(change.obj), str(change.obj.pk), str(change.obj)[:200])
            changes_json = _canonical(change.changes)
            prev_hash, prev = prev, chain_hash(entry, prev, changes_json)
            rows.append((db_at, entry.actor_id, entry.actor_name, entry.action, entry.model, entry.object_id,
                         entry.object_repr, changes_json, prev_hash, prev))
        insert_rows(connection, AuditEntry._meta.db_table, _INSERT_COLUMNS, rows)
        last_id = AuditEntry.objects.filter(hash=prev).values_list("id", flat=True).get()
        AuditHead.objects.filter(id=1).update(last_id=last_id, last_hash=prev, count=models.F("count") + len(rows))


def record_created(objects):
    """One creation entry per object, for records written with bulk_create (which sends no signals)."""
    record([Change(AuditEntry.Action.CREATE, obj, {"after": snapshot(obj)}) for obj in objects])


def bulk_create_audited(model, objects, **kwargs):
    """bulk_create with one audit entry per row, appended to the chain in one step."""
    created = model.objects.bulk_create(objects, **kwargs)
    record_created(created)
    return created


def m2m_change(instance, field, verb, pks):
    """The entry of a many-to-many change ("added", "removed" or "cleared" on `field`), for signals and bulk writes."""
    return Change(AuditEntry.Action.UPDATE, instance, {"m2m": {field: {verb: sorted(str(pk) for pk in pks)}}})


def bulk_update_audited(model, objects, fields):
    """Write the named fields of many instances (bulk.update_rows, which sends no signals) with one update
    entry per changed row; the values before are read back in one query."""
    before = {obj.pk: snapshot(obj) for obj in model._base_manager.filter(pk__in=[obj.pk for obj in objects])}
    update_rows(model, objects, fields)
    record([Change(AuditEntry.Action.UPDATE, obj, {"changed": changed}) for obj in objects
            if (changed := diff(before[obj.pk], snapshot(obj)))])


def diff(before, after):
    """{field: [before, after]} for the fields whose snapshot values differ."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify_chain():
    prev, checked, last_id = GENESIS_HASH, 0, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.id, "前一条记录的哈希不符（有记录被删除或篡改）")
        if chain_hash(entry, prev) != entry.hash:
            return VerifyResult(False, checked, entry.id, "本条记录内容与哈希不符（记录被篡改）")
        prev, last_id, checked = entry.hash, entry.id, checked + 1
    head = AuditHead.objects.filter(id=1).first()
    if head is None:
        head = AuditHead()
    if (head.last_hash, head.last_id, head.count) != (prev, last_id, checked):
        return VerifyResult(False, checked, head.last_id or None, "链尾与记录不符（末尾记录被删除或篡改）")
    return VerifyResult(True, checked)


def history_of(obj):
    return AuditEntry.objects.filter(model=model_label(obj), object_id=str(obj.pk)).select_related("actor")


def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old else None


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
    if action not in {"post_add", "post_remove", "post_clear"} or not isinstance(instance, AuditedModel):
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name,
    )
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    record([m2m_change(instance, field, verb, pk_set or [])])
