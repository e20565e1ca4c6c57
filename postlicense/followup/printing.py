"""责令改正通知书 / 停产整顿通知书 with its 送达回证, in print: PDF (WeasyPrint, A4, through inspections.printing) and
Word (python-docx, with the East Asian font set as the inspections' Word forms). One context serves both."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from postlicense.inspections.docx_template import east_asian
from postlicense.inspections.printing import render_pdf

from . import rules


def _cn_date(value):
    return f"{value.year}年{value.month}月{value.day}日" if value else "    年  月  日"


def context(order):
    items = list(order.items.all())
    licenses = list(order.source_record.licenses.values_list("number", flat=True)) if order.source_record else []
    body = (
        f"经查，你单位存在下列问题（来源：{order.source_label}）。"
        f"依据{order.legal_basis}，现责令你单位"
        + ("停产整顿，" if order.measure == "stoppage" else "")
        + f"自收到本通知书之日起{order.period_days}日内按下列要求整改完毕，并将整改情况书面报告本机关。"
        "逾期未整改或者整改后仍不符合要求的，本机关将依法作进一步处理。"
    )
    return {
        "order": order,
        "items": items,
        "licenses": "、".join(licenses),
        "body": body,
        "deadline": order.deadline_text.replace("整改期限 ", "")
        if order.deadline_text
        else f"送达后{order.period_days}日",
        "rights": rules.RIGHTS,
        "issued": _cn_date(order.issued_on),
        "served": _cn_date(order.served_on),
    }


def pdf(order):
    return render_pdf(context(order), "followup/order_print.html")


def _para(doc, text="", *, align=None, bold=False, size=None, indent=True):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent and align is None:
        p.paragraph_format.first_line_indent = Pt(24)
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return p


def docx(order):
    c = context(order)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(26)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    east_asian(doc.styles["Normal"], "仿宋", 14)
    _para(doc, order.unit.name, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=18)
    _para(doc, order.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=22)
    _para(doc, order.number, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, f"{order.enterprise.name}：", indent=False)
    _para(doc, c["body"])
    for item in c["items"]:
        _para(doc, f"{item.position}. {item.description}")
        if item.requirement:
            _para(doc, f"整改要求：{item.requirement}")
    _para(doc, f"整改期限：{c['deadline']}")
    _para(doc, c["rights"])
    _para(doc, "")
    _para(doc, order.unit.name, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "（印章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, c["issued"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    doc.add_page_break()
    _para(doc, "送达回证", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=22)
    rows = [
        ("送达文书", f"{order.title}（{order.number}）"),
        ("受送达人", order.enterprise.name),
        ("送达地点", order.enterprise.address),
        ("送达方式", order.get_service_method_display() or "□直接 □留置 □邮寄 □电子 □委托"),
        ("受送达人签收", ("拒绝签收：" + order.refusal_note) if order.refused else (order.receiver or "")),
        ("送达日期", c["served"]),
        ("送达人", order.served_by.display_name if order.served_by else ""),
        ("备注", ""),
    ]
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, value) in zip(table.rows, rows):
        row.cells[0].text, row.cells[1].text = label, value
        row.cells[0].width, row.cells[1].width = Mm(40), Mm(118)
    for fonts in doc.element.iter(qn("w:rFonts")):
        fonts.set(qn("w:eastAsia"), fonts.get(qn("w:eastAsia")) or "仿宋")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
