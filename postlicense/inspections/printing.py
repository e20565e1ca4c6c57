"""The 一企两表 in print: PDF (WeasyPrint, A4) laid out like the seed forms, and Word from a replaceable template.

一式两份 (004 五): the PDF holds two copies, one for the bureau's file and one for the enterprise.
"""
import base64
import io
from pathlib import Path

from django.template.loader import render_to_string

from . import selectors
from .models import PrintTemplate

SHIPPED_DOCX = Path(__file__).resolve().parent / "data" / "inspection_record.docx"
COPIES = ("第一联 监管部门存档", "第二联 企业留存")
CHECKED, UNCHECKED = "■", "□"


def _data_uri(image_field):
    if not image_field:
        return ""
    with image_field.open("rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def _marks(choices, chosen):
    return [f"{CHECKED if c == chosen else UNCHECKED}{c}" for c in choices]


def print_context(record):
    rows = []
    for row in selectors.item_rows(record):
        item, finding = row["item"], row["finding"]
        rows.append({
            "number": item.number, "text": item.text,
            "record": _marks(item.options, finding.option if finding else ""),
            "free_text": finding.note if finding and not (item.options or item.conclusions) else "",
            "conclusion": _marks(item.conclusions, finding.conclusion if finding else ""),
            "note": (finding.note if finding and (item.options or item.conclusions) else ""),
            "nonconforming": row["nonconforming"],
        })
    crew = [{"name": link.inspector.name, "certificate_no": link.inspector.certificate_no,
             "signature": _data_uri(link.signature), "signed_at": link.signed_at}
            for link in record.crew.select_related("inspector")]
    version = record.template_version
    # The 000 附件2 form answers each item 是/否 and has no 单项检查结论 column; the 003 and 004 forms have one.
    item_conclusions = any(row["conclusion"] for row in rows)
    return {
        "record": record, "version": version, "rows": rows, "crew": crew,
        "item_conclusions": item_conclusions, "value_span": 3 if item_conclusions else 2,
        "extra": [dict(spec, value=record.extra_values.get(spec["key"], "")) for spec in version.extra_fields],
        "conclusion_marks": _marks(["合格", "不合格"], record.get_conclusion_display() if record.conclusion else ""),
        "enterprise_signature": _data_uri(record.enterprise_signature),
        "equipment": selectors.equipment_rows(record),
        "copies": COPIES[: version.copies] if version.copies <= len(COPIES) else COPIES,
        "licenses": ", ".join(record.licenses.values_list("number", flat=True)),
        "amendments": record.amendments.select_related("by"),
    }


def pdf(record):
    from weasyprint import HTML

    html = render_to_string("inspections/print.html", print_context(record))
    return HTML(string=html).write_pdf()


def docx_template_file(record):
    uploaded = PrintTemplate.objects.filter(template=record.template_version.template).first()
    if uploaded and uploaded.docx:
        return uploaded.docx.open("rb")
    return SHIPPED_DOCX.open("rb")


def docx(record):
    from docxtpl import DocxTemplate

    context = print_context(record)
    context["rows"] = [dict(r, record="  ".join(r["record"]) or r["free_text"], conclusion="  ".join(r["conclusion"]))
                       for r in context["rows"]]
    context["conclusion_marks"] = "  ".join(context["conclusion_marks"])
    context.update({
        "enterprise_name": record.enterprise.name,
        "inspection_date": record.inspection_date.strftime("%Y年%m月%d日") if record.inspection_date else "   年  月  日",
        "inspectors": "、".join(p["name"] for p in context["crew"]),
        "enterprise_sign": ("企业拒绝签字：" + record.enterprise_refusal_note) if record.enterprise_refused
        else record.enterprise_signer,
        "equipment": [{"kind": e.get_kind_display(), "name": e.name, "model": e.model, "registered": e.registered_quantity,
                       "found_model": e.found_model, "found": e.found_quantity, "difference": e.difference or "一致",
                       "note": e.note} for e in context["equipment"]],
    })
    with docx_template_file(record) as f:
        doc = DocxTemplate(io.BytesIO(f.read()))
    doc.render(context)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
