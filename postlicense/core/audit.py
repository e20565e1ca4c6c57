"""Tamper-evident audit trail: every change of an AuditedModel becomes one hash-chained AuditEntry."""
import contextlib
import contextvars
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

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


def entry_content(entry):
    return _canonical(
        {
            "at": entry.at.isoformat(),
            "actor_id": entry.actor_id,
            "actor_name": entry.actor_name,
            "action": entry.action,
            "model": entry.model,
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "changes": entry.changes,
        }
    )


def chain_hash(entry, prev_hash):
    return hashlib.sha256((entry_content(entry) + prev_hash).encode("utf-8")).hexdigest()


@dataclass
class Change:
    action: str
    obj: models.Model
    changes: dict


def record(changes: list[Change]):
    """Append entries to the chain, serialised by a lock on the chain's head row."""
    if not changes:
        return []
    actor = current_actor()
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get_or_create(id=1)[0]
        prev, entries, at = head.last_hash, [], timezone.now()
        for change in changes:
            entry = AuditEntry(
                at=at,
                actor=actor,
                actor_name=str(actor) if actor else "系统",
                action=change.action,
                model=model_label(change.obj),
                object_id=str(change.obj.pk),
                object_repr=str(change.obj)[:200],
                changes=json.loads(_canonical(change.changes)),
                prev_hash=prev,
            )
            entry.hash = prev = chain_hash(entry, prev)
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        last_id = entries[-1].id or AuditEntry.objects.get(hash=prev).id
        AuditHead.objects.filter(id=1).update(last_id=last_id, last_hash=prev, count=models.F("count") + len(entries))
    return entries


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


def _audited(sender):
    return isinstance(sender, type) and issubclass(sender, AuditedModel)


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender) or instance._state.adding:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old else None


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    after = snapshot(instance)
    before = None if created else getattr(instance, "_audit_before", None)
    if before is None:
        record([Change(AuditEntry.Action.CREATE, instance, {"after": after})])
        return
    diff = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if diff:
        record([Change(AuditEntry.Action.UPDATE, instance, {"changed": diff})])


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if _audited(sender):
        record([Change(AuditEntry.Action.DELETE, instance, {"before": snapshot(instance)})])


@receiver(m2m_changed)
def _log_m2m(sender, instance, action, model, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"} or not isinstance(instance, AuditedModel):
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name,
    )
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    record([Change(AuditEntry.Action.UPDATE, instance, {"m2m": {field: {verb: sorted(str(pk) for pk in pk_set or [])}}})])
