"""The reports of DESIGN "Reporting", each computed from the records for an org unit's jurisdiction and a period.

A ReportKind names the seed's table, its basis, the period parts it is made for and their due dates (core.deadlines
keys), and `compute(unit, period, cut) -> [Table]`. Other report kinds register here the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass

from postlicense.core.regulations import cite

from . import randomcheck_stats


@dataclass(frozen=True)
class ReportKind:
    key: str
    label: str
    table_name: str  # the name the seed gives the table, printed as its title
    basis: str
    parts: tuple
    due_keys: dict  # period part -> core.deadlines key of its due date (月日)
    compute: Callable


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
    ]
}
