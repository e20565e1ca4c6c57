"""Parsing of the record form (one field per item, built from the checklist version) and the dispatch form."""
import uuid
from dataclasses import dataclass, field
from datetime import date

from django import forms

from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise

from .models import ChecklistVersion, InspectionRecord


@dataclass
class ItemRow:
    item: object
    option: str = ""
    conclusion: str = ""
    note: str = ""
    finding: object = None


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
    equipment_found: dict = field(default_factory=dict)

    @property
    def is_valid(self):
        return not self.errors

    @property
    def extra_rows(self):
        return [dict(spec, value=self.values["extra"].get(spec["key"], "")) for spec in self.record.template_version.extra_fields]


def record_form(record, data=None):
    findings = {f.item_id: f for f in record.findings.prefetch_related("attachments")}
    items = []
    for item in record.template_version.items.all():
        f = findings.get(item.pk)
        items.append(ItemRow(item, f.option if f else "", f.conclusion if f else "", f.note if f else "", f))
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
    for name in ("problems_summary", "enterprise_opinion"):
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
    for row in form.equipment:
        if f"eq-qty-{row.pk}" not in data:
            continue
        qty = data.get(f"eq-qty-{row.pk}", "").strip()
        row.found_model = data.get(f"eq-model-{row.pk}", "").strip()
        row.note = data.get(f"eq-note-{row.pk}", "").strip()
        if not qty.isdigit():
            form.errors[f"eq-qty-{row.pk}"] = f"“{row.name}”的现场数量应为非负整数。"
            continue
        row.found_quantity = int(qty)
        form.equipment_found[row.pk] = (row.found_quantity, row.found_model, row.note)


def parse_revision(data):
    value = data.get("revision", "")
    return int(value) if value.isdigit() else -1


class DispatchForm(forms.Form):
    """新建检查: the bureau dispatches one record (the random check dispatches through services directly)."""

    enterprise = forms.ModelChoiceField(Enterprise.objects.none(), label="企业")
    kind = forms.ChoiceField(choices=InspectionRecord.Kind.choices, label="检查类型")
    special_trigger = forms.ChoiceField(choices=[("", "—")] + InspectionRecord.Trigger.choices, required=False,
                                        label="专项检查原因（002 第七条）")
    template_version = forms.ModelChoiceField(ChecklistVersion.objects.none(), label="检查表")
    inspectors = forms.ModelMultipleChoiceField(Inspector.objects.none(), label="检查人员",
                                                widget=forms.SelectMultiple(attrs={"size": 8}),
                                                help_text="不少于2人（002 第九条）")
    due_date = forms.DateField(label="完成期限", widget=forms.DateInput(attrs={"type": "date"}))
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        self.fields["inspectors"].queryset = Inspector.objects.for_user(user).filter(active=True).select_related("org_unit")
        self.fields["template_version"].queryset = (ChecklistVersion.objects.filter(published=True)
                                                    .select_related("template").order_by("template__code", "-number"))
        self.fields["token"].initial = uuid.uuid4()

    def clean(self):
        data = super().clean()
        if data.get("kind") == InspectionRecord.Kind.SPECIAL and not data.get("special_trigger"):
            self.add_error("special_trigger", "专项检查须选择检查原因（002 第七条）。")
        if data.get("inspectors") is not None and len(data["inspectors"]) < 2:
            self.add_error("inspectors", "检查人员不少于2人（002 第九条）。")
        return data
