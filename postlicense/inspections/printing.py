"""The 一企两表 in print: PDF (WeasyPrint, A4) laid out like the seed forms, and Word from a replaceable template.

Two layouts, chosen by the checklist version's data:
- table (003 附件, 004): 序号 | 检查项目 | 检查记录 | 单项检查结论 | 备注, 问题汇总, 检查结论, both signature boxes, then the
  关键生产设备表 (一企两表);
- sheet (000 附件2, a version with an `item_section`): the extra fields in their groups, then the section with
  企业名称 and the section's fields side by side, each item answered 是□ 否□ in one cell, the fields that follow
  the section (现场检查结论), and only the inspectors' signatures.
一式两份 (004 五): the PDF holds `version.copies` copies, one for the bureau's file and one for the enterprise.
A version can be printed without a record (a blank form: the checklist editor's preview).
"""

import base64
import io
from itertools import groupby

from django.template.loader import render_to_string

from . import selectors
from .docx_template import SHIPPED_DOCX
from .models import InspectionRecord, PrintTemplate

COPIES = ("第一联 监管部门存档", "第二联 企业留存")
CHECKED, UNCHECKED = "■", "□"


def _data_uri(image_field):
    if not image_field:
        return ""
    with image_field.open("rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def _box(ticked):
    return CHECKED if ticked else UNCHECKED


def option_marks(options, groups, chosen, box_after=False):
    """检查记录 boxes as the seed prints them. Nested options (003 附件 items 10, 11) print under their parent,
    "□有（□已处理 □未处理）", the parent ticked with the chosen child; 000 附件2 puts the box after the word ("是□")."""

    def mark(label, ticked):
        return f"{label}{_box(ticked)}" if box_after else f"{_box(ticked)}{label}"

    marks = []
    for parent, members in groupby(options, key=lambda o: groups.get(o, [o])[0]):
        members = list(members)
        if members[0] not in groups:
            marks.append(mark(parent, parent == chosen))
            continue
        children = " ".join(mark(groups[o][1], o == chosen) for o in members)
        marks.append(f"{mark(parent, chosen in members)}（{children}）")
    return marks


def layout_of(version):
    return "sheet" if version.item_section else "table"


def _rows(version, record):
    findings = {row["item"].pk: row for row in selectors.item_rows(record)} if record else {}
    box_after = layout_of(version) == "sheet"
    rows = []
    for item in version.items.all():
        row = findings.get(item.pk, {})
        finding = row.get("finding")
        answered = bool(item.options or item.conclusions)
        rows.append(
            {
                "number": item.number,
                "text": item.text,
                "record": option_marks(item.options, item.option_groups, finding.option if finding else "", box_after),
                "free_text": finding.note if finding and not answered else "",
                "conclusion": [f"{_box(finding is not None and c == finding.conclusion)}{c}" for c in item.conclusions],
                "note": finding.note if finding and answered else "",
                "nonconforming": row.get("nonconforming", False),
            }
        )
    return rows


def _sheet(version, extra, enterprise_name):
    """The 000 sheet's table: fields before the item section (in their groups), the section's head row (企业名称 and
    the section's own fields) and the fields after it (selectors.extra_field_places)."""
    values = {f["key"]: f for f in extra}
    places = {
        where: [values[f["key"]] for f in fields] for where, fields in selectors.extra_field_places(version).items()
    }
    head = [{"label": version.header_label, "value": enterprise_name}] + places["section"]
    before = [
        {"group": group, "fields": list(fields)}
        for group, fields in groupby(places["before"], key=lambda f: f.get("group", ""))
    ]
    return {"before": before, "head": head, "after": places["after"], "span": 2 * len(head) - 1}


def _context(version, record):
    rows = _rows(version, record)
    extra = [
        dict(spec, value=record.extra_values.get(spec["key"], "") if record else "") for spec in version.extra_fields
    ]
    crew = (
        [
            {
                "name": link.inspector.name,
                "certificate_no": link.inspector.certificate_no,
                "signature": _data_uri(link.signature),
                "signed_at": link.signed_at,
            }
            for link in record.crew.select_related("inspector")
        ]
        if record
        else []
    )
    item_conclusions = any(row["conclusion"] for row in rows)
    return {
        "record": record,
        "version": version,
        "rows": rows,
        "crew": crew,
        "layout": layout_of(version),
        "sheet": _sheet(version, extra, record.enterprise.name if record else ""),
        "item_conclusions": item_conclusions,
        "value_span": 3 if item_conclusions else 2,
        "extra": extra,
        "conclusion_marks": [
            f"{_box(record is not None and record.conclusion == value)}{label}"
            for value, label in InspectionRecord.Conclusion.choices
        ],
        "enterprise_signature": _data_uri(record.enterprise_signature) if record else "",
        "equipment": selectors.equipment_rows(record) if record else [],
        "copies": COPIES[: version.copies] if version.copies > 1 else [""],
        "licenses": list(record.licenses.values_list("number", flat=True)) if record else [],
        "amendments": record.amendments.select_related("by") if record else [],
    }


def print_context(record):
    return _context(record.template_version, record)


def blank_context(version):
    """The version printed with nothing filled in: what the checklist editor previews."""
    return _context(version, None)


def render_pdf(context, template="inspections/print.html"):
    """A4 PDF of an HTML print template (WeasyPrint): the 一企两表 by default; other apps pass their own template."""
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context)).write_pdf()


def pdf(record):
    return render_pdf(print_context(record))


def docx_template_file(record):
    uploaded = PrintTemplate.objects.filter(template=record.template_version.template).first()
    if uploaded and uploaded.docx:
        return uploaded.docx.open("rb")
    return SHIPPED_DOCX[layout_of(record.template_version)].open("rb")


def _date(value):
    return value.strftime("%Y年%m月%d日") if value else "   年  月  日"


def docx(record):
    from docxtpl import DocxTemplate

    context = print_context(record)
    context["rows"] = [
        dict(r, record="  ".join(r["record"]) or r["free_text"], conclusion="  ".join(r["conclusion"]))
        for r in context["rows"]
    ]
    context["conclusion_marks"] = "  ".join(context["conclusion_marks"])
    context.update(
        {
            "enterprise_name": record.enterprise.name,
            "unit_name": record.org_unit.name if record.org_unit else "",
            "licenses": "、".join(context["licenses"]),
            "inspection_date": _date(record.inspection_date),
            "inspectors": "、".join(p["name"] for p in context["crew"]),
            "enterprise_sign": ("企业拒绝签字：" + record.enterprise_refusal_note)
            if record.enterprise_refused
            else record.enterprise_signer,
            "before": [dict(f, group=g["group"]) for g in context["sheet"]["before"] for f in g["fields"]],
            "head": context["sheet"]["head"] + [{"label": "", "value": ""}],  # the sheet's head row has two label cells
            "equipment": [
                {
                    "kind": e.get_kind_display(),
                    "name": e.name,
                    "model": e.model,
                    "registered": e.registered_quantity,
                    "found_model": e.found_model,
                    "found": "" if e.found_quantity is None else e.found_quantity,
                    "difference": e.difference or "一致",
                    "note": e.note,
                }
                for e in context["equipment"]
            ],
        }
    )
    with docx_template_file(record) as f:
        doc = DocxTemplate(io.BytesIO(f.read()))
    doc.render(context)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
