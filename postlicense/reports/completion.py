"""工业产品生产企业监督检查完成情况汇总表 (004 八; DESIGN "Reporting"): per supervising unit and per supervision class,
the annual plan's required vs done (planning: the plan entries' counters as they stand when computed), the
period's inspections, problems and their rectification, orders, tests, cases and risk problems.

`compute` reads the maintained counts (reports.counts: per region, supervising unit, class, day and metric), so a
province reads a few thousand rows rather than its millions of records; `recompute` is the same summary from the
records, one aggregate query per measure grouped by (supervising unit, supervision class) — the reference the counts
must equal (tests/test_counts.py). Either way the groups are folded into the two tables in Python (a dozen rows);
the figures are as recorded on the data cut (records dated after it do not count).
"""

from django.db.models import Count, Q

from postlicense.core.scoping import unit_q
from postlicense.followup.models import Case, RectificationOrder
from postlicense.followup.selectors import overdue_q
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.planning.models import PlanEntry
from postlicense.planning.selectors import completion_aggregates
from postlicense.registry.models import Enterprise
from postlicense.supervision.models import TestOrder

from . import counts, risks
from .counting import fold, grouped, grouped_many
from .models import Metric
from .tables import Column, Table

COLUMNS = [
    Column("获证企业数"),
    Column("列入计划企业数"),
    Column("应检查（次）"),
    Column("计划内已完成（次）"),
    Column("计划完成率（%）", "rate", (4, 3)),
    Column("未完成计划企业数"),
    Column("已检查企业数"),
    Column("完成检查（次）"),
    Column("发现问题（项）"),
    Column("已整改（项）"),
    Column("整改率（%）", "rate", (10, 9)),
    Column("责令改正通知书（份）"),
    Column("监督抽检（批次）"),
    Column("不合格（批次）"),
    Column("移交案件（件）"),
    Column("风险问题（项）"),
]
E = "enterprise__"
CLASS_LABELS = dict(Enterprise.SupervisionClass.choices)


def recompute_measures(unit, period, cut):
    """The counts per (supervising unit, class) for each column that is counted, in COLUMNS order (None = a rate),
    computed from the records: the reference the maintained counts (reports.counts) must equal."""
    start = period.start
    records = counts.finished_records().filter(unit_q(InspectionRecord, unit), inspection_date__range=(start, cut))
    inspected, done = grouped_many(records, E, enterprises=Count("enterprise_id", distinct=True), records=Count("pk"))
    problems = counts.counted_problems().filter(unit_q(Problem, unit), record__inspection_date__range=(start, cut))
    found, rectified = grouped_many(
        problems, E, found=Count("pk"), rectified=Count("pk", filter=counts.RECTIFIED & Q(closed_at__date__lte=cut))
    )
    tests = TestOrder.objects.filter(unit_q(TestOrder, unit))
    planned = PlanEntry.objects.filter(unit_q(PlanEntry, unit), year=period.year)
    entered, required, finished, behind = grouped_many(planned, E, **completion_aggregates())
    return [
        grouped(counts.licensed_enterprises().filter(unit_q(Enterprise, unit)), ""),
        entered,
        required,
        finished,
        None,
        behind,
        inspected,
        done,
        found,
        rectified,
        None,
        grouped(RectificationOrder.objects.filter(unit_q(RectificationOrder, unit), issued_on__range=(start, cut)), E),
        grouped(tests.filter(sampling_date__range=(start, cut)), E),
        grouped(tests.filter(result=TestOrder.Result.UNQUALIFIED, report_date__range=(start, cut)), E),
        grouped(Case.objects.filter(unit_q(Case, unit), referred_on__range=(start, cut)), E),
        risks.grouped_counts(unit, period, cut),
    ]


def measures(counted):
    """recompute_measures' figures from the maintained counts (reports.counts.read)."""
    M = Metric
    risk = dict(counted[M.FAILED])
    for key, n in counted[M.ESCALATIONS].items():
        risk[key] = risk.get(key, 0) + n
    return [
        *(counted[m] for m in (M.ENTERPRISES, M.ENTERED, M.REQUIRED, M.FINISHED)),
        None,
        *(counted[m] for m in (M.BEHIND, M.INSPECTED, M.RECORDS, M.FOUND, M.RECTIFIED)),
        None,
        *(counted[m] for m in (M.ORDERS, M.TESTS, M.FAILED, M.CASES)),
        risk,
    ]


ORDER_COLUMNS = [Column("签发（份）"), Column("办理中"), Column("其中逾期"), Column("仍存在问题"), Column("已关闭")]


def recount_orders(unit, period, cut):
    """{supervising unit name: [签发, 办理中, 其中逾期, 仍存在问题, 已关闭]} of the period's orders, from the orders;
    逾期 as follow-up counts it (followup.selectors.overdue_q) on the data cut."""
    S = RectificationOrder.Status
    open_ = Q(status__in=RectificationOrder.OPEN_STATUSES)
    rows = (
        RectificationOrder.objects.filter(unit_q(RectificationOrder, unit), issued_on__range=(period.start, cut))
        .values("enterprise__supervising_unit__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=open_),
            overdue=Count("pk", filter=open_ & overdue_q(cut)),
            persisting=Count("pk", filter=Q(status=S.PERSISTING)),
            closed=Count("pk", filter=Q(status=S.CLOSED)),
        )
        .order_by()
    )
    return {
        r["enterprise__supervising_unit__name"]: [r["total"], r["open"], r["overdue"], r["persisting"], r["closed"]]
        for r in rows
    }


def orders(counted):
    """recount_orders' figures from the maintained counts (逾期 counted from the day an order first is overdue)."""
    M = Metric
    found = {}
    for i, metric in enumerate((M.ORDERS, M.ORDERS_OPEN, M.ORDERS_OVERDUE, M.ORDERS_PERSISTING, M.ORDERS_CLOSED)):
        for (name, _), n in counted[metric].items():
            found.setdefault(name, [0] * 5)[i] += n
    return found


def orders_table(unit, period, cut):
    """The order table alone (the home page's chart of orders by county), from the maintained counts."""
    return _orders_table(orders(counts.read(unit, period, cut)))


def _orders_table(by_unit):
    """The period's rectification orders per supervising unit by their status when counted; 逾期 as follow-up
    counts it (followup.selectors.overdue_q) on the data cut."""
    return Table(
        "责令改正通知书办理情况（按监管单位）",
        [Column("监管单位", "text"), *ORDER_COLUMNS],
        [[name, *by_unit[name]] for name in sorted(by_unit)],
        "办理中、仍存在问题、已关闭为统计时的状态；逾期指整改期满未报告或复查逾期未派发。",
    )


def _tables(counted, by_unit):
    return [
        fold("按监管单位（县区）", "监管单位", COLUMNS, counted, lambda g: g[0]),
        fold("按监管类别", "监管类别", COLUMNS, counted, lambda g: CLASS_LABELS.get(g[1], g[1] or "未分类")),
        _orders_table(by_unit),
    ]


def compute(unit, period, cut):
    """The summary from the maintained counts (reports.counts), settled first: equal to `recompute`."""
    counted = counts.read(unit, period, cut)
    return _tables(measures(counted), orders(counted))


def recompute(unit, period, cut):
    """The summary computed from the records, one aggregate query per measure (the reference; bench/reports.py
    times it beside `compute`)."""
    return _tables(recompute_measures(unit, period, cut), recount_orders(unit, period, cut))
