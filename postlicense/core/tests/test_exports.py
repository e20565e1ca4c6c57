"""Issue 11 item 2: no export carries a formula (OWASP CSV injection). Every .xlsx and .csv download goes through
core.exports, which puts a "'" before text starting with = + - @, a tab or a carriage return."""

import csv
import hashlib
import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from postlicense.core import exports
from postlicense.core.exports import FORMULA_PREFIXES, Sheet
from postlicense.core.models import User
from postlicense.randomcheck import services as randomcheck
from postlicense.randomcheck.draw import candidates_csv_bytes, candidates_digest
from postlicense.randomcheck.models import Task
from postlicense.randomcheck.tests.factories import contribute, make_task
from postlicense.registry.importing import COLUMNS
from postlicense.registry.models import Enterprise
from postlicense.registry.tests.conftest import good_row

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil","x")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]
INSPECTOR_HEADERS = [
    "姓名",
    "所在单位",
    "职务",
    "联系电话",
    "执法证号",
    "执法证有效期起",
    "执法证有效期至",
    "专业领域",
    "在岗",
]


@pytest.mark.parametrize("text", [*HOSTILE, "\tcalc", "\rcalc"])
def test_safe_cell_neutralises_every_formula_start_and_restore_undoes_it(text):
    """OWASP CSV injection: = + - @ tab CR at the start get a leading "'"; an import of the export drops it."""
    assert exports.safe_cell(text) == "'" + text
    assert exports.restore(exports.safe_cell(text)) == text


def test_safe_cell_leaves_other_values_and_drops_characters_an_xlsx_cannot_hold():
    assert exports.safe_cell("长葛市 'A'") == "长葛市 'A'"
    assert exports.safe_cell(-5) == -5 and exports.safe_cell(None) is None
    assert exports.safe_cell("a\x00b\x07c") == "abc"
    assert exports.restore("'普通文本") == "'普通文本"


