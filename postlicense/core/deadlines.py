"""Every named deadline of the system, in one place (DESIGN "Deadlines").

A period counts 日 (calendar days; the start day is not counted and a last day on a rest day moves to the next
working day: workdays.deadline_in_days), 工作日 (workdays.add_working_days), or is a date in the year (月日: `n` is
month × 100 + day, e.g. 625 for 6-25, moved off a rest day like a last day in 日). Each default carries its legal
basis, or 本局规定 where the seeds are silent (DESIGN marks those "choice"); a city admin may set the city's own value
and basis (DeadlineSetting), which then holds for every county of the city.

API (other apps compute every deadline through these; never with timedelta):
    PERIODS: key -> Period(label, n, unit, basis, runs_from)   the defaults
    Deadlines(region_code) -> the values in force for a region (one query, then cached on the object):
        .period(key) -> Period
        .due(key, start, n=None) -> Due(date, text)   Due.text: "2026-12-30（送达后30日）"; `n` overrides the period
                                                       (e.g. an order's own period, a lab's per-product period)
        .annual(key, year) -> Due                      for a 月日 period: its date in `year`
    due(key, start, region_code=None) -> Due           the same for a single deadline
    set_period(user, key, n, basis) -> DeadlineSetting a city admin's value for the city (audited)
"""

from dataclasses import dataclass, replace
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError

from .models import DeadlineSetting
from .workdays import WorkingCalendar, add_working_days, deadline_in_days, shared

DAYS, WORKING_DAYS, MONTH_DAY = "日", "工作日", "月日"
OURS = "本局规定"


@dataclass(frozen=True)
class Period:
    label: str
    n: int
    unit: str
    basis: str
    runs_from: str  # the event the period runs from, as the deadline's text names it ("送达后")
    group: str = ""

    def describe(self):
        if self.unit == MONTH_DAY:
            return f"每年{self.n // 100}月{self.n % 100}日"
        return f"{self.runs_from}{self.n}{self.unit}"


@dataclass(frozen=True)
class Due:
    date: date
    text: str

    def __str__(self):
        return self.text


def _p(group, label, n, unit, basis, runs_from=""):
    return Period(label, n, unit, basis, runs_from, group)


PERIODS = {
    # follow-up and enforcement (DESIGN "Follow-up and enforcement")
    "rectification": _p("跟踪处置", "整改期限（检查发现问题）", 30, DAYS, OURS, "送达后"),
    "rectification_after_test": _p("跟踪处置", "整改期限（监督抽查不合格）", 60, DAYS, "抽查办法 第四十六条", "送达后"),
    "revisit": _p("跟踪处置", "复查期限（整改期满后）", 10, WORKING_DAYS, OURS, "整改期满后"),
    "recheck_after_test": _p("跟踪处置", "复查期限（监督抽查不合格）", 75, DAYS, "抽查办法 第四十七条", "责令整改后"),
    "stoppage": _p("跟踪处置", "停产整顿期限", 90, DAYS, OURS, "送达后"),
    "interview_commitment": _p("跟踪处置", "约谈承诺事项默认期限", 15, DAYS, OURS, "约谈后"),
    "decision_confirm": _p("跟踪处置", "许可处理建议确认期限", 10, WORKING_DAYS, OURS, "提出后"),
    "case_filing": _p(
        "跟踪处置", "立案决定期限", 15, WORKING_DAYS, "市场监督管理行政处罚程序规定 第二十条", "发现线索后"
    ),
    "case_filing_extension": _p(
        "跟踪处置", "立案决定延长期限", 15, WORKING_DAYS, "市场监督管理行政处罚程序规定 第二十条", "原期限届满后"
    ),
    "case_decision": _p("跟踪处置", "处罚决定期限", 90, DAYS, "市场监督管理行政处罚程序规定 第六十四条", "立案后"),
    "case_decision_extension": _p(
        "跟踪处置", "处罚决定延长期限", 30, DAYS, "市场监督管理行政处罚程序规定 第六十四条", "原期限届满后"
    ),
    "referral_feedback": _p("跟踪处置", "移送后反馈期限", 30, DAYS, OURS, "移送后"),
    # supervision testing and triggers (DESIGN "Supervision testing", "Triggers, complaints and linkage")
    "sample_sending": _p("监督检验", "样品送达检验机构期限", 7, DAYS, "白城事中事后监管办法 第十七条", "抽样后"),
    "lab_report": _p("监督检验", "检验报告期限（默认，可按产品设置）", 20, WORKING_DAYS, OURS, "收样后"),
    "retest_request": _p("监督检验", "复检申请期限", 15, DAYS, "产品质量法 第十五条", "收到检验结果后"),
    "linkage_inspection": _p("监督检验", "通报企业专项检查期限", 30, DAYS, OURS, "收到通报后"),
    "complaint_answer": _p("监督检验", "举报投诉办结期限", 15, WORKING_DAYS, OURS, "登记后"),
    # self-service (DESIGN "Enterprise self-service")
    "self_report_window_end": _p("企业自查", "年度自查报告提交截止日", 630, MONTH_DAY, OURS),
    "feedback_ack": _p("企业自查", "执法行为反馈受理期限", 5, WORKING_DAYS, OURS, "收到后"),
    # reporting (DESIGN "Reporting")
    "summary_midyear": _p("报表", "完成情况汇总表（上半年）报送日", 625, MONTH_DAY, "塔城监督检查计划 八"),
    "summary_yearend": _p("报表", "完成情况汇总表（全年）报送日", 1030, MONTH_DAY, "塔城监督检查计划 八"),
    "halfyear_h1": _p("报表", "半年报告（上半年）报送日", 715, MONTH_DAY, OURS),
    "halfyear_h2": _p("报表", "半年报告（下半年）报送日", 115, MONTH_DAY, OURS),
}


