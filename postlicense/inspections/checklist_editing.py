"""Editing checklists (page 检查表, city admins and superusers): the writes, their validation and the list's read.

A change is made on a draft: `new_draft` copies the current version; `save_draft` replaces the draft's header,
extra fields, kinds served and items with what the page posted; `publish` makes it the current version. Published
versions, and any version a record uses, never change: a record keeps the version it was filled on.

Every write carries the `token` the page was rendered with (`content_token`: a hash of the draft's content). A save
whose token is not the draft's current one was based on a state another admin has since replaced: it is refused
(StaleDraft) and the page keeps what the user typed. Posting the content the draft already holds (a double
submit) is accepted as a no-op.

Options are edited one row each: an option with a parent is a nested choice and is stored flattened, "有（已处理）",
with option_groups["有（已处理）"] = ["有", "已处理"] (003 附件 items 10, 11). Lists typed in one field (单项检查结论,
the conclusions an option allows) are separated by 、 , or spaces. An item checked against the register lists, per
side, the answers that agree with it (register_agreement: when the register shows a problem / none); they must be
options of the item, so renaming an option means renaming it there too (or the save is refused at that field).
"""

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .models import ChecklistItem, ChecklistTemplate, InspectionRecord

HEADER_FIELDS = (
    "title",
    "header_label",
    "unit_label",
    "item_section",
    "inspectors_label",
    "enterprise_label",
    "enterprise_opinion",
    "has_problems_summary",
    "has_equipment_table",
    "notes",
    "copies",
)
CHECKBOXES = ("enterprise_opinion", "has_problems_summary", "has_equipment_table")
REQUIRED_HEADER = {"title": "表头标题", "header_label": "企业栏标题", "inspectors_label": "检查人员栏标题"}
FIELD_TYPES = {"text": "文字", "number": "数字"}
_SEPARATORS = re.compile(r"[、,，;；\s]+")


def may_edit(user):
    """Checklists serve every bureau: only city admins and superusers change them."""
    return user.is_superuser or user.role == user.Role.CITY_ADMIN


def overview():
    """What the 检查表 page lists: every checklist with its versions (newest first), the current (newest published)
    version of each, and the versions records use."""
    templates = ChecklistTemplate.objects.prefetch_related("versions").order_by("code")
    return {
        "templates": templates,
        "current": {next((v.pk for v in t.versions.all() if v.published), None) for t in templates},
        "used": set(InspectionRecord.objects.values_list("template_version", flat=True).distinct()),
    }


def split_list(text):
    return [part for part in _SEPARATORS.split(text.strip()) if part]


def new_key():
    return "n" + secrets.token_hex(4)


@dataclass
class OptionRow:
    key: str
    label: str = ""
    parent: str = ""
    allowed_text: str = ""
    nonconforming: bool = False
    errors: dict = field(default_factory=dict)

    @property
    def value(self):
        """The stored option: nested ones flattened as 003 附件 prints them, "有（已处理）"."""
        return f"{self.parent}（{self.label}）" if self.parent else self.label

    @property
    def allowed(self):
        return split_list(self.allowed_text)

    @property
    def is_blank(self):
        return not (self.label or self.parent or self.allowed_text or self.nonconforming)


@dataclass
class ItemRow:
    key: str
    number: str = ""
    text: str = ""
    conclusions_text: str = ""
    register_check: str = ""
    options: list = field(default_factory=list)
    order: str = ""
    delete: bool = False
    errors: dict = field(default_factory=dict)
    # register_agreement as typed: the answers that agree with the register when it shows a problem / none
    agree_problem_text: str = ""
    agree_clear_text: str = ""

    @property
    def conclusions(self):
        return split_list(self.conclusions_text)

    @property
    def agreement(self):
        """ChecklistItem.register_agreement: a side typed empty is left out (not checked)."""
        typed = {"problem": split_list(self.agree_problem_text), "clear": split_list(self.agree_clear_text)}
        return {side: answers for side, answers in typed.items() if answers}

    @property
    def is_blank(self):
        return not (
            self.number
            or self.text
            or self.conclusions_text
            or self.agree_problem_text
            or self.agree_clear_text
            or any(not o.is_blank for o in self.options)
        )


