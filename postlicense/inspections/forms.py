"""Parsing of the record form (one field per item, built from the checklist version) and the dispatch form."""

import uuid
from dataclasses import dataclass, field
from datetime import date

from django import forms

from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise

from .models import ChecklistVersion, InspectionRecord
from .rules import CERTIFICATE_RULE
from .selectors import extra_field_places, kinds_label, register_facts
from .services import SPECIAL_RULE, checklist_kind_mismatch


@dataclass
class ItemRow:
    item: object
    option: str = ""
    conclusion: str = ""
    note: str = ""
    finding: object = None
    confirmed: bool = False
    register_note: str = ""
    register_says: str = ""


@dataclass
class RecordForm:
    """What the record form shows: saved values, overlaid with what the user posted (so an error loses nothing)."""

    record: InspectionRecord
    items: list
    equipment: list
    values: dict
    errors: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    findings: dict = field(default_factory=dict)
    confirmations: dict = field(default_factory=dict)
    equipment_found: dict = field(default_factory=dict)

    @property
    def is_valid(self):
        return not self.errors

    @property
    def draft(self):
        """The keywords services.save_draft takes from this form."""
        return dict(
            fields=self.fields,
            findings=self.findings,
            equipment=self.equipment_found,
            confirmations=self.confirmations,
        )

    @property
    def extra_places(self):
        """The extra fields with their values, where the version places them: before, in the item section, after."""
        return {
            where: [dict(spec, value=self.values["extra"].get(spec["key"], "")) for spec in specs]
            for where, specs in extra_field_places(self.record.template_version).items()
        }


def record_form(record, data=None, *, page=True):
    """The form of `record`, bound to `data` if given. `page=False` (autosave, which renders nothing) skips what
    only the page shows: the register facts and the attachments."""
    findings = record.findings.prefetch_related("attachments") if page else record.findings.all()
    findings = {f.item_id: f for f in findings}
    facts = register_facts(record) if page else {}
    items = []
    for item in record.checked_items():
        f = findings.get(item.pk)
        fact = facts.get(item.register_check)
        items.append(
            ItemRow(
                item,
                f.option if f else "",
                f.conclusion if f else "",
                f.note if f else "",
                f,
                bool(f and f.register_confirmed),
                f.register_note if f else "",
                fact.says if fact else "",
            )
        )
    values = {
        "inspection_date": record.inspection_date.isoformat() if record.inspection_date else "",
        "problems_summary": record.problems_summary,
        "enterprise_opinion": record.enterprise_opinion,
        "extra": dict(record.extra_values),
    }
    form = RecordForm(record, items, list(record.equipment_checks.all()), values)
    if data is not None:
        _bind(form, data)
    return form


def _bind(form, data):
    record = form.record
    raw_date = data.get("inspection_date", "").strip()
    form.values["inspection_date"] = raw_date
    try:
        form.fields["inspection_date"] = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        form.errors["inspection_date"] = "日期格式应为 YYYY-MM-DD。"
    version = record.template_version
    shown = {"problems_summary": version.has_problems_summary, "enterprise_opinion": version.enterprise_opinion}
    for name in (name for name, on_form in shown.items() if on_form):  # a field the form lacks keeps its value
        form.values[name] = form.fields[name] = data.get(name, "").strip()
    extra = {}
    for spec in record.template_version.extra_fields:
        value = data.get(f"extra-{spec['key']}", "").strip()
        if spec.get("type") == "number" and value and not value.isdigit():
            form.errors[f"extra-{spec['key']}"] = f"“{spec['label']}”应为非负整数。"
        extra[spec["key"]] = value
    form.values["extra"] = form.fields["extra_values"] = extra
    for row in form.items:
        pk = row.item.pk
        row.option = data.get(f"option-{pk}", "").strip()
        row.conclusion = data.get(f"conclusion-{pk}", "").strip()
        row.note = data.get(f"note-{pk}", "").strip()
        form.findings[pk] = (row.option, row.conclusion, row.note)
        if row.item.register_check:
            row.confirmed = data.get(f"confirm-{pk}") == "on"
            row.register_note = data.get(f"confirm-note-{pk}", "").strip()
            form.confirmations[pk] = (row.confirmed, row.register_note)
    for row in form.equipment:
        if f"eq-qty-{row.pk}" not in data:
            continue
        qty = data.get(f"eq-qty-{row.pk}", "").strip()
        row.found_model = data.get(f"eq-model-{row.pk}", "").strip()
        row.note = data.get(f"eq-note-{row.pk}", "").strip()
        if qty and not qty.isdigit():
            form.errors[f"eq-qty-{row.pk}"] = f"“{row.name}”的现场数量应为非负整数。"
            continue
        row.found_quantity = int(qty) if qty else None
        form.equipment_found[row.pk] = (row.found_quantity, row.found_model, row.note)


