"""Exports for the national 双随机 platform (columns documented in docs/randomcheck.md): the task notice
(任务公告), the drawn list, the inspector match and the result notice (结果公告), as CSV (UTF-8 with BOM, opens
in Excel) or .xlsx, written by core.exports (no cell can start a formula)."""

from postlicense.core.exports import render
from postlicense.registry.xlsx import Column, sheets

from . import rules, selectors
from .draw import STRATUM_LABELS
from .models import Task

CHECK_TYPE = "双随机抽查"


def task_number(task: Task) -> str:
    return f"SJ{task.year}-{task.pk:04d}"


def _task_columns(task: Task) -> list:
    return [task.plan_number, task.plan_name, task_number(task), task.name, CHECK_TYPE, task.issuing_unit.name]


TASK_COLUMNS = [
    Column("计划编号", "plan_no", width=16),
    Column("计划名称", "plan", width=32),
    Column("任务编号", "task_no", width=14),
    Column("任务名称", "task", width=40),
    Column("检查类型", "kind", width=12),
    Column("检查机关", "authority", width=28),
]
NOTICE_COLUMNS = TASK_COLUMNS + [
    Column("检查事项", "items", width=60),
    Column("检查对象范围", "scope", width=60),
    Column("检查期间", "period", width=24),
    Column("企业名称", "name", width=36),
    Column("统一社会信用代码", "credit_code", width=22),
]

DRAW_COLUMNS = TASK_COLUMNS + [
    Column("企业名称", "name", width=36),
    Column("统一社会信用代码", "credit_code", width=22),
    Column("风险等级", "stratum", width=10),
    Column("排序值", "rank", width=66),
    Column("负责检查单位", "unit", width=28),
    Column("检查截止日期", "deadline", width=14),
]
MATCH_COLUMNS = TASK_COLUMNS + [
    Column("企业名称", "name", width=36),
    Column("统一社会信用代码", "credit_code", width=22),
    Column("检查人员", "inspector", width=12),
    Column("执法证号", "certificate_no", width=20),
    Column("检查人员单位", "inspector_unit", width=28),
    Column("排序值", "rank", width=66),
    Column("匹配状态", "state", width=40),
]
RESULT_COLUMNS = TASK_COLUMNS + [
    Column("企业名称", "name", width=36),
    Column("统一社会信用代码", "credit_code", width=22),
    Column("完成日期", "date", width=14),
    Column("检查结果", "result", width=30),
    Column("备注", "remarks", width=40),
]


def notice_rows(task: Task, drawn_list):
    """任务公告: the task's items, scope and period on every row of its drawn list (DESIGN "What the national
    platform expects")."""
    about = [selectors.check_items(task), selectors.scope_text(task), selectors.check_period(task)]
    for drawn in drawn_list:
        yield _task_columns(task) + about + [drawn.enterprise.name, drawn.credit_code]


def draw_rows(task: Task, drawn_list):
    for drawn in drawn_list:
        yield _task_columns(task) + [
            drawn.enterprise.name,
            drawn.credit_code,
            STRATUM_LABELS[drawn.stratum],
            drawn.rank,
            drawn.enterprise.supervising_unit.name,
            task.deadline.isoformat(),
        ]


def match_rows(task: Task, assignments):
    for a in assignments:
        state = "在任" if a.removed_by is None else f"已调整：{a.removed_by.reason}"
        yield _task_columns(task) + [
            a.drawn.enterprise.name,
            a.drawn.credit_code,
            a.inspector.name,
            a.inspector.certificate_no,
            a.inspector.org_unit.name,
            a.rank,
            state,
        ]


def result_rows(task: Task, drawn_list):
    for drawn in drawn_list:
        day = rules.result_date(drawn)
        record = drawn.inspection
        remarks = (
            drawn.not_inspected_note if drawn.not_inspected_reason else (record.problems_summary if record else "")
        )
        yield _task_columns(task) + [
            drawn.enterprise.name,
            drawn.credit_code,
            day.isoformat() if day else "",
            rules.national_result(drawn),
            remarks,
        ]


EXPORTS = {
    "notice": ("任务公告", NOTICE_COLUMNS, notice_rows),
    "draw": ("抽查名单", DRAW_COLUMNS, draw_rows),
    "match": ("人员匹配", MATCH_COLUMNS, match_rows),
    "results": ("结果公告", RESULT_COLUMNS, result_rows),
}


def export(kind: str, fmt: str, task: Task, items) -> tuple[str, bytes]:
    """(file name, content) of one export; `items` are drawn enterprises (draw, results) or assignments (match)."""
    title, columns, rows = EXPORTS[kind]
    name = f"{task_number(task)}-{title}.{fmt}"
    return name, render(name, sheets(columns, rows(task, items), title))