@dataclass
class ExtraRow:
    key: str
    label: str = ""
    group: str = ""
    type: str = "text"
    delete: bool = False
    errors: dict = field(default_factory=dict)


@dataclass
class Draft:
    """What the editor shows and posts: header fields as typed, kinds, extra fields and items in order."""

    header: dict
    kinds: list
    extras: list
    items: list
    errors: dict = field(default_factory=dict)

    def kept_items(self):
        return [i for i in self.items if not i.delete and not i.is_blank]

    def kept_extras(self):
        return [e for e in self.extras if not e.delete and (e.label or e.group)]

    def attach(self, errors):
        """Put each message of `validate` on the row that shows it (the page shows it at the field)."""
        items = {i.key: i for i in self.items}
        extras = {e.key: e for e in self.extras}
        for name, message in errors.items():
            if m := re.fullmatch(r"item-(\w+)-opt-(\w+)-(\w+)", name):
                option = next(o for o in items[m.group(1)].options if o.key == m.group(2))
                option.errors[m.group(3)] = message
            elif m := re.fullmatch(r"item-(\w+)-(\w+)", name):
                items[m.group(1)].errors[m.group(2)] = message
            elif m := re.fullmatch(r"extra-(\w+)-(\w+)", name):
                extras[m.group(1)].errors[m.group(2)] = message
            else:
                self.errors[name] = message
        return self


def draft_of(version):
    header = {name: getattr(version, name) for name in HEADER_FIELDS}
    header["copies"] = str(version.copies)
    items = []
    for item in version.items.all():
        nonconforming = set(item.nonconforming_options)
        options = []
        for value in item.options:
            parent, label = item.option_groups.get(value, ("", value))
            options.append(
                OptionRow(
                    new_key(), label, parent, "、".join(item.option_conclusions.get(value, [])), value in nonconforming
                )
            )
        items.append(
            ItemRow(
                str(item.pk),
                item.number,
                item.text,
                "、".join(item.conclusions),
                item.register_check,
                options,
                str(item.position),
                agree_problem_text="、".join(item.register_agreement.get("problem", [])),
                agree_clear_text="、".join(item.register_agreement.get("clear", [])),
            )
        )
    extras = [
        ExtraRow(f["key"], f.get("label", ""), f.get("group", ""), f.get("type", "text")) for f in version.extra_fields
    ]
    return Draft(header, list(version.kinds), extras, items)


def draft_from_post(data):
    """The editor's form as posted, in the order of the page (reordering is by each item's 顺序)."""
    header = {name: data.get(name, "").strip() for name in HEADER_FIELDS}
    header.update({name: data.get(name) == "on" for name in CHECKBOXES})
    items = []
    for name in data:
        match = re.fullmatch(r"item-(\w+)-text", name)
        if not match:
            continue
        key = match.group(1)
        prefix = f"item-{key}-"
        option_keys = [m.group(1) for n in data if (m := re.fullmatch(rf"{re.escape(prefix)}opt-(\w+)-label", n))]
        options = [
            OptionRow(
                ok,
                data.get(f"{prefix}opt-{ok}-label", "").strip(),
                data.get(f"{prefix}opt-{ok}-parent", "").strip(),
                data.get(f"{prefix}opt-{ok}-allowed", "").strip(),
                data.get(f"{prefix}opt-{ok}-bad") == "on",
            )
            for ok in option_keys
        ]
        items.append(
            ItemRow(
                key,
                data.get(f"{prefix}number", "").strip(),
                data.get(name, "").strip(),
                data.get(f"{prefix}conclusions", "").strip(),
                data.get(f"{prefix}register_check", "").strip(),
                options,
                data.get(f"{prefix}order", "").strip(),
                data.get(f"{prefix}delete") == "on",
                agree_problem_text=data.get(f"{prefix}agree_problem", "").strip(),
                agree_clear_text=data.get(f"{prefix}agree_clear", "").strip(),
            )
        )
    extras = [
        ExtraRow(
            m.group(1),
            data.get(n, "").strip(),
            data.get(f"extra-{m.group(1)}-group", "").strip(),
            data.get(f"extra-{m.group(1)}-type", "text"),
            data.get(f"extra-{m.group(1)}-delete") == "on",
        )
        for n in data
        if (m := re.fullmatch(r"extra-(\w+)-label", n))
    ]
    return Draft(header, data.getlist("kinds"), extras, items)