def add_errors(form, exc):
    """A service's ValidationError onto the form: messages keyed by field stay at their field, others on top."""
    for key, messages in (exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}).items():
        key = "form" if key == "__all__" else key
        form.errors[key] = " ".join(filter(None, [form.errors.get(key, ""), *messages]))


def parse_revision(data):
    value = data.get("revision", "")
    return int(value) if value.isdigit() else -1


class VersionSelect(forms.Select):
    """Each option carries the kinds its checklist serves; record.js shows only those of the chosen kind."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["data-kinds"] = " ".join(value.instance.kinds)
        return option


class VersionChoiceField(forms.ModelChoiceField):
    widget = VersionSelect

    def label_from_instance(self, version):
        return f"{version}（适用：{kinds_label(version) or '无'}）"


class DispatchForm(forms.Form):
    """新建检查: the bureau dispatches one record (the random check dispatches through services directly)."""

    enterprise = forms.ModelChoiceField(Enterprise.objects.none(), label="企业")
    kind = forms.ChoiceField(choices=InspectionRecord.Kind.choices, label="检查类型")
    special_trigger = forms.ChoiceField(
        choices=[("", "—")] + InspectionRecord.Trigger.choices, required=False, label=f"专项检查原因（{SPECIAL_RULE}）"
    )
    template_version = VersionChoiceField(
        ChecklistVersion.objects.none(), label="检查表", help_text="只能选择适用于所选检查类型的检查表"
    )
    inspectors = forms.ModelMultipleChoiceField(
        Inspector.objects.none(),
        label="检查人员",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=f"不少于2人（{CERTIFICATE_RULE}）",
    )
    due_date = forms.DateField(label="完成期限", widget=forms.DateInput(attrs={"type": "date"}))
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        self.fields["inspectors"].queryset = (
            Inspector.objects.for_user(user).filter(active=True).select_related("org_unit")
        )
        self.fields["template_version"].queryset = (
            ChecklistVersion.objects.filter(published=True)
            .select_related("template")
            .order_by("template__code", "-number")
        )
        self.fields["token"].initial = uuid.uuid4()

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < date.today():
            raise forms.ValidationError(f"完成期限 {due:%Y-%m-%d} 已过，请选择今天或以后的日期。")
        return due

    def clean(self):
        data = super().clean()
        if data.get("kind") == InspectionRecord.Kind.SPECIAL and not data.get("special_trigger"):
            self.add_error("special_trigger", f"专项检查须选择检查原因（{SPECIAL_RULE}）。")
        if data.get("inspectors") is not None and len(data["inspectors"]) < 2:
            self.add_error("inspectors", f"检查人员不少于2人（{CERTIFICATE_RULE}）。")
        version, kind = data.get("template_version"), data.get("kind")
        if version and kind and kind not in version.kinds:
            self.add_error("template_version", checklist_kind_mismatch(version, kind))
        return data


class InspectorLabelField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, inspector):
        return f"{inspector.name}（{inspector.org_unit}，执法证有效期至 {inspector.certificate_valid_until:%Y-%m-%d}）"


class CrewForm(forms.Form):
    """指派检查组: the inspectors picked by hand (or none, for 随机匹配), the page's version and one-time token."""

    inspectors = InspectorLabelField(
        Inspector.objects.none(),
        label="检查人员",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"不少于2人，执法证在检查期间有效，不在企业回避名单上（{CERTIFICATE_RULE}）",
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = (
            Inspector.objects.for_user(user).filter(active=True).select_related("org_unit").order_by("org_unit", "name")
        )
        self.fields["token"].initial = uuid.uuid4()

    def refuse(self, exc):
        """A stale page: the error on top, and the current version, so assigning again wins."""
        self.data = self.data.copy()
        self.data["version"] = exc.version
        self.add_error(None, exc)
