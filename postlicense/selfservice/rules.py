"""Pure rules of the annual self-report (001 二(二); DESIGN "Enterprise self-service").

- The report for year Y is filed from 1 January of Y+1 to the window's end (core.deadlines
  "self_report_window_end", default 6-30), with the annual report; after the end only with a county's
  late-filing permission.
- An enterprise licensed less than a year reports the next year: its first report year is the year after its
  first license was issued (unless issued on 1 January, when that year is a full year).
- A report is "filed on time" when it was submitted by the window's end (the 000 sheet's item 1).
"""

import uuid
from datetime import date

# The self-check items of the report (DESIGN: conditions kept, marks used, nonconforming products handled, earlier
# findings rectified, 质量安全总监/安全员 and the risk control list in place). A "否" needs an explanation.
SELF_CHECK_ITEMS = [
    ("conditions", "生产条件、检验手段、生产技术和工艺持续符合发证要求"),
    ("marks", "正确使用生产许可证编号和标志，未出租、出借或转让许可证"),
    ("nonconforming", "不合格产品已按规定处理，未出厂销售"),
    ("rectified", "以往监督检查、抽查发现的问题已整改到位"),
    ("safety_staff", "已配备质量安全总监/质量安全员并明确职责"),
    ("risk_list", "已建立质量安全风险管控清单并按清单开展日管控、周排查、月调度"),
]
PRODUCTION_STATUSES = ["正常生产", "部分停产", "全部停产"]


def first_report_year(issue_date: date) -> int:
    return issue_date.year if (issue_date.month, issue_date.day) == (1, 1) else issue_date.year + 1


def window_opens(year: int) -> date:
    """The first day the report for `year` can be filed."""
    return date(year + 1, 1, 1)


def in_window(year: int, day: date, window_end: date) -> bool:
    return window_opens(year) <= day <= window_end


def on_time(submitted_on: date | None, window_end: date) -> bool:
    return submitted_on is not None and submitted_on <= window_end


def obliged(first_issue: date | None, year: int) -> bool:
    """Whether an enterprise whose earliest license was issued on `first_issue` reports for `year`."""
    return first_issue is not None and first_report_year(first_issue) <= year


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """A value a spreadsheet would run as a formula (OWASP CSV injection); refused at import and in the form."""
    return bool(text) and text.startswith(FORMULA_START) and not text.lstrip("+-").replace(".", "", 1).isdigit()


NON_FILER_TOKENS = uuid.UUID("5e1f5e2a-0000-4000-8000-000000000053")


def non_filer_token(enterprise_pk, year):
    """The submission token of the 限期改正 order to a non-filer (条例 第五十三条): one per enterprise and year, so a
    double click or a colleague's second batch meets the order already issued."""
    return uuid.uuid5(NON_FILER_TOKENS, f"{enterprise_pk}:{year}")
