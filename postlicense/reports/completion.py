"""工业产品生产企业监督检查完成情况汇总表 (004 八; DESIGN "Reporting"): per supervising unit and per supervision class,
the period's inspections, problems and their rectification, orders, tests, cases and risk problems.

Each measure is one aggregate query grouped by (supervising unit, supervision class) over the unit's jurisdiction,
folded into the two tables in Python (a dozen rows), never a per-enterprise loop; the figures are as recorded on
the data cut (records dated after it do not count).
"""

from postlicense.core.scoping import unit_q
from postlicense.followup.models import Case, RectificationOrder
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.registry.models import Enterprise
from postlicense.supervision.models import TestOrder

from . import risks
from .counting import fold, grouped
from .tables import Column

COLUMNS = [
    Column("获证企业数"),
    Column("已检查企业数"),
    Column("检查覆盖率（%）", "rate", (2, 1)),
    Column("完成检查（次）"),
    Column("发现问题（项）"),
    Column("已整改（项）"),
    Column("整改率（%）", "rate", (6, 5)),
    Column("责令改正通知书（份）"),
    Column("监督抽检（批次）"),
    Column("不合格（批次）"),
    Column("移交案件（件）"),
    Column("风险问题（项）"),
]
CLASS_LABELS = dict(Enterprise.SupervisionClass.choices)


def measures(unit, period, cut):
    """The counts per (supervising unit, class) for each column that is counted, in COLUMNS order (None = a rate)."""
    start = period.start
    records = InspectionRecord.objects.filter(
        unit_q(InspectionRecord, unit), status=InspectionRecord.Status.FINISHED, inspection_date__range=(start, cut)
    )
    problems = Problem.objects.filter(unit_q(Problem, unit), record__in=records.values("pk")).exclude(
        status=Problem.Status.SUPERSEDED
    )
    tests = TestOrder.objects.filter(unit_q(TestOrder, unit))
    return [
        grouped(Enterprise.objects.filter(unit_q(Enterprise, unit)).exclude(status=Enterprise.Status.CANCELLED), ""),
        grouped(records, "enterprise__", "enterprise_id", distinct=True),
        None,
        grouped(records, "enterprise__"),
        grouped(problems, "enterprise__"),
        grouped(problems.filter(status=Problem.Status.CLOSED, closed_at__date__lte=cut), "enterprise__"),
        None,
        grouped(
            RectificationOrder.objects.filter(unit_q(RectificationOrder, unit), issued_on__range=(start, cut)),
            "enterprise__",
        ),
        grouped(tests.filter(sampling_date__range=(start, cut)), "enterprise__"),
        grouped(tests.filter(result=TestOrder.Result.UNQUALIFIED, report_date__range=(start, cut)), "enterprise__"),
        grouped(Case.objects.filter(unit_q(Case, unit), referred_on__range=(start, cut)), "enterprise__"),
        risks.grouped_counts(unit, period, cut),
    ]


def compute(unit, period, cut):
    counted = measures(unit, period, cut)
    return [
        fold("按监管单位（县区）", "监管单位", COLUMNS, counted, lambda g: g[0]),
        fold("按监管类别", "监管类别", COLUMNS, counted, lambda g: CLASS_LABELS.get(g[1], g[1] or "未分类")),
    ]
