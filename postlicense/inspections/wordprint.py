"""The one builder of Word documents written from code rather than from an admin's template (docx_template.py):
the 责令改正通知书 with its 送达回证, the 约谈笔录, the 许可处理建议书 (followup) and the report documents (reports).

A4 portrait with the official-document margins (GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), body
in 仿宋 (East Asian font set on the style and on every run, so Word and LibreOffice show Chinese in it whatever the
Latin font), titles in 宋体. Text goes in as plain runs, never as fields: a value that looks like a formula or a
field code ("=HYPERLINK(...)", "{ DDE ... }") stays the text it is.
"""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .docx_template import east_asian

ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT, None: None}


class WordDocument:
    def __init__(self, font="仿宋", size=14):
        self.font = font
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation, section.page_width, section.page_height = WD_ORIENT.PORTRAIT, Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        east_asian(self.doc.styles["Normal"], font, size)
        east_asian(self.doc.styles["Table Grid"], font, size - 3.5)

    def para(self, text="", *, align=None, bold=False, size=None, indent=True, font=None, tab_at=None):
        """One paragraph; a body paragraph (no alignment) is indented two characters; a tab in `text` goes to
        `tab_at` mm (signature lines with their dates one under another)."""
        p = self.doc.add_paragraph()
        p.alignment = ALIGN[align]
        if tab_at:
            p.paragraph_format.tab_stops.add_tab_stop(Mm(tab_at))
        if indent and align is None:
            p.paragraph_format.first_line_indent = Pt(2 * (size or 14))
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if font:
            run.font.name = font
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        return p

    def title(self, text, size=22):
        return self.para(text, align="center", bold=True, size=size, font="宋体")

    def heading(self, text, size=14):
        p = self.para(text, bold=True, size=size, indent=False, font="黑体")
        p.paragraph_format.space_before = Pt(size * 0.8)  # clear of a table above
        return p

    def table(self, rows, header=None, widths=()):
        """A grid; `header` (bold) above `rows`; `widths` in mm per column. Cells hold their values as text."""
        lines = ([header] if header else []) + [list(r) for r in rows]
        table = self.doc.add_table(rows=len(lines), cols=len(lines[0]))
        table.style = "Table Grid"
        if widths:  # the grid's columns too: LibreOffice reads those, Word the cells'
            table.autofit = False
            for column, width in zip(table.columns, widths):
                column.width = Mm(width)
        for i, (row, values) in enumerate(zip(table.rows, lines)):
            for j, (cell, value) in enumerate(zip(row.cells, values)):
                cell.text = "—" if value is None else str(value)
                if header and i == 0:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
                if j < len(widths):
                    cell.width = Mm(widths[j])
        return table

    def page_break(self):
        self.doc.add_page_break()

    def bytes(self):
        for fonts in self.doc.element.iter(qn("w:rFonts")):
            fonts.set(qn("w:eastAsia"), fonts.get(qn("w:eastAsia")) or self.font)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()
