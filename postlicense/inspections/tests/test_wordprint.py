"""inspections.wordprint, the one builder of Word documents written from code: A4, the East Asian font on every run,
values as plain text (a formula or field code stays text)."""

import io

from docx import Document
from docx.oxml.ns import qn

from postlicense.inspections.wordprint import WordDocument

from .word import docx_text, fields_of

HOSTILE = [
    '=HYPERLINK("http://evil.example","点此")',
    "=cmd|' /C calc'!A0",
    "{ DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe }",
]


def _build():
    w = WordDocument()
    w.title("责令改正通知书")
    w.para(HOSTILE[0])
    w.table([("事实与理由", HOSTILE[1]), ("备注", None)], header=("项目", HOSTILE[2]), widths=(40, 116))
    return w.bytes()


def test_a4_portrait_with_chinese_fonts_on_every_run():
    doc = Document(io.BytesIO(_build()))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    fonts = [f.get(qn("w:eastAsia")) for f in doc.element.body.iter(qn("w:rFonts"))]
    assert fonts and all(fonts)  # the title's 宋体 and every other run's font are set


def test_formula_and_field_looking_values_stay_text():
    content = _build()
    text = docx_text(content)
    assert all(value in text for value in HOSTILE)
    assert "—" in text  # an empty value prints as a dash
    assert fields_of(content) == []
