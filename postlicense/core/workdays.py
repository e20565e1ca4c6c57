"""Chinese working days (工作日): Monday–Friday, minus public holidays, plus adjusted working weekends; and periods
in 日 (calendar days whose last day moves off rest days). The named deadlines built on these are in core.deadlines.

003 六(二): results are published within 20 working days; every such deadline is computed here.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from .models import CalendarDay, CalendarYear

_shared = ContextVar("shared_reads", default=None)


@contextmanager
def shared_reads():
    """Within it, the holiday calendar (and core.deadlines' settings, per region) are read once and shared by every
    calculation: a daily run that builds every user's to-do asks for the same years thousands of times. Outside it
    each calculation reads them afresh, so an edit is seen at once."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def shared(key, load):
    """load(), or within shared_reads the value the first load() under `key` returned."""
    cache = _shared.get()
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]


class CalendarMissing(ValidationError):
    pass


class WorkingCalendar:
    """Loads each year's exceptions on first use; a year with no data raises (never counts weekends only)."""

    def __init__(self):
        self._years = shared("calendar", dict)

    def _exceptions(self, year):
        if year not in self._years:
            if not CalendarYear.objects.filter(year=year).exists():
                raise CalendarMissing(
                    f"缺少{year}年的节假日安排数据，无法计算工作日；请管理员先导入国务院办公厅公布的{year}年节假日通知。"
                )
            self._years[year] = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        kind = self._exceptions(day.year).get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKDAY
        return day.weekday() < 5


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (n ≥ 1); `start` itself is not counted."""
    if n < 1:
        raise ValidationError("工作日天数应为正整数。")
    cal, day, counted = WorkingCalendar(), start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += cal.is_working_day(day)
    return day


def deadline_in_days(start: date, n: int) -> date:
    """The last day of a period of n 日 from `start`: the start day is not counted, and a last day that is a rest day
    (weekend or holiday; an adjusted working weekend is a working day) moves to the next working day
    (民法典 第二百零一条、第二百零三条)."""
    if n < 1:
        raise ValidationError("期限天数应为正整数。")
    cal, day = WorkingCalendar(), start + timedelta(days=n)
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_between(a: date, b: date) -> int:
    """The number of working days d with a < d ≤ b (0 when b ≤ a)."""
    cal = WorkingCalendar()
    return sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
