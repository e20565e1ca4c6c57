"""No lost updates (issue 11 item 3): an edit page or API write carries the version of the record it was loaded at,
and a save that would overwrite what someone else saved since is refused, showing what they changed.

The version is a signed snapshot of the edited fields' values (`version_of`), not a counter column: the register's
models need no migration for it, and a save can tell exactly which fields the other person changed (the snapshot is
the base, the row as it is now is theirs, the post is yours). The signature binds it to one record: a version from
another record, an edited one or none at all counts as an unknown base.

A save is refused only when it would lose something: a field whose value changed since the base and whose posted
value differs from the value now stored. Posting the values the row already holds (a double click: the same save
twice with the same base) or agreeing with the other person's change is therefore not an error. Fields a write does
not carry (an API PATCH) keep their current value and never conflict.

Function-level API (HTML forms use VersionedForm below; API writes call the functions):

    version_of(obj, fields) -> str
        The version to hand out with `obj` (hidden form field, API representation). `fields`: names of the model's
        concrete or many-to-many fields that the write may change.
    locked(obj) -> obj
        The row as stored now, locked until the transaction ends (call inside transaction.atomic()).
    check_version(current, version, posted, fields) -> None
        `current`: from locked(); `version`: what the client sent ("" or None if nothing); `posted`: field name ->
        the value the write would store (model instances or primary keys for relations, iterables for
        many-to-many). Raises StaleEdit when the save would overwrite another person's change.
    StaleEdit (a ValidationError): its message is the Chinese text to show; .conflicts lists Conflict(label,
        theirs, yours) as the pages show values; .version is the row's current version: a client that resubmits
        with it (after reviewing) saves its own values.

Typical write:

    with transaction.atomic():
        current = locked(obj)
        check_version(current, version, posted, FIELDS)
        ...save...
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .audit import model_label
from .history import EMPTY
from .models import AuditEntry


def _field(model, name):
    return model._meta.get_field(name)


def _pk(value):
    return getattr(value, "pk", value)


def _plain(f, value):
    """`value` of field `f` in one comparable, JSON-able form, whether it was loaded from the row or posted."""
    if f.many_to_many:
        return sorted(str(_pk(v)) for v in value or ())
    if f.is_relation:
        pk = _pk(value)
        return None if pk in (None, "") else str(pk)
    value = f.to_python(value)
    if isinstance(value, Decimal):
        value = value.quantize(Decimal(1).scaleb(-f.decimal_places))
    if value == "" and f.null:
        value = None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _stored(obj, name):
    f = _field(type(obj), name)
    return list(getattr(obj, name).all()) if f.many_to_many else getattr(obj, f.name)


def _values(obj, fields):
    values = {}
    for name in fields:
        f = _field(type(obj), name)
        values[name] = _plain(
            f, getattr(obj, f.attname) if f.is_relation and not f.many_to_many else _stored(obj, name)
        )
    return values


def _salt(obj):
    return f"postlicense.concurrency:{model_label(obj)}:{obj.pk}"


def version_of(obj, fields):
    return signing.dumps(_values(obj, fields), salt=_salt(obj), compress=True)


def _base(obj, version):
    """The values the client loaded, or None when the version is missing, edited or another record's."""
    if not version:
        return None
    try:
        return signing.loads(version, salt=_salt(obj))
    except signing.BadSignature:
        return None


def locked(obj):
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _shown(f, value, labels=None):
    """A value as the pages show it: choice labels (the field's, or `labels` for a list field whose choices are the
    form's), 是/否, related records by name."""
    if f.many_to_many or f.is_relation:
        items = list(value or ()) if f.many_to_many else ([] if _pk(value) in (None, "") else [value])
        keys = [v for v in items if not isinstance(v, models.Model)]
        found = f.related_model._base_manager.in_bulk(keys) if keys else {}
        names = [str(v if isinstance(v, models.Model) else found.get(v, v)) for v in items]
        return "、".join(sorted(names)) or EMPTY
    value = f.to_python(value)
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if f.choices or labels:
        labels = labels or dict(f.flatchoices)
        if isinstance(value, list):
            return "、".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


