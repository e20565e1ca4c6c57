"""Half-year report (001 二(五)): the four contents the seed names, per supervising unit — annual reviews (the
enterprises' self-reports reviewed), patrols and revisits, periodic supervision inspections, and the handling of
problem enterprises (orders, escalations, license decisions, cases). One aggregate query per column (counting)."""

from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncMonth

from postlicense.core.scoping import unit_q
from postlicense.followup.models import Case, Escalation, LicenseDecisionProposal, RectificationOrder, Revisit
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.selfservice.models import SelfReport

from .counting import fold, grouped
from .tables import Column, Table

E = "enterprise__"
REVIEWED = [SelfReport.Status.QUALIFIED, SelfReport.Status.PROBLEMS]


def _unit(g):
    return g[0]


def orders_by_month(unit, period, cut):
    """附表: rectification orders issued and closed per month of the period up to the cut (two GROUP BY queries)."""
    orders = RectificationOrder.objects.filter(unit_q(RectificationOrder, unit))

    def per_month(qs, field):
        rows = qs.annotate(m=TruncMonth(field)).values("m").annotate(n=Count("pk")).order_by()
        return {(r["m"].year, r["m"].month): r["n"] for r in rows}

    issued = per_month(orders.filter(issued_on__range=(period.start, cut)), "issued_on")
    closed = per_month(
        orders.filter(status=RectificationOrder.Status.CLOSED, closed_at__date__range=(period.start, cut)), "closed_at"
    )
    months = [date(period.year, m, 1) for m in range(period.start.month, cut.month + 1)] if cut >= period.start else []
    rows = [[f"{m:%Y-%m}", issued.get((m.year, m.month), 0), closed.get((m.year, m.month), 0)] for m in months]
    return Table(
        "附：责令改正通知书按月签发与关闭",
        [Column("月份", "text"), Column("签发（份）"), Column("整改完成关闭（份）")],
        rows if any(r[1] or r[2] for r in rows) else [],
    )


def compute(unit, period, cut):
    span = (period.start, cut)
    reports = SelfReport.objects.filter(unit_q(SelfReport, unit))
    reviewed = reports.filter(status__in=REVIEWED, reviewed_at__date__range=span)
    records = InspectionRecord.objects.filter(
        unit_q(InspectionRecord, unit), status=InspectionRecord.Status.FINISHED, inspection_date__range=span
    )
    K = InspectionRecord.Kind
    revisits = Revisit.objects.filter(unit_q(Revisit, unit), record__in=records.values("pk"))
    periodic = records.filter(kind=K.PERIODIC)
    orders = RectificationOrder.objects.filter(unit_q(RectificationOrder, unit))
    escalations = Escalation.objects.filter(unit_q(Escalation, unit), status=Escalation.Status.CONFIRMED)
    decisions = LicenseDecisionProposal.objects.filter(unit_q(LicenseDecisionProposal, unit), decision_date__range=span)
    return [
        fold(
            "一、年度审查（企业自查报告）",
            "监管单位",
            [Column("提交自查报告（份）"), Column("已审查（份）"), Column("审查合格"), Column("发现问题")],
            [
                grouped(reports.filter(submitted_at__date__range=span), E),
                grouped(reviewed, E),
                grouped(reviewed.filter(status=SelfReport.Status.QUALIFIED), E),
                grouped(reviewed.filter(status=SelfReport.Status.PROBLEMS), E),
            ],
            _unit,
        ),
        fold(
            "二、巡查和回访",
            "监管单位",
            [Column("巡查（次）"), Column("回访/复查（次）"), Column("复查已整改"), Column("复查仍存在问题")],
            [
                grouped(records.filter(kind=K.PATROL), E),
                grouped(records.filter(kind=K.REVISIT), E),
                grouped(revisits.filter(outcome=Revisit.Outcome.CORRECTED), "order__" + E),
                grouped(revisits.filter(outcome=Revisit.Outcome.PERSISTING), "order__" + E),
            ],
            _unit,
        ),
        fold(
            "三、定期监督检查",
            "监管单位",
            [Column("定期监督检查（次）"), Column("检查企业（家）"), Column("发现问题（项）")],
            [
                grouped(periodic, E),
                grouped(periodic, E, "enterprise_id", distinct=True),
                grouped(
                    Problem.objects.filter(record__in=periodic.values("pk")).exclude(status=Problem.Status.SUPERSEDED),
                    E,
                ),
            ],
            _unit,
        ),
        fold(
            "四、问题企业处理",
            "监管单位",
            [
                Column("责令改正通知书（份）"),
                Column("整改完成关闭（份）"),
                Column("升级处理（停产整顿/提请吊销）"),
                Column("许可处理决定（件）"),
                Column("移交案件（件）"),
            ],
            [
                grouped(orders.filter(issued_on__range=span), E),
                grouped(orders.filter(status=RectificationOrder.Status.CLOSED, closed_at__date__range=span), E),
                grouped(escalations.filter(decided_at__date__range=span), "order__" + E),
                grouped(decisions, "license__" + E),
                grouped(Case.objects.filter(unit_q(Case, unit), referred_on__range=span), E),
            ],
            _unit,
        ),
        orders_by_month(unit, period, cut),
    ]


def _total(table, i):
    return table.with_total()[-1][i] if table.rows else 0


def narrative(tables):
    """The report's text (001 二(五): 年度审查情况、巡查回访情况、定期监督情况、对存在问题的企业处理情况), from its tables."""
    reviews, patrols, periodic, handling = tables[:4]
    t = _total
    return [
        f"一、年度审查情况。本期收到获证企业自查报告{t(reviews, 1)}份，审查{t(reviews, 2)}份，"
        f"其中审查合格{t(reviews, 3)}份，发现问题{t(reviews, 4)}份。",
        f"二、巡查回访情况。本期开展巡查{t(patrols, 1)}次，回访/复查{t(patrols, 2)}次；"
        f"复查确认已整改{t(patrols, 3)}次，仍存在问题{t(patrols, 4)}次。",
        f"三、定期监督情况。本期开展定期监督检查{t(periodic, 1)}次，检查企业{t(periodic, 2)}家，"
        f"发现问题{t(periodic, 3)}项。",
        f"四、对存在问题的企业处理情况。本期下达责令改正通知书{t(handling, 1)}份，整改完成关闭{t(handling, 2)}份；"
        f"升级处理（责令停产整顿、提请吊销）{t(handling, 3)}件，许可处理决定{t(handling, 4)}件，"
        f"移交案件{t(handling, 5)}件。",
    ]
