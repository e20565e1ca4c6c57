"""A report in print: the lines every printed form of it carries (the seed's table name, 填报单位, 统计期间 and data
cut, 填报人 / 审核人 / 填报日期) for the .xlsx (core.exports) and, for a kind with a text (`ReportKind.narrative`,
the half-year report of 001 二(五)), the document: its paragraphs then the tables, as an A4 PDF (WeasyPrint through
inspections.printing) and as Word (inspections.wordprint). The same heading serves a live report and a frozen
submission (whose 填报人 and 审核人 are known)."""

from dataclasses import dataclass
from datetime import date

from postlicense.core import exports
from postlicense.core.exports import text_width
from postlicense.inspections.printing import render_pdf
from postlicense.inspections.wordprint import WordDocument

from .tables import Table

BLANK = "　　　　"
TEXT_WIDTH_MM = 156  # A4 less wordprint's margins


@dataclass(frozen=True)
class Heading:
    label: str  # the report kind's short name, for the file name
    table_name: str
    unit: str
    period: str
    cut: date
    filled_by: str
    checked_by: str
    day: date

    @property
    def meta(self):
        return f"填报单位：{self.unit}　　统计期间：{self.period}（数据截至 {self.cut:%Y-%m-%d}）"

    @property
    def sign(self):
        return (
            f"填报人：{self.filled_by or BLANK}　　审核人：{self.checked_by or BLANK}　　"
            f"填报日期：{self.day.year}年{self.day.month}月{self.day.day}日"
        )

    @property
    def filename(self):
        return f"{self.label}-{self.unit}-{self.period}"


def _cells(table: Table):
    return [["—" if v is None else v for v in row] for row in table.with_total()]


def _empty(table: Table):
    return ["本期间无数据"] + [""] * (len(table.columns) - 1)


def _widths(table: Table, rows):
    """A text column (a county's or an enterprise's name, a cause, a measure) as wide as its longest line, up to 40;
    a count or rate column as its header wrapped on two lines (one when short), so a wide table still fits an A4
    page across at a readable size."""
    widths = []
    for i, column in enumerate(table.columns):
        label = text_width(column.label)
        if column.type == "text":
            longest = max([label] + [text_width(line) for row in rows for line in str(row[i]).split("\n")])
            widths.append(max(8, min(longest + 2, 40)))
        else:
            widths.append(label + 2 if label <= 12 else max(8, min(label // 2 + 3, 14)))
    return widths


def sheets(heading: Heading, tables):
    """One printable sheet per table: title, unit and period above, the table with its 合计 row, the sign line."""
    out = []
    for table in tables:
        rows = _cells(table) or [_empty(table)]
        subtitle = table.title + (f"（{table.note}）" if table.note else "")
        out.append(
            exports.Sheet(
                table.title[:31],
                [c.label for c in table.columns],
                rows,
                _widths(table, rows),
                [heading.table_name, heading.meta, subtitle],
                [heading.sign],
            )
        )
    return out


def context(heading: Heading, paragraphs, tables):
    return {"h": heading, "paragraphs": paragraphs, "tables": [(t, _cells(t)) for t in tables]}


def pdf(heading: Heading, paragraphs, tables):
    return render_pdf(context(heading, paragraphs, tables), "reports/print.html")


def docx(heading: Heading, paragraphs, tables):
    c = context(heading, paragraphs, tables)
    w = WordDocument(size=14)
    w.title(heading.table_name, size=20)
    w.para(heading.meta, align="center", size=12)
    for paragraph in paragraphs:
        w.para(paragraph)
    w.heading("附表")
    for table, rows in c["tables"]:
        w.heading(table.title, size=12)
        rest = (TEXT_WIDTH_MM - 46) / max(len(table.columns) - 1, 1)
        widths = [46] + [rest] * (len(table.columns) - 1)
        w.table(rows or [_empty(table)], header=[col.label for col in table.columns], widths=widths)
    w.para("")
    w.para(heading.sign, indent=False)
    return w.bytes()
