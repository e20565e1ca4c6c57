"""Audit entries as a person reads them: field labels (verbose_name) instead of column names, values as the
pages show them (是/否, choice labels, the related record's name), and where a change came from (批量导入)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models

from .models import AuditEntry

# What an entry's "source" says about how it was written (registry.importing.FROM_IMPORT marks an import's).
SOURCES = {"import": "批量导入"}
M2M_VERBS = {"added": "增加", "removed": "移除", "cleared": "清空"}
EMPTY = "—"


@dataclass
class FieldChange:
    label: str
    before: str = EMPTY
    after: str = EMPTY


@dataclass
class EntryView:
    entry: AuditEntry
    source: str = ""
    fields: list[FieldChange] = field(default_factory=list)
    summary: str = ""


def _field(model, name):
    """The field whose column (attname, e.g. "org_unit_id") or name is `name`; None if the model no longer has it."""
    for f in model._meta.get_fields():
        if getattr(f, "attname", None) == name or f.name == name:
            return f
    return None


class _Names:
    """str() of related records, one query per related model for a whole page of entries."""

    def __init__(self):
        self.wanted, self.found = {}, {}

    def want(self, model, pk):
        self.wanted.setdefault(model, set()).add(pk)

    def load(self):
        for model, pks in self.wanted.items():
            try:
                rows = model._base_manager.in_bulk([model._meta.pk.to_python(pk) for pk in pks])
            except ValidationError:  # not a key of that model (an entry older than a schema change)
                continue
            self.found.update({(model, str(pk)): str(obj) for pk, obj in rows.items()})

    def name(self, model, pk):
        return self.found.get((model, str(pk)), f"编号 {pk}（已删除）")


def _value(f, raw, names):
    """A snapshot value (Field.value_to_string) as the pages show it."""
    if raw is None or raw == "":
        return EMPTY
    if isinstance(f, models.BooleanField):
        return {"True": "是", "False": "否"}.get(raw, raw)
    if f is not None and f.choices:
        return next((str(label) for key, label in f.flatchoices if str(key) == raw), raw)
    if isinstance(f, models.ForeignKey):
        return names.name(f.related_model, raw)
    return raw


def _pairs_and_sets(changes):
    """(field, [before, after]) and (field, {verb: pks}) items: an update's "changed" and "m2m", or a security
    event's "changed" (a user's access fields and groups)."""
    changed = changes.get("changed") or {}
    pairs = [(name, value) for name, value in changed.items() if isinstance(value, list | tuple)]
    sets = [(name, value) for name, value in changed.items() if isinstance(value, dict)]
    return pairs, sets + list((changes.get("m2m") or {}).items())


def describe(entries, model):
    """One EntryView per audit entry of records of `model`, related names looked up once for all entries."""
    entries, names = list(entries), _Names()
    for entry in entries:
        pairs, sets = _pairs_and_sets(entry.changes or {})
        for name, pair in pairs:
            if isinstance(f := _field(model, name), models.ForeignKey):
                for raw in pair:
                    if raw not in (None, ""):
                        names.want(f.related_model, raw)
        for name, delta in sets:
            if (f := _field(model, name)) is not None and f.many_to_many:
                for pks in delta.values():
                    for pk in pks:
                        names.want(f.related_model, pk)
    names.load()
    return [_view(entry, model, names) for entry in entries]


def _label(f, name):
    return str(f.verbose_name) if f is not None and hasattr(f, "verbose_name") else name


def _set_change(f, name, delta, names):
    def listed(pks):
        return "、".join(names.name(f.related_model, pk) if f is not None else pk for pk in pks)

    return f"{_label(f, name)}：" + "；".join(
        f"{M2M_VERBS.get(verb, verb)} {listed(pks)}".strip() for verb, pks in delta.items()
    )


def _view(entry, model, names):
    changes = entry.changes or {}
    view = EntryView(entry, source=SOURCES.get(changes.get("source"), ""))
    pairs, sets = _pairs_and_sets(changes)
    for name, (before, after) in pairs:
        f = _field(model, name)
        view.fields.append(FieldChange(_label(f, name), _value(f, before, names), _value(f, after, names)))
    parts = [_set_change(_field(model, name), name, delta, names) for name, delta in sets]
    if entry.action not in {AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE, AuditEntry.Action.DELETE}:
        rows = changes.get("rows")  # a security event: what it was is the entry's object text
        parts.insert(0, entry.object_repr + (f"（{rows} 行）" if rows is not None else ""))
    elif "after" in changes:
        parts.append("新增记录")
    elif "before" in changes:
        parts.append("删除记录")
    view.summary = "；".join(parts)
    return view
