"""双随机 statistics as the national platform counts them (DESIGN "Reporting"; 003 七(三)):
检查完成率 = inspected ÷ drawn; 公示率 = published ÷ drawn; 完结率 = closed ÷ inspected, by task, by area, by result
category and by follow-up category. A drawn enterprise counts in the period its task's deadline falls in; the counts are as recorded when the report is
computed (a submission freezes them).

"Inspected" is a recorded outcome (a finished record, or 停产/转产 recorded, 003 七(五)); "closed" is an outcome
that needs nothing more: no open problem is left on its record.
"""

from django.db.models import Exists, OuterRef

from postlicense.core.scoping import unit_q
from postlicense.inspections.models import Problem
from postlicense.randomcheck import rules
from postlicense.randomcheck.models import DrawnEnterprise, Task

from .tables import Column, Table, fill_rates

# after the key column (0): 1 drawn, 2 inspected, 3 completion, 4 published, 5 disclosure, 6 closed, 7 closure
RATE_COLUMNS = [
    Column("抽取企业数"),
    Column("已检查数"),
    Column("检查完成率（%）", "rate", (2, 1)),
    Column("已公示数"),
    Column("公示率（%）", "rate", (4, 1)),
    Column("已完结数"),
    Column("完结率（%）", "rate", (6, 2)),
]
OPEN_PROBLEM = [Problem.Status.OPEN, Problem.Status.PERSISTING]


def drawn_in(unit, period, cut):
    return (
        DrawnEnterprise.objects.filter(unit_q(DrawnEnterprise, unit))
        .filter(task__deadline__range=(period.start, period.end), task__frozen_at__isnull=False)
        .exclude(task__state=Task.State.CANCELLED)
        .select_related("task", "inspection", "disclosure", "enterprise__supervising_unit")
        .annotate(
            open_problems=Exists(Problem.objects.filter(record_id=OuterRef("inspection_id"), status__in=OPEN_PROBLEM))
        )
        .order_by("task_id", "id")
    )


def _counts(drawn):
    outcome = rules.outcome(drawn)
    inspected = outcome is not None
    return [
        1,
        int(inspected),
        None,
        int(hasattr(drawn, "disclosure")),
        None,
        int(inspected and not drawn.open_problems),
        None,
    ]


def _grouped(title, key_label, drawn_list, key):
    rows = {}
    for drawn in drawn_list:
        counts = _counts(drawn)
        row = rows.setdefault(key(drawn), [key(drawn)] + [0, 0, None, 0, None, 0, None])
        for i, value in enumerate(counts, start=1):
            if value is not None:
                row[i] += value
    columns = [Column(key_label, "text")] + RATE_COLUMNS
    return Table(title, columns, [fill_rates(columns, row) for row in rows.values()])


def _categories(title, label, drawn_list, category):
    counts = {}
    for drawn in drawn_list:
        name = category(drawn)
        if name:
            counts[name] = counts.get(name, 0) + 1
    return Table(title, [Column(label, "text"), Column("企业数")], [[name, n] for name, n in counts.items()])


def compute(unit, period, cut):
    drawn_list = list(drawn_in(unit, period, cut))
    unqualified = [d for d in drawn_list if rules.outcome(d) == "unqualified"]
    return [
        _grouped("按任务", "抽查任务", drawn_list, lambda d: d.task.name),
        _grouped("按地区", "监管单位", drawn_list, lambda d: d.enterprise.supervising_unit.name),
        _categories("按结果类别", "结果类别（国家平台）", drawn_list, rules.national_result),
        _categories("按后续处置类别（发现问题的企业）", "后续处置类别", unqualified, rules.national_result),
    ]