def _ordered(items):
    def position(pair):
        index, item = pair
        return (int(item.order) if item.order.isdigit() else 10_000 + index, index)

    return [item for _, item in sorted(enumerate(items), key=position)]


def validate(draft, *, publishing=False):
    """Every mistake of the draft, keyed by the form field that shows it, each message in Chinese naming the item."""
    errors = {}
    header = draft.header
    for name, label in REQUIRED_HEADER.items():
        if not header[name]:
            errors[name] = f"请填写“{label}”。"
    if not (str(header["copies"]).isdigit() and 1 <= int(header["copies"]) <= 9):
        errors["copies"] = "份数应为1至9的整数。"
    kinds = dict(InspectionRecord.Kind.choices)
    wrong = [k for k in draft.kinds if k not in kinds]
    if wrong:
        errors["kinds"] = "“" + "”“".join(wrong) + "”不是有效的检查类型。"
    elif publishing and not draft.kinds:
        errors["kinds"] = "请至少选择一种适用的检查类型，否则派发检查时无法选用该检查表。"
    labels = set()
    for extra in draft.kept_extras():
        if not extra.label:
            errors[f"extra-{extra.key}-label"] = "请填写栏目名称。"
        elif extra.label in labels:
            errors[f"extra-{extra.key}-label"] = f"附加栏目“{extra.label}”重复。"
        labels.add(extra.label)
        if extra.type not in FIELD_TYPES:
            errors[f"extra-{extra.key}-type"] = "栏目类型应为文字或数字。"
    items = draft.kept_items()
    if publishing and not items:
        errors["items"] = "没有检查项的版本不能发布，请先添加检查项。"
    numbers = set()
    for position, item in enumerate(_ordered(items), start=1):
        errors.update(_item_errors(item, item.number or str(position), numbers))
    return errors


def _item_errors(item, shown, numbers):
    errors, prefix = {}, f"item-{item.key}-"
    name = f"第{shown}项"
    if not item.text:
        errors[prefix + "text"] = f"{name}：请填写检查项目。"
    if item.number and item.number in numbers:
        errors[prefix + "number"] = f"{name}：序号“{item.number}”重复。"
    numbers.add(item.number)
    conclusions = item.conclusions
    repeated = sorted({c for c in conclusions if conclusions.count(c) > 1})
    if repeated:
        errors[prefix + "conclusions"] = f"{name}：单项检查结论“{'、'.join(repeated)}”重复。"
    if item.register_check and item.register_check not in ChecklistItem.RegisterCheck.values:
        errors[prefix + "register_check"] = f"{name}：“{item.register_check}”不是可核对的登记信息。"
    errors.update(_agreement_errors(item, name))
    seen = set()
    for option in item.options:
        if option.is_blank:
            continue
        at = f"{prefix}opt-{option.key}-"
        if not option.label:
            errors[at + "label"] = f"{name}：请填写选项名称。"
        elif option.value in seen:
            errors[at + "label"] = f"{name}：检查记录选项“{option.value}”重复。"
        seen.add(option.value)
        outside = [c for c in option.allowed if c not in conclusions]
        if outside:
            errors[at + "allowed"] = (
                f"{name}：选项“{option.value}”允许的结论“{'、'.join(outside)}”不在本项的单项检查结论"
                f"（{'、'.join(conclusions) or '无'}）中。"
            )
        if option.nonconforming and conclusions:
            errors[at + "bad"] = f"{name}：有单项检查结论的检查项由结论判定不符合，选项不能再标为“视为不符合”。"
    return errors


AGREEMENT_SIDES = {"problem": "登记信息显示有问题时", "clear": "登记信息显示无问题时"}


