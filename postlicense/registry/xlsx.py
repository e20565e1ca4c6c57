"""Reading and writing .xlsx sheets with Chinese headers (shared by the enterprise and inspector imports).

A sheet is described by its Columns. `open_rows` checks the file (core.uploads.check_xlsx: size, cells, a
sound zip) and the header row and yields each data row as {key: cell value}; `sheets` lays rows out the same
way for core.exports (the template and the exports use the same columns, so an export can be edited and
re-imported).
"""

from dataclasses import dataclass
from datetime import date, datetime

import python_calamine
from django.core.exceptions import ValidationError

from postlicense.core.exports import Sheet, restore
from postlicense.core.uploads import check_xlsx

MAX_UPLOAD_MB = 20


class SheetError(Exception):
    """The file as a whole cannot be read (not an xlsx, wrong columns, empty)."""


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    width: int = 16
    note: str = ""  # shown in the template's second sheet


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


def cell_text(value):
    """A cell as stripped text ('' for empty); whole-number floats lose their '.0'; the "'" an export put
    before text that looked like a formula is dropped (core.exports.restore)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return restore(str(value)).strip()


def cell_date(value):
    """A date from a date cell or 'YYYY-MM-DD' / 'YYYY/M/D' / 'YYYY年M月D日' text; ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError("日期格式应为 YYYY-MM-DD")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError("不是有效的日期") from None


def open_rows(file, columns):
    """(row count, iterator of (row number, {key: value})) after checking the file and its headers.

    Read with calamine (Rust): openpyxl needs over a minute for a 100,000-row sheet, calamine a few seconds.
    Calamine holds the sheet's whole cell range in memory, so the file is checked against the bounds first.
    """
    try:
        check_xlsx(file)
    except ValidationError as exc:
        raise SheetError(exc.messages[0]) from exc
    try:
        sheet = python_calamine.CalamineWorkbook.from_filelike(file).get_sheet_by_index(0)
        rows = sheet.iter_rows()
        header = next(rows, None)
    except (
        python_calamine.CalamineError,
        python_calamine.ZipError,
        python_calamine.XmlError,
        OSError,
        ValueError,
    ) as exc:
        raise SheetError("文件无法读取：请上传 Excel .xlsx 格式的文件（可先下载模板）。") from exc
    if header is None:
        raise SheetError("文件是空的：第一行应为列标题。")
    header = [cell_text(h).rstrip("*") for h in header]  # the template marks required columns with *
    missing = [c.header for c in columns if c.header not in header]
    if missing:
        raise SheetError(f"缺少列：{'、'.join(missing)}。请使用模板中的列标题（第一行）。")
    positions = {c.key: header.index(c.header) for c in columns}

    def iterate():
        for number, values in enumerate(rows, start=2):
            if all(cell_text(v) == "" for v in values):
                continue
            yield number, {key: (values[i] if i < len(values) else None) for key, i in positions.items()}

    return max(sheet.height - 1, 0), iterate()


def sheets(columns, rows, title, notes=None):
    """The import layout as core.exports Sheets: header row (required columns marked *), then `rows` (iterables
    in column order); with `notes`, a second sheet 填写说明 listing each column and the notes."""
    data = Sheet(
        title,
        [column.header + ("*" if column.required else "") for column in columns],
        rows,
        [column.width for column in columns],
    )
    if notes is None:
        return [data]
    help_rows = [[c.header, "必填" if c.required else "", c.note] for c in columns] + [[line] for line in notes]
    return [data, Sheet("填写说明", ["列", "是否必填", "说明"], help_rows, [16, 10, 60])]


class RowCheck:
    """Collects one row's errors against its columns: `text[key]`, `fail(key, message)`, `date(key)`."""

    def __init__(self, number, cells, columns, errors):
        self.number, self.cells, self.errors = number, cells, errors
        self.headers = {c.key: c.header for c in columns}
        self.text = {key: cell_text(value) for key, value in cells.items()}
        self._before = len(errors)
        for column in columns:
            if column.required and not self.text[column.key]:
                self.fail(column.key, "必填")

    def fail(self, key, message):
        self.errors.append(RowError(self.number, self.headers[key], message))

    @property
    def ok(self):
        return len(self.errors) == self._before

    def date(self, key, required=False, required_message="必填"):
        if not self.text[key]:
            if required:
                self.fail(key, required_message)
            return None
        try:
            return cell_date(self.cells[key])
        except ValueError as exc:
            self.fail(key, str(exc))
            return None

    def clean(self, key, field):
        """A filled cell through a model field's own folding and validators (the forms' and the API's message);
        None after recording the error."""
        try:
            return field.clean(self.text[key], None)
        except ValidationError as exc:
            self.fail(key, exc.messages[0])
            return None

    def max_length(self, limits):
        for key, limit in limits.items():
            if len(self.text[key]) > limit:
                self.fail(key, f"不能超过{limit}个字")


def split_list(text, separators=("、", "；", ";", ",", "，")):
    """'a、b；c' → ['a', 'b', 'c'] (cells listing several names)."""
    for sep in separators[1:]:
        text = text.replace(sep, separators[0])
    return [part.strip() for part in text.split(separators[0]) if part.strip()]
