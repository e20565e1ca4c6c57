"""Report periods: a year, or its first or second half (001 二(五) half-year reports; the completion summary's two
submissions, 塔城监督检查计划 八). A period that has not begun has no data and is refused."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

PARTS = {"H1": "上半年", "H2": "下半年", "Y": "全年"}


@dataclass(frozen=True)
class Period:
    year: int
    part: str

    @property
    def start(self):
        return date(self.year, 7, 1) if self.part == "H2" else date(self.year, 1, 1)

    @property
    def end(self):
        return date(self.year, 6, 30) if self.part == "H1" else date(self.year, 12, 31)

    @property
    def label(self):
        return f"{self.year}年{PARTS[self.part]}"

    def cut(self, today):
        """The last day whose data counts: the period's end, or today for a period still running."""
        return min(self.end, today)


def parse(year, part, today, allowed=tuple(PARTS)):
    """The period asked for by a page or API (strings from the query), or a ValidationError in Chinese."""
    if part not in allowed:
        raise ValidationError({"part": f"期间应为{'、'.join(PARTS[p] for p in allowed)}之一。"})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "请输入四位年份。"}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "请输入 2000 到 2100 之间的年份。"})
    period = Period(year, part)
    if period.start > today:
        raise ValidationError({"year": f"{period.label}尚未开始，没有可统计的数据。"})
    return period
