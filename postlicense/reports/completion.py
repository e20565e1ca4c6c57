"""工业产品生产企业监督检查完成情况汇总表 (004 八; DESIGN "Reporting"): per supervising unit and per supervision class,
the annual plan's required vs done (planning: the plan entries' counters as they stand when computed), the
period's inspections, problems and their rectification, orders, tests, cases and risk problems.

Each measure is one aggregate query grouped by (supervising unit, supervision class) over the unit's jurisdiction,
folded into the two tables in Python (a dozen rows), never a per-enterprise loop; the figures are as recorded on
the data cut (records dated after it do not count).
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

from . import risks
from .counting import fold, grouped, grouped_many
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


def measures(unit, period, cut):
    """The counts per (supervising unit, class) for each column that is counted, in COLUMNS order (None = a rate)."""
    start = period.start
    records = InspectionRecord.objects.filter(
        unit_q(InspectionRecord, unit), status=InspectionRecord.Status.FINISHED, inspection_date__range=(start, cut)
    )
    inspected, done = grouped_many(records, E, enterprises=Count("enterprise_id", distinct=True), records=Count("pk"))
    problems = Problem.objects.filter(
        unit_q(Problem, unit),
        record__status=InspectionRecord.Status.FINISHED,
        record__inspection_date__range=(start, cut),
    ).exclude(status=Problem.Status.SUPERSEDED)
    found, rectified = grouped_many(
        problems,
        E,
        found=Count("pk"),
        rectified=Count("pk", filter=Q(status=Problem.Status.CLOSED, closed_at__date__lte=cut)),
    )
    tests, failed = grouped_many(
        TestOrder.objects.filter(unit_q(TestOrder, unit)).filter(
            Q(sampling_date__range=(start, cut)) | Q(report_date__range=(start, cut))
        ),
        E,
        tests=Count("pk", filter=Q(sampling_date__range=(start, cut))),
        failed=Count("pk", filter=Q(result=TestOrder.Result.UNQUALIFIED, report_date__range=(start, cut))),
    )
    planned = PlanEntry.objects.filter(unit_q(PlanEntry, unit), year=period.year)
    entered, required, finished, behind = grouped_many(planned, E, **completion_aggregates())
    return [
        grouped(Enterprise.objects.filter(unit_q(Enterprise, unit)).exclude(status=Enterprise.Status.CANCELLED), ""),
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
        tests,
        failed,
        grouped(Case.objects.filter(unit_q(Case, unit), referred_on__range=(start, cut)), E),
        risks.grouped_counts(unit, period, cut),
    ]


ORDER_COLUMNS = [Column("签发（份）"), Column("办理中"), Column("其中逾期"), Column("仍存在问题"), Column("已关闭")]


def orders_table(unit, period, cut):
    """The period's rectification orders per supervising unit by their status when counted (one GROUP BY query);
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
        .order_by("enterprise__supervising_unit__name")
    )
    return Table(
        "责令改正通知书办理情况（按监管单位）",
        [Column("监管单位", "text"), *ORDER_COLUMNS],
        [
            [r["enterprise__supervising_unit__name"], r["total"], r["open"], r["overdue"], r["persisting"], r["closed"]]
            for r in rows
        ],
        "办理中、仍存在问题、已关闭为统计时的状态；逾期指整改期满未报告或复查逾期未派发。",
    )


def compute(unit, period, cut):
    counted = measures(unit, period, cut)
    return [
        fold("按监管单位（县区）", "监管单位", COLUMNS, counted, lambda g: g[0]),
        fold("按监管类别", "监管类别", COLUMNS, counted, lambda g: CLASS_LABELS.get(g[1], g[1] or "未分类")),
        orders_table(unit, period, cut),
    ]
