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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

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


def list_preamble(title, user, filters, when):
    """The lines above an exported list, so a printed page says what it is: the list's name, then who exported it
    from which unit and when, and the filters applied (`filters`: (label, shown value) pairs; empty ones left out)."""
    chosen = "；".join(f"{label}：{value}" for label, value in filters if value) or "无（全部）"
    unit = user.org_unit.name if user.org_unit_id else ""
    return [title, f"导出单位：{unit}　　导出人：{user}　　导出时间：{when:%Y-%m-%d %H:%M}　　筛选条件：{chosen}"]


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


FONT = "宋体"  # what a bureau's printed tables use; LibreOffice without it substitutes a CJK serif
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def text_width(value) -> int:
    """A column width (in characters of the default font) that shows `value`: a CJK character counts double."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _widths(sheet: Sheet):
    """The sheet's widths, and for columns it leaves out one that shows the header (a date column a date)."""
    given = list(sheet.widths)
    return given + [max(10, min(30, text_width(label) + 2)) for label in sheet.header[len(given) :]]


def _lines(row, widths):
    """How many lines the row's longest text wraps onto in its column."""
    texts = [(v, max(w - 1, 1)) for v, w in zip(row, widths) if isinstance(v, str)]
    return max((sum(max(1, -(-text_width(line) // w)) for line in v.split("\n")) for v, w in texts), default=1)


def _line(out, row_number, text, font, align, widths):
    """A line above or below the table, merged across it: as tall as the lines it wraps onto there."""
    lines = _lines([text], [sum(widths)])
    if lines > 1:
        out.row_dimensions[row_number].height = 14 * lines + 2
    return _styled(out, text, font, align=align)


def _styled(out, value, font, *, border=None, align=None, fill=None):
    cell = WriteOnlyCell(out, value=value)
    cell.font = font
    if border:
        cell.border = border
    if align:
        cell.alignment = align
    if fill:
        cell.fill = fill
    return cell


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Each sheet printable as it is: the preamble's first line a title centred over the table, the header repeated
    on every printed page, every cell boxed, a 宋体 font, A4 landscape fitted to the page's width, page numbers."""
    workbook = Workbook(write_only=True)
    body, bold = Font(name=FONT, size=10.5), Font(name=FONT, size=10.5, bold=True)
    title_font, header_fill = Font(name=FONT, size=16, bold=True), PatternFill("solid", fgColor="DCE6F4")
    wrap, centred = Alignment(wrap_text=True, vertical="center"), Alignment(horizontal="center", vertical="center")
    middle = Alignment(vertical="center")
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for sheet in sheets:
        out = workbook.create_sheet(sheet.title)
        widths = _widths(sheet)
        last = get_column_letter(len(widths))
        for i, width in enumerate(widths, start=1):
            out.column_dimensions[get_column_letter(i)].width = width
        header_row = len(sheet.preamble) + 1
        if sheet.preamble:
            out.row_dimensions[1].height = 28  # the title's 16 pt
        out.row_dimensions[header_row].height = 14 * _lines(sheet.header, widths) + 4  # every line of a wrapped header
        # the sheet's head (written with the first row): fit to the page, the rows under the header scroll
        out.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        out.freeze_panes = f"A{header_row + 1}"
        merged = []
        for i, text in enumerate(sheet.preamble, start=1):
            if i == 1:
                out.append([_styled(out, safe_cell(text), title_font, align=centred)])
            else:
                out.append([_line(out, i, safe_cell(text), body, wrap, widths)])
            merged.append(f"A{i}:{last}{i}")
        out.append(
            [_styled(out, safe_cell(t), bold, border=BOX, align=header_align, fill=header_fill) for t in sheet.header]
        )
        row_number = header_row
        for row in _safe_rows(sheet.rows):
            row_number += 1
            lines = _lines(row, widths)
            if lines > 1:  # a row's height is not recomputed when the file is opened or printed
                out.row_dimensions[row_number].height = 14 * lines + 2
            out.append([_styled(out, v, body, border=BOX, align=wrap if isinstance(v, str) else middle) for v in row])
        for i, text in enumerate(sheet.footer, start=row_number + 1):
            out.append([_line(out, i, safe_cell(text), body, wrap, widths)])
            merged.append(f"A{i}:{last}{i}")
        if len(widths) > 1:
            out.merged_cells = MultiCellRange(merged)
        out.print_title_rows = f"{header_row}:{header_row}"  # the header on every printed page
        out.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        out.page_setup.orientation = "landscape"  # printed on A4 across, every column on the page's width
        out.page_setup.fitToWidth, out.page_setup.fitToHeight = 1, 0
        out.print_options.horizontalCentered = True
        out.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
        out.oddFooter.center.text = "第 &P 页，共 &N 页"
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