def _agreement_errors(item, name):
    """register_agreement names answers of the item only, and only on an item checked against the register."""
    errors, prefix = {}, f"item-{item.key}-"
    options = [o.value for o in item.options if not o.is_blank]
    for side, answers in item.agreement.items():
        field_name = f"{prefix}agree_{side}"
        if not item.register_check:
            errors[field_name] = f"{name}：未选择“与登记信息核对”，不能填写{AGREEMENT_SIDES[side]}一致的检查记录。"
            continue
        unknown = [a for a in answers if a not in options]
        if unknown:
            errors[field_name] = (
                f"{name}：{AGREEMENT_SIDES[side]}一致的检查记录“{'、'.join(unknown)}”不是本项的检查记录选项"
                f"（{'、'.join(options) or '无'}）。"
            )
    return errors


def _hash(header, kinds, extra_fields, items):
    content = {
        "header": header,
        "kinds": kinds,
        "extra_fields": extra_fields,
        "items": [
            [
                i.number,
                i.text,
                i.options,
                i.conclusions,
                i.nonconforming_options,
                i.option_conclusions,
                i.option_groups,
                i.register_check,
                i.register_agreement,
            ]
            for i in items
        ],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def content_token(version):
    """A hash of everything the editor changes in `version`: the stale-save check."""
    return _hash(
        {n: getattr(version, n) for n in HEADER_FIELDS}, version.kinds, version.extra_fields, version.items.all()
    )


class StaleDraft(ValidationError):
    def __init__(self):
        super().__init__(
            "保存未成功：在您编辑期间，另一位管理员已修改并保存了这个草稿。您填写的内容仍保留在本页；"
            "请在新窗口打开本草稿核对最新内容后再保存（再次保存将以本页内容为准）。"
        )


def _ensure_editable(version):
    if version.published:
        raise ValidationError(f"{version}已发布，不能修改；请新建草稿版本。")
    if version.records.exists():
        raise ValidationError(f"{version}已有检查记录使用，不能修改。")


@transaction.atomic
def new_draft(template):
    """A draft copying the template's newest version; one draft at a time per checklist."""
    draft = template.versions.filter(published=False).first()
    if draft is not None:
        raise ValidationError(f"{draft}是尚未发布的草稿，请先编辑并发布它。")
    return services.new_version(template)


def _extra_fields(version, draft):
    """The draft's extra fields; a row that is new (its key is not one of the version's) gets an unused key, so the
    values records stored under the old keys keep their meaning."""
    existing = {f["key"] for f in version.extra_fields}
    taken = set(existing)
    fields = []
    for extra in draft.kept_extras():
        key = extra.key
        if key not in existing:
            key = next(f"field{n}" for n in range(1, 1000) if f"field{n}" not in taken)
            taken.add(key)
        fields.append({"key": key, "label": extra.label, "group": extra.group, "type": extra.type})
    return fields


def _items(version, draft):
    rows = []
    for position, row in enumerate(_ordered(draft.kept_items()), start=1):
        options = [o for o in row.options if not o.is_blank]
        values = [o.value for o in options]
        rows.append(
            ChecklistItem(
                version=version,
                position=position,
                number=row.number or str(position),
                text=row.text,
                options=values,
                conclusions=row.conclusions,
                nonconforming_options=[o.value for o in options if o.nonconforming],
                option_conclusions={o.value: o.allowed for o in options if o.allowed},
                option_groups={o.value: [o.parent, o.label] for o in options if o.parent},
                register_check=row.register_check,
                register_agreement=row.agreement,
            )
        )
    return rows


@transaction.atomic
def save_draft(version, draft, *, token, publish=False):
    """Replace the draft's content with `draft` (all or nothing); with publish=True it also becomes current."""
    version = type(version).objects.select_for_update().get(pk=version.pk)
    _ensure_editable(version)
    errors = validate(draft, publishing=publish)
    if errors:
        raise ValidationError(errors)
    header = dict(draft.header, copies=int(draft.header["copies"]))
    kinds = list(dict.fromkeys(draft.kinds))
    extra_fields = _extra_fields(version, draft)
    items = _items(version, draft)
    current = content_token(version)
    if token != current and _hash(header, kinds, extra_fields, items) != current:
        raise StaleDraft()
    for name, value in header.items():
        setattr(version, name, value)
    version.kinds, version.extra_fields, version.published = kinds, extra_fields, publish
    version.save()
    version.items.all().delete()
    for item in items:
        item.save()
    return version
