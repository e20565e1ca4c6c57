"""Builds the shipped Word templates (run: python -m postlicense.inspections.docx_template): data/inspection_record.docx
for the table layout (003 附件, 004) and data/inspection_sheet.docx for the sheet layout (000 附件2), see printing.py.

Admins replace them per checklist by uploading their own .docx in 数据维护 › Word 打印模板; the tags it may use are
those of printing.docx(): enterprise_name, unit_name, licenses, inspection_date, rows (number, text, record,
conclusion, note), record.problems_summary, conclusion_marks, inspectors, enterprise_sign, equipment, version.title,
version.notes, and for the sheet: before (group, label, value), head (label, value; the section's first row),
sheet.after (label, value).
The East Asian font is set in the document's styles so Word shows Chinese in 宋体 whatever the Latin font.
"""

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

DATA = Path(__file__).resolve().parent / "data"
SHIPPED_DOCX = {"table": DATA / "inspection_record.docx", "sheet": DATA / "inspection_sheet.docx"}


def east_asian(style, font="宋体", size=10.5):
    style.font.name = "Times New Roman"
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _loop_table(doc, headers, loop, cells):
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for r in " + loop + " %}"
    for cell, text in zip(table.rows[2].cells, cells):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    return table


def _document():
    doc = Document()
    section = doc.sections[0]
    section.orientation, section.page_width, section.page_height = WD_ORIENT.PORTRAIT, Mm(210), Mm(297)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Mm(15))
    east_asian(doc.styles["Normal"])
    east_asian(doc.styles["Title"], "黑体", 16)
    doc.add_paragraph("{{ version.title }}", style="Title")
    return doc


def _save(doc, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)


def build_table(path=SHIPPED_DOCX["table"]):
    doc = _document()
    doc.add_paragraph("企业名称（盖章）：{{ enterprise_name }}　　检查日期：{{ inspection_date }}")
    table = _loop_table(
        doc,
        ["序号", "检查项目", "检查记录", "单项检查结论", "备注"],
        "rows",
        ["{{ r.number }}", "{{ r.text }}", "{{ r.record }}", "{{ r.conclusion }}", "{{ r.note }}"],
    )
    for label, value in (
        ("现场检查发现的问题汇总", "{{ record.problems_summary }}"),
        ("检查结论", "{{ conclusion_marks }}"),
    ):
        row = table.add_row().cells
        row[0].merge(row[1]).text = label
        row[2].merge(row[4]).text = value
    row = table.add_row().cells
    row[0].merge(row[1]).text = "检查组组员（签名）：{{ inspectors }}\n\n年　月　日"
    row[2].merge(
        row[4]
    ).text = "企业意见：{{ record.enterprise_opinion }}\n企业负责人/代表（签名）：{{ enterprise_sign }}\n\n年　月　日"
    doc.add_paragraph("{{ version.notes }}")
    doc.add_page_break()
    doc.add_paragraph("关键生产设备表", style="Title")
    doc.add_paragraph("企业名称：{{ enterprise_name }}　　检查日期：{{ inspection_date }}")
    _loop_table(
        doc,
        ["类型", "设备名称", "登记规格型号", "登记数量", "现场规格型号", "现场数量", "核对情况", "备注"],
        "equipment",
        [
            "{{ r.kind }}",
            "{{ r.name }}",
            "{{ r.model }}",
            "{{ r.registered }}",
            "{{ r.found_model }}",
            "{{ r.found }}",
            "{{ r.difference }}",
            "{{ r.note }}",
        ],
    )
    doc.add_paragraph("检查人员（签名）：{{ inspectors }}　　企业负责人（签名）：{{ enterprise_sign }}")
    _save(doc, path)


def build_sheet(path=SHIPPED_DOCX["sheet"]):
    doc = _document()
    doc.add_paragraph("{{ version.unit_label }}：{{ unit_name }}　　　　检查日期：{{ inspection_date }}")
    table = doc.add_table(rows=0, cols=5)
    table.style = "Table Grid"

    def row(*texts, merge_from=None):
        cells = table.add_row().cells
        for cell, text in zip(cells, texts):
            cell.text = text
        if merge_from is not None:
            cells[merge_from].merge(cells[-1]).text = texts[merge_from]

    row("{%tr for f in before %}")
    row("{% vm %}{{ f.group }}", "{{ f.label }}", "{{ f.value }}", merge_from=2)
    row("{%tr endfor %}")
    row(
        "{{ version.item_section }}",
        "{{ head[0].label }}",
        "{{ head[0].value }}",
        "{{ head[1].label }}",
        "{{ head[1].value }}",
    )
    row("{%tr for r in rows %}")
    row("", "{{ r.text }}　　{{ r.record }}", merge_from=1)
    row("{%tr endfor %}")
    row("{%tr for f in sheet.after %}")
    row("{{ f.label }}", "{{ f.value }}", merge_from=1)
    row("{%tr endfor %}")
    doc.add_paragraph("{{ version.inspectors_label }}：{{ inspectors }}")
    doc.add_paragraph("{{ version.notes }}")
    _save(doc, path)


if __name__ == "__main__":
    build_table()
    build_sheet()
