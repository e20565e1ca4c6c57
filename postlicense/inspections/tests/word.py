"""Reading back a Word document the code wrote (inspections.wordprint), for the tests of every app that prints one."""

import io

from docx import Document
from docx.oxml.ns import qn

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_text(content: bytes) -> str:
    """The document's paragraphs and table cells, one a line (python-docx must open it)."""
    doc = Document(io.BytesIO(content))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def fields_of(content: bytes) -> list:
    """The field codes in the body (a formula, a DDE link, a HYPERLINK field): a written document has none."""
    body = Document(io.BytesIO(content)).element.body
    return list(body.iter(qn("w:fldSimple"))) + list(body.iter(qn("w:instrText")))
