"""The one writer of .xlsx and .csv downloads: every export builds Sheets and goes through `render` and `respond`.

No exported cell can carry a live formula (OWASP "CSV injection"): a text cell starting with = + - @, a tab
or a carriage return gets a leading "'", so a spreadsheet shows it as text instead of running
`=HYPERLINK(...)` or `=cmd|' /C calc'!A0`. The imports drop that "'" again (`restore`), so an export edited
and re-imported keeps the original text. Characters an .xlsx cannot hold (control characters) are dropped.

The draw's candidate CSV is the one file not written here: its bytes are hashed for the published digest and
must not change, so `respond_canonical_csv` only checks that no cell starts a formula (credit codes and
stratum labels never do) and refuses to send it otherwise.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .http import attachment

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] = ()
    preamble: Sequence[str] = ()  # lines above the header in an .xlsx (a printed table's title, unit, period)
    footer: Sequence[str] = ()  # lines below the rows (填报人, 审核人, date)


def safe_cell(value):
    """A text cell a spreadsheet would run as a formula gets a leading "'"; other values pass unchanged."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def restore(text: str) -> str:
    """The text `safe_cell` was given ("'=SUM(A1)" → "=SUM(A1)"), for imports of exported files."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


def _safe_rows(rows):
    for row in rows:
        yield [safe_cell(value) for value in row]


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook(write_only=True)
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F4")
    for sheet in sheets:
        out = workbook.create_sheet(sheet.title)
        for i, width in enumerate(sheet.widths, start=1):
            out.column_dimensions[get_column_letter(i)].width = width
        for i, text in enumerate(sheet.preamble):
            cell = WriteOnlyCell(out, value=safe_cell(text))
            cell.font = Font(bold=True, size=14) if i == 0 else Font()
            out.append([cell])
        header = []
        for text in sheet.header:
            cell = WriteOnlyCell(out, value=safe_cell(text))
            cell.font, cell.fill = header_font, header_fill
            header.append(cell)
        out.append(header)
        for row in _safe_rows(sheet.rows):
            out.append(row)
        for text in sheet.footer:
            out.append([safe_cell(text)])
        out.page_setup.orientation = "landscape"  # printed on A4 across, every column on the page's width
        out.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        out.page_setup.fitToWidth, out.page_setup.fitToHeight = 1, 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    """UTF-8 with a BOM (Excel then reads the Chinese right), \\r\\n line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(text) for text in sheet.header])
    writer.writerows(_safe_rows(sheet.rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _suffix(filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in CONTENT_TYPES:
        raise ValueError(f"unknown export format: {filename}")
    return suffix


def render(filename: str, sheets: Sequence[Sheet]) -> bytes:
    """The file's bytes in the format its name ends with (.xlsx: every sheet; .csv: exactly one)."""
    if _suffix(filename) == ".xlsx":
        return xlsx_bytes(sheets)
    if len(sheets) != 1:
        raise ValueError("a CSV holds one sheet")
    return csv_bytes(sheets[0])


def respond(filename: str, content: bytes, fallback: str | None = None):
    """The download response of a file `render` wrote, under its Chinese name (core.http.attachment)."""
    return attachment(content, filename, CONTENT_TYPES[_suffix(filename)], fallback)


def download(filename: str, sheets: Sequence[Sheet], fallback: str | None = None):
    return respond(filename, render(filename, sheets), fallback)


def respond_canonical_csv(content: bytes, filename: str):
    """Send a CSV whose exact bytes matter (the hashed candidate list) after checking no cell starts a formula."""
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")):
        if any(cell.startswith(FORMULA_PREFIXES) for cell in row):
            raise ValueError(f"a cell of {filename} would run as a formula: {row}")
    return respond(filename, content)