def _ancestor_codes(region_code):
    """The GB/T 2260 codes of a region and the city and province above it (a setting of any of them applies)."""
    code = (region_code or "")[:6]
    if len(code) != 6:
        return []
    return sorted({code[:2] + "0000", code[:4] + "00", code})


def check_n(unit, n):
    if unit == MONTH_DAY:
        try:
            date(2024, n // 100, n % 100)  # a leap year: 2-29 is a valid date in the year
        except ValueError:
            raise ValidationError("请输入有效的月日，如 625 表示 6月25日。", code="invalid") from None
    elif n < 1 or n > 3650:
        raise ValidationError("天数应为 1 到 3650 之间的整数。", code="invalid")


class Deadlines:
    def __init__(self, region_code=None):
        self.region_code = region_code
        self._overrides = None
        self._calendar = WorkingCalendar()  # each year's holidays read once however many dates are asked

    def _load(self):
        if self._overrides is None:
            self._overrides = shared(("deadlines", self.region_code), self._read)
        return self._overrides

    def _read(self):
        rows = DeadlineSetting.objects.filter(region_id__in=_ancestor_codes(self.region_code))
        # the most specific region wins: a county's row over its city's over its province's
        return {row.key: row for row in sorted(rows, key=lambda r: r.region_id.rstrip("0"))}

    def period(self, key):
        default = PERIODS[key]
        row = self._load().get(key)
        return replace(default, n=row.n, basis=row.basis) if row else default

    def due(self, key, start, n=None):
        if start is None:
            raise ValidationError(f"缺少计算“{PERIODS[key].label}”所需的起始日期。", code="missing_start")
        period = self.period(key)
        if n is not None:
            check_n(period.unit, n)
            period = replace(period, n=n)
        if period.unit == MONTH_DAY:
            raise ValueError(f"{key} is a date in the year: use annual()")
        end = (add_working_days if period.unit == WORKING_DAYS else deadline_in_days)(start, period.n)
        return Due(end, f"{end:%Y-%m-%d}（{period.describe()}）")

    def annual(self, key, year):
        period = self.period(key)
        day = date(year, period.n // 100, period.n % 100)
        while not self._calendar.is_working_day(day):
            day = date.fromordinal(day.toordinal() + 1)
        return Due(day, f"{day:%Y-%m-%d}（{period.describe()}，{period.basis}）")


def due(key, start, region_code=None, n=None):
    return Deadlines(region_code).due(key, start, n=n)


def can_edit(user):
    from .models import User

    return user.org_unit_id is not None and (user.is_superuser or user.role == User.Role.CITY_ADMIN)


def city_region_of(user):
    """The region a city admin's settings apply to: the region of the admin's unit (the city)."""
    if not can_edit(user):
        raise PermissionDenied("只有市局管理员可以修改期限设置。")
    return user.org_unit.region


def set_period(user, key, n, basis):
    if key not in PERIODS:
        raise ValidationError("未知的期限。", code="unknown")
    region = city_region_of(user)
    check_n(PERIODS[key].unit, n)
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError({"basis": "请填写依据（法规条款，或“本局规定”）。"})
    setting, _ = DeadlineSetting.objects.update_or_create(region=region, key=key, defaults={"n": n, "basis": basis})
    return setting


def overview(region_code):
    """Every period with its default and the value in force for the region, grouped as the settings page shows."""
    deadlines = Deadlines(region_code)
    return [
        {"key": key, "default": default, "current": deadlines.period(key), "own": key in deadlines._load()}
        for key, default in PERIODS.items()
    ]