def test_one_writer_sets_the_download_headers_and_refuses_unknown_formats():
    response = exports.download("名录.csv", [Sheet("名录", ["名称"], [["=1+1"]])], "list.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="list.csv"; filename*=UTF-8')
    assert response.content.decode("utf-8-sig") == "名称\r\n'=1+1\r\n"
    with pytest.raises(ValueError):
        exports.render("名录.html", [Sheet("名录", ["名称"], [])])
    with pytest.raises(ValueError):
        exports.render("名录.csv", [Sheet("a", ["x"], []), Sheet("b", ["y"], [])])


def test_the_candidate_csv_is_sent_unchanged_and_refused_if_a_cell_could_run():
    """The hashed candidate list is not rewritten (its digest would change): it is checked instead."""
    candidates = [("91411002MA40000008", "high")]
    response = exports.respond_canonical_csv(candidates_csv_bytes(candidates), "候选名单.csv")
    assert hashlib.sha256(response.content).hexdigest() == candidates_digest(candidates)
    with pytest.raises(ValueError, match="formula"):
        exports.respond_canonical_csv("统一社会信用代码,风险等级\n=1+1,高\n".encode(), "候选名单.csv")


def cells_of(response):
    """Every cell of a downloaded .xlsx (all sheets) or .csv, as (value, is_formula)."""
    body = response.content
    if response["Content-Type"].startswith("text/csv"):
        return [(cell, False) for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return [
        (cell.value, cell.data_type == "f")
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]


def assert_no_formula(response, expected=()):
    cells = cells_of(response)
    bad = [
        value for value, formula in cells if formula or (isinstance(value, str) and value.startswith(FORMULA_PREFIXES))
    ]
    assert bad == [], response["Content-Disposition"]
    values = {value for value, _ in cells}
    for text in expected:
        assert "'" + text in values, (text, response["Content-Disposition"])


def text_xlsx(rows, headers):
    """An .xlsx whose cells are text even where they start with "=" (as typed into a cell formatted as text)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for r, values in enumerate([headers, *([row.get(h, "") for h in headers] for row in rows)], start=1):
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c, value).data_type = "s"
    file = io.BytesIO()
    workbook.save(file)
    file.seek(0)
    return file


def upload(client, kind, headers, rows, name="名录.xlsx"):
    file = text_xlsx(rows, headers)
    file.name = name
    return client.post(f"/registry/import/{kind}/", {"file": file}, follow=True)


def test_imported_formulas_leave_every_export_as_text(client, make_user):
    """Enterprises and inspectors whose names and addresses are formulas are imported (they are just text), then
    every export is read back cell by cell: no formula cell in any .xlsx, no CSV cell starting a formula."""
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    client.force_login(admin)
    rows = [good_row(n, 企业名称=text, 住所=text) for n, text in enumerate(HOSTILE, start=1)]
    response = upload(client, "enterprises", [c.header for c in COLUMNS], rows)
    assert "导入完成" in response.content.decode()
    assert set(Enterprise.objects.values_list("name", flat=True)) == set(HOSTILE)
    inspectors = [
        {
            "姓名": text,
            "所在单位": "长葛市市场监督管理局",
            "职务": text,
            "执法证号": f"41108200{n:03d}",
            "执法证有效期至": "2029-12-31",
        }
        for n, text in enumerate(HOSTILE * 2, start=1)
    ]
    assert "导入完成" in upload(client, "inspectors", INSPECTOR_HEADERS, inspectors).content.decode()

    assert_no_formula(client.get("/registry/enterprises/export.xlsx"), HOSTILE)
    assert_no_formula(client.get("/inspectors/export.xlsx"), HOSTILE)
    for kind in ("enterprises", "inspectors"):
        assert_no_formula(client.get(f"/registry/import/{kind}/template.xlsx"))

    ratios = {f"ratio_{s}": 100 for s in ("low", "medium", "medium_high", "high")}
    task = make_task(admin, name=HOSTILE[0], plan_number=HOSTILE[2], plan_name=HOSTILE[4], **ratios)
    task = randomcheck.freeze_candidates(task, admin)
    contribute(task, admin)
    task = randomcheck.draw_enterprises(task, admin)
    randomcheck.match_inspectors(task, admin)
    randomcheck.dispatch(task, admin)
    randomcheck.record_not_inspected(task.drawn.first(), "stopped", HOSTILE[1], admin)
    assert Task.objects.get().drawn.count() == len(HOSTILE)
    for kind in ("notice", "draw", "match", "results"):
        for fmt in ("xlsx", "csv"):
            response = client.get(f"/random-checks/{task.pk}/export/{kind}.{fmt}")
            assert response.status_code == 200
            assert_no_formula(response, HOSTILE)
    assert_no_formula(client.get(f"/random-checks/{task.pk}/candidates.csv"))


def test_no_other_module_writes_a_spreadsheet_or_a_csv():
    """One writer: a later export that builds its own workbook or CSV writer would bypass the formula guard."""
    root = Path(exports.__file__).resolve().parent.parent
    writers = re.compile(r"^\s*(?:from|import) (?:openpyxl|xlsxwriter)\b|csv\.(?:writer|DictWriter)\b", re.M)
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and path.name != "exports.py" and writers.search(path.read_text())
    ]
    assert found == []
    assert writers.search(Path(exports.__file__).read_text())


def test_an_xlsx_prints_as_a_form_title_over_the_table_header_on_every_page_a4_across():
    """What a bureau prints (issue 17): the title centred over the table, boxed cells in 宋体, the header repeated on
    each page, A4 landscape fitted to the width, page numbers; a column without a given width shows its header and a
    date in full; the lines above and below may not start a formula either."""
    sheet = Sheet(
        "汇总",
        ["监管单位", "签发日期", "已完成检查企业数"],
        [["许昌市魏都区市场监督管理局", date(2026, 5, 6), 3]],
        [30],
        ["工业产品生产企业监督检查完成情况汇总表", "=填报单位"],
        ["填报人：李四"],
    )
    ws = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes([sheet])))["汇总"]
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:C1", "A2:C2", "A5:C5"]
    assert ws["A1"].alignment.horizontal == "center" and ws["A1"].font.b and ws["A2"].value == "'=填报单位"
    assert (
        ws["A3"].value == "监管单位" and ws["A3"].border.left.style == "thin" and ws["C4"].border.right.style == "thin"
    )
    assert {ws[c].font.name for c in ("A1", "A3", "B4", "A5")} == {"宋体"}
    assert ws.column_dimensions["B"].width >= 10 and ws.column_dimensions["C"].width >= 2 * len("已完成检查企业数")
    assert ws.print_title_rows == "$3:$3" and ws.freeze_panes == "A4"
    setup = ws.page_setup
    assert (int(setup.paperSize), setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_options.horizontalCentered
    assert "&P" in ws.oddFooter.center.text


def test_a_wrapped_row_is_as_tall_as_its_lines_and_a_list_says_what_it_is(make_user):
    user = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    when = timezone.make_aware(datetime(2026, 11, 30, 9, 5))
    preamble = exports.list_preamble("监督检查记录", user, [("状态", "已完成"), ("关键词", "")], when)
    assert preamble[0] == "监督检查记录" and "导出单位：许昌市魏都区市场监督管理局" in preamble[1]
    assert "导出时间：2026-11-30 09:05" in preamble[1] and preamble[1].endswith("筛选条件：状态：已完成")
    sheet = Sheet("记录", ["企业名称", "数"], [["一" * 30, 1], ["短", 2]], [12, 6], preamble)
    ws = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes([sheet])))["记录"]
    assert ws.row_dimensions[4].height == 14 * 6 + 2 and ws.row_dimensions[5].height is None