@dataclass
class Conflict:
    label: str
    theirs: str
    yours: str

    def __str__(self):
        return f"{self.label}：{self.theirs} → {self.yours}"


def _last_saved_by(obj):
    entry = (
        AuditEntry.objects.filter(model=model_label(obj), object_id=str(obj.pk), action=AuditEntry.Action.UPDATE)
        .order_by("-id")
        .first()
    )
    if entry is None:
        return "另一位用户"
    return f"{entry.actor_name or '另一位用户'}（{timezone.localtime(entry.at):%m月%d日 %H:%M}）"


class StaleEdit(ValidationError):
    def __init__(self, current, conflicts, version, known_base):
        self.conflicts, self.version = conflicts, version
        if known_base:
            what = f"在您编辑期间，{_last_saved_by(current)}已修改并保存了这条记录，对方的修改与您填写的不同"
        else:
            what = "无法确认本页载入时的内容（页面缺少版本信息或版本信息无效），以下项目与当前保存的内容不同"
        changes = "；".join(str(c) for c in conflicts)
        super().__init__(
            f"保存未成功：{what}（项目：对方保存的值 → 您填写的值）：{changes}。您填写的内容仍保留在本页；"
            "请核对后再次保存，再次保存将以本页内容为准。",
            code="stale",
        )


def check_version(current, version, posted, fields, labels=None):
    """`labels`: optional field name -> {stored value: label}, for list fields whose choices only the form knows."""
    labels = labels or {}
    model = type(current)
    base = _base(current, version)
    now = _values(current, fields)
    conflicts = []
    for name in fields:
        if name not in posted:
            continue
        f = _field(model, name)
        yours = _plain(f, posted[name])
        if yours != now[name] and (base is None or base.get(name) != now[name]):
            label = str(f.verbose_name)
            shown = [_shown(f, value, labels.get(name)) for value in (_stored(current, name), posted[name])]
            conflicts.append(Conflict(label, *shown))
    if conflicts:
        raise StaleEdit(current, conflicts, version_of(current, fields), base is not None)


class VersionedForm:
    """Mix into a ModelForm (before forms.ModelForm): an edit carries a hidden "version" and `save_checked` refuses a
    stale save, keeping the bound data (what the user typed) and handing the page the current version.

    `versioned_fields` defaults to Meta.fields; a form whose field posts a model field under another name (or
    computes it) overrides `posted_values`."""

    versioned_fields = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.initial["version"] = version_of(self.instance, self.get_versioned_fields())

    def get_versioned_fields(self):
        return list(self.versioned_fields or self._meta.fields)

    def posted_values(self):
        return {
            name: self.cleaned_data[name] if name in self.cleaned_data else getattr(self.instance, name)
            for name in self.get_versioned_fields()
        }

    def choice_labels(self):
        """Labels of plain choice fields (a JSON list of codes has no choices on the model)."""
        return {
            name: {str(k): str(v) for k, v in field.choices}
            for name, field in self.fields.items()
            if type(field) in (forms.ChoiceField, forms.MultipleChoiceField)
        }

    def check_version(self):
        """Inside the caller's transaction: lock the row and raise StaleEdit if this save would lose a change."""
        if self.instance.pk:
            fields = self.get_versioned_fields()
            version = self.cleaned_data.get("version")
            check_version(locked(self.instance), version, self.posted_values(), fields, self.choice_labels())

    def save_checked(self):
        """Save (ModelForm.save) unless that would overwrite another person's change; on StaleEdit the form carries
        the error and the current version, and nothing is written."""
        try:
            with transaction.atomic():
                self.check_version()
                return self.save()
        except StaleEdit as exc:
            self.refuse(exc)
            return None

    def refuse(self, exc):
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = exc.version
        self.add_error(None, exc)
