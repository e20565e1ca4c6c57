"""The reports of DESIGN "Reporting", each computed from the records for an org unit's jurisdiction and a period.

A ReportKind names the seed's table, its basis, the period parts it is made for and their due dates (core.deadlines
keys), and `compute(unit, period, cut) -> [Table]`. Other report kinds register here the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass

from postlicense.core import deadlines
from postlicense.core.regulations import cite

from . import completion, halfyear, randomcheck_stats, risks


@dataclass(frozen=True)
class ReportKind:
    key: str
    label: str
    table_name: str  # the name the seed gives the table, printed as its title
    basis: str
    parts: tuple
    due_keys: dict  # period part -> core.deadlines key of its due date (月日)
    compute: Callable
    cut_at_due: bool = False  # the data counts up to the due date (004 八: the summary is made on that day)
    narrative: Callable | None = None  # tables -> the paragraphs of the report's printed document (PDF)

    @property
    def has_document(self):
        """For templates, which would call `narrative` itself."""
        return self.narrative is not None

    def cut(self, unit, period, today):
        """The last day whose data counts: the period's end or today, and for a cut_at_due kind its due date."""
        cut = period.cut(today)
        if self.cut_at_due and period.part in self.due_keys:
            cut = min(cut, deadlines.Deadlines(unit.region_id).annual(self.due_keys[period.part], period.year).date)
        return cut


KINDS = {
    kind.key: kind
    for kind in [
        ReportKind(
            "randomcheck_stats",
            "双随机抽查统计",
            "“双随机、一公开”监督检查统计表",
            cite("003", "七(三)"),
            ("Y", "H1", "H2"),
            {},  # reported when asked; the platform itself keeps the rates
            randomcheck_stats.compute,
        ),
        ReportKind(
            "completion",
            "监督检查完成情况汇总",
            "工业产品生产企业监督检查完成情况汇总表",
            cite("004", "八"),
            ("H1", "Y"),
            {"H1": "summary_midyear", "Y": "summary_yearend"},
            completion.compute,
            cut_at_due=True,
        ),
        ReportKind(
            "halfyear",
            "半年度证后监管工作报告",
            "工业产品生产许可证获证企业证后监管半年度工作情况",
            cite("001", "二(五)"),
            ("H1", "H2"),
            {"H1": "halfyear_h1", "H2": "halfyear_h2"},
            halfyear.compute,
            narrative=halfyear.narrative,
        ),
        ReportKind(
            "risks",
            "风险问题清单",
            "工业产品生产企业风险问题清单",
            cite("004", "七(二)"),
            ("Y", "H1", "H2"),
            {},  # kept up to date and reported with the completion summary
            risks.compute,
        ),
    ]
}
