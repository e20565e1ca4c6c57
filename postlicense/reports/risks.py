"""风险问题清单 (004 七(二)): the serious findings of a period with their cause, hazard level and measures — the
failed supervision tests (supervision.selectors.risk_items_of) and the failed re-checks of follow-up (a revisit that
found the problems persisting, with the escalation the system proposed: 停产整顿 or a revocation proposal).

Hazard of a failed re-check: a revocation proposal is 严重 (the license is at stake), a stoppage 较大; a failed test
carries the hazard level its report set.
"""

from django.db.models import Count, Q

from postlicense.core.scoping import unit_q
from postlicense.followup.models import Escalation
from postlicense.supervision.models import HazardLevel, TestOrder
from postlicense.supervision.selectors import failed_tests, risk_items_of

from .counting import grouped
from .tables import Column, Table

ESCALATION_HAZARD = {Escalation.Kind.REVOCATION: HazardLevel.SERIOUS, Escalation.Kind.STOPPAGE: HazardLevel.MAJOR}
HAZARD_LABELS = dict(HazardLevel.choices)
SOURCES = ("监督检验不合格", "复查仍存在问题")


def _failed_tests(unit, period, cut):
    return failed_tests().filter(unit_q(TestOrder, unit), report_date__range=(period.start, cut))


def _escalations(unit, period, cut):
    return Escalation.objects.filter(unit_q(Escalation, unit), proposed_at__date__range=(period.start, cut))


def grouped_counts(unit, period, cut):
    """{(supervising unit, class): risk problems} for the completion summary: two aggregate queries."""
    counts = dict(grouped(_failed_tests(unit, period, cut), "enterprise__"))
    for key, n in grouped(_escalations(unit, period, cut), "order__enterprise__").items():
        counts[key] = counts.get(key, 0) + n
    return counts


def lines(unit, period, cut):
    """[(enterprise, unit name, source, problem, cause, hazard, measures, date)], failed tests first, worst first."""
    found = [
        (i.enterprise, SOURCES[0], i.product, i.cause, i.hazard_level, i.measures, i.on)
        for i in risk_items_of(_failed_tests(unit, period, cut).select_related("enterprise__supervising_unit"))
    ]
    for e in (
        _escalations(unit, period, cut)
        .select_related("order__enterprise__supervising_unit")
        .order_by("proposed_at", "pk")
    ):
        order = e.order
        found.append(
            (
                order.enterprise,
                SOURCES[1],
                f"{order.number}（{order.get_measure_display()}）",
                e.facts,
                HAZARD_LABELS[ESCALATION_HAZARD[e.kind]],
                f"{e.get_kind_display()}（{e.get_status_display()}）；列入风险问题清单，提高检查频次",
                e.proposed_at.date(),
            )
        )
    return found


def failed_by_category(unit, period, cut):
    """The period's failed supervision tests per product category and hazard level (one GROUP BY query)."""
    H = HazardLevel
    rows = (
        _failed_tests(unit, period, cut)
        .values("product_category__name")
        .annotate(
            n=Count("pk"),
            serious=Count("pk", filter=Q(hazard_level=H.SERIOUS)),
            major=Count("pk", filter=Q(hazard_level=H.MAJOR)),
            general=Count("pk", filter=Q(hazard_level=H.GENERAL)),
        )
        .order_by("-n", "product_category__name")
    )
    return Table(
        "监督检验不合格（按产品类别）",
        [Column("产品类别", "text"), Column("不合格（批次）"), Column("严重"), Column("较大"), Column("一般")],
        [[r["product_category__name"], r["n"], r["serious"], r["major"], r["general"]] for r in rows],
    )


def compute(unit, period, cut):
    found = lines(unit, period, cut)
    levels = [HAZARD_LABELS[h] for h in (HazardLevel.SERIOUS, HazardLevel.MAJOR, HazardLevel.GENERAL)]
    summary = {}
    for _, source, _, _, hazard, _, _ in found:
        row = summary.setdefault(source, [source, 0, 0, 0, 0])
        row[1] += 1
        if hazard in levels:
            row[2 + levels.index(hazard)] += 1
    return [
        Table(
            "按来源和危害程度",
            [Column("来源", "text"), Column("风险问题（项）"), Column("严重"), Column("较大"), Column("一般")],
            [summary[s] for s in SOURCES if s in summary],
        ),
        Table(
            "风险问题清单",
            [
                Column("企业名称", "text"),
                Column("监管单位", "text"),
                Column("来源", "text"),
                Column("问题", "text"),
                Column("原因分析", "text"),
                Column("危害程度", "text"),
                Column("处置措施", "text"),
                Column("日期", "text"),
                Column("项数"),
            ],
            [
                [e.name, e.supervising_unit.name, source, problem, cause, hazard, measures, f"{on:%Y-%m-%d}", 1]
                for e, source, problem, cause, hazard, measures, on in found
            ],
            "原因分析：监督检验为不合格项目，复查为仍存在的问题；危害程度：监督检验按检验报告评定，复查仍存在问题"
            "提请吊销的为严重、责令停产整顿的为较大。",
        ),
        failed_by_category(unit, period, cut),
    ]
