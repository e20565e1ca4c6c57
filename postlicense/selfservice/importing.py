"""Import of annual self-reports from the national 公示系统 (国家企业信用信息公示系统) export, .xlsx or .csv
(columns: docs/selfservice.md). As the enterprise import (registry.importing): every row is validated first; one bad
row imports nothing and every bad row is listed (row, column, reason). An imported report is filed (待审查) and
marked with its source and file name. The import is a core.jobs job (kind 导入企业年度自查报告, handler `run_job`):
a small file runs within the request, a larger one on a worker, the page showing its progress and result."""

import csv
import io
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from postlicense.core.audit import acting_as
from postlicense.core.jobs import services as jobs
from postlicense.registry.models import Enterprise
from postlicense.registry.xlsx import Column, RowCheck, SheetError, open_rows

from . import rules
from .models import SelfReport

COLUMNS = [
    Column("统一社会信用代码", "credit_code", True, 22, "18位，须为本辖区已登记的获证企业"),
    Column("企业名称", "name", True, 30),
    Column("报告年度", "year", True, 10, "如 2025；不能是今年或以后的年度"),
    Column("提交日期", "submitted_on", True, 12, "企业在公示系统提交的日期，YYYY-MM-DD"),
    Column("生产状态", "production_status", True, 10, "正常生产/部分停产/全部停产"),
    Column("主要变化情况", "changes", False, 30, "名称、住所、生产地址、法定代表人等的变化；无变化填“无”"),
    Column("接受监督检查和抽查情况", "checks", False, 30),
    Column("自查情况", "self_check", False, 40),
    Column("存在问题及整改情况", "problems", False, 40),
    Column("声明人", "declarant", True, 10),
]
HEADER = {c.key: c.header for c in COLUMNS}
TEXT_KEYS = [c.key for c in COLUMNS]


def open_csv_rows(file, columns):
    """The same (row count, iterator of (row number, {key: value})) as registry.xlsx.open_rows, from a CSV
    (UTF-8 with or without BOM, or GB18030 as Excel saves it)."""
    raw = file.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("文件编码无法识别：请保存为 UTF-8 编码的 CSV 文件。")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SheetError("文件是空的：第一行应为列标题。")
    header = [h.strip().rstrip("*") for h in rows[0]]
    missing = [c.header for c in columns if c.header not in header]
    if missing:
        raise SheetError(f"缺少列：{'、'.join(missing)}。请使用说明中的列标题（第一行）。")
    positions = {c.key: header.index(c.header) for c in columns}
    data = [
        (number, {key: (values[i] if i < len(values) else "") for key, i in positions.items()})
        for number, values in enumerate(rows[1:], start=2)
        if any(v.strip() for v in values)
    ]
    return len(data), iter(data)


def read(upload, name=None):
    upload.seek(0)
    if (name or upload.name).lower().endswith(".csv"):
        return open_csv_rows(upload, COLUMNS)
    return open_rows(upload, COLUMNS)


def validate(numbered_cells, user, today):
    """(rows, errors): each row against the register (in the user's scope), the year and the reports filed."""
    rows, errors, seen = [], [], {}
    cells_by_row = list(numbered_cells)
    codes = {str(cells["credit_code"] or "").strip().upper() for _, cells in cells_by_row}
    visible = {e.credit_code: e for e in Enterprise.objects.for_user(user).filter(credit_code__in=codes)}
    registered = set(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True))
    filed = {
        (r.enterprise_id, r.year): r
        for r in SelfReport.objects.filter(enterprise__in=visible.values()).only("enterprise_id", "year", "status")
    }
    for number, cells in cells_by_row:
        check = RowCheck(number, cells, COLUMNS, errors)
        text = check.text
        for key in TEXT_KEYS:
            if rules.looks_like_formula(text[key]):
                check.fail(key, "内容以 = + - @ 开头，疑似表格公式，不予导入；请删除开头的符号")
        code = text["credit_code"].upper()
        enterprise = visible.get(code)
        if code and enterprise is None:
            check.fail(
                "credit_code",
                "该信用代码的企业不在您的管辖范围内"
                if code in registered
                else "未登记的统一社会信用代码（请先在企业名录中登记）",
            )
        year = None
        if text["year"]:
            if not text["year"].isdigit():
                check.fail("year", "应为四位年份，如 2025")
            else:
                year = int(text["year"])
                if year >= today.year:
                    check.fail("year", f"报告年度不能是{today.year}年或以后（年度结束后才能报告）")
                    year = None
        submitted_on = check.date("submitted_on")
        if submitted_on and submitted_on > today:
            check.fail("submitted_on", "提交日期不能晚于今天")
        if submitted_on and year and submitted_on.year <= year:
            check.fail("submitted_on", f"{year}年度的报告应在{year + 1}年及以后提交")
        if text["production_status"] and text["production_status"] not in rules.PRODUCTION_STATUSES:
            check.fail(
                "production_status", f"“{text['production_status']}”不是可选值（{'/'.join(rules.PRODUCTION_STATUSES)}）"
            )
        check.max_length({"name": 200, "declarant": 50})
        if enterprise and year:
            first = seen.get((code, year))
            existing = filed.get((enterprise.pk, year))
            if first:
                check.fail("year", f"与第{first}行重复（同一企业同一年度只有一份报告）")
            elif existing is not None and existing.is_filed:
                check.fail("year", f"该企业{year}年度的自查报告已提交（{existing.get_status_display()}），不再重复导入")
            seen.setdefault((code, year), number)
        if check.ok:
            rows.append((number, enterprise, year, submitted_on, text))
    return rows, sorted(errors, key=lambda e: e.row)


@transaction.atomic
def apply(rows, *, filename):
    """Write the validated rows: a filed report per row (an enterprise's portal draft is replaced by the filing)."""
    count = 0
    for _, enterprise, year, submitted_on, text in rows:
        report = SelfReport.objects.filter(enterprise=enterprise, year=year).first() or SelfReport(
            enterprise=enterprise, year=year
        )
        report.source, report.source_file = SelfReport.Source.IMPORT, filename[:200]
        report.status = SelfReport.Status.SUBMITTED
        report.content = {"imported": {c.header: text[c.key] for c in COLUMNS}}
        report.declarant = text["declarant"]
        report.submitted_at = timezone.make_aware(datetime.combine(submitted_on, time(12)))
        report.submitted_by = None
        report.save()
        count += 1
    return count


def run_job(job, progress):
    """The job's handler: validate every row (the first half of the bar), then write them all in one transaction;
    any bad row ends the job 校验未通过 with every error and nothing written. A rerun after a lost worker meets
    the reports it wrote as filed and ends with those rows refused, nothing written twice."""
    with job.file.open("rb") as fh:
        try:
            total, cells = read(fh, job.filename)
            progress(0, total=total, phase="正在校验")
            rows, errors = validate(cells, job.created_by, timezone.localdate())
        except SheetError as exc:
            raise jobs.JobInputError([{"row": 0, "column": "", "message": str(exc)}]) from exc
    if errors:
        raise jobs.JobInputError([e.as_dict() for e in errors], total=total)
    if not rows:
        raise jobs.JobInputError([{"row": 0, "column": "", "message": "文件中没有数据行。"}], total=total)
    progress(total // 2, total=total, phase="正在导入")
    with acting_as(job.created_by):
        imported = apply(rows, filename=job.filename)
    progress(total, total=total)
    return {"imported": imported}
