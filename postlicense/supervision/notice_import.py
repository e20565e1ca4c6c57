"""A linkage notice's list of enterprises, typed in or uploaded as .xlsx (the columns: docs/supervision.md).

The registry import's machinery (registry.xlsx: core.uploads checks on the file, the header row, RowCheck and
RowError): every row is checked before anything is written; one bad row refuses the whole file and every bad row
is listed with its column and reason — a credit code failing GB 32100-2015, a code listed twice, a cell that a
spreadsheet would run as a formula.
"""

from django.core.exceptions import ValidationError

from postlicense.core.exports import FORMULA_PREFIXES
from postlicense.registry.models import Enterprise
from postlicense.registry.xlsx import Column, RowCheck, RowError, SheetError, open_rows, sheets

COLUMNS = [
    Column("统一社会信用代码", "credit_code", True, 22, "18位，按 GB 32100-2015 校验"),
    Column("企业名称", "enterprise_name", False, 30),
    Column("产品", "product", False, 16, "可空：按通报登记的产品"),
    Column("不合格项目", "failed_items", False, 30, "可空：按通报登记的不合格项目/问题"),
]
LIMITS = {"enterprise_name": 200, "product": 100, "failed_items": 2000}
NOTES = ["同一信用代码只能出现一次；任何一行有误则整个文件不予导入，并列出全部有误的行。"]
TEMPLATE_EXAMPLE = [["91411082MA40XXXXXX", "示例企业名称", "水泥", "3天抗压强度"]]


def looks_like_formula(text):
    return text.startswith(FORMULA_PREFIXES)


def parse_rows(numbered_cells):
    """(rows, errors) from (row number, {key: cell}) pairs."""
    field = Enterprise._meta.get_field("credit_code")
    rows, errors, first_row = [], [], {}
    for number, cells in numbered_cells:
        check = RowCheck(number, cells, COLUMNS, errors)
        for key, text in check.text.items():
            if looks_like_formula(text):
                check.fail(key, f"内容“{text[:20]}”以 {text[0]!r} 开头，会被表格软件当作公式执行，请改为纯文本")
        check.max_length(LIMITS)
        code = check.clean("credit_code", field) if check.text["credit_code"] else ""
        if code and code in first_row:
            check.fail("credit_code", f"与第{first_row[code]}行重复")
        elif code:
            first_row[code] = number
        if check.ok:
            rows.append({key: check.text[key] for key in ("enterprise_name", "product", "failed_items")})
            rows[-1]["credit_code"] = code
    return rows, sorted(errors, key=lambda e: e.row)


def read_file(upload):
    """(rows, errors) of an uploaded .xlsx; a file that cannot be read at all is one error on row 0."""
    try:
        _total, numbered = open_rows(upload, COLUMNS)
        return parse_rows(numbered)
    except SheetError as exc:
        return [], [RowError(0, "", str(exc))]


def read_text(text):
    """The form's box: one enterprise a line, "信用代码 企业名称" (separated by a space, tab or comma)."""
    numbered = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.replace("\t", " ").replace("，", " ").replace(",", " ").split(None, 1)
        numbered.append(
            (
                number,
                {
                    "credit_code": parts[0],
                    "enterprise_name": parts[1] if len(parts) > 1 else "",
                    "product": "",
                    "failed_items": "",
                },
            )
        )
    return parse_rows(numbered)


def errors_message(errors):
    """All row errors as one field error (the form shows each on its own line)."""
    return ValidationError(
        [f"第{e.row}行 {e.column}：{e.message}" if e.row else e.message for e in errors], code="rows"
    )


def template_sheets():
    return sheets(COLUMNS, TEMPLATE_EXAMPLE, "通报企业名单", notes=NOTES)
