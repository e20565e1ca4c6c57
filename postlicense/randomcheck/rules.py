"""Pure rules of a random check: the ratio reason, result labels, the national platform's result categories,
deadlines and rates."""

from datetime import date

from django.utils import timezone

from postlicense.core.workdays import add_working_days

from .draw import DEFAULT_RATIOS, STRATA

DISCLOSURE_WORKING_DAYS = 20  # 003 六(二): results are published within 20 working days

# Our outcome → the result category of the national 双随机 platform (DESIGN "What the national platform
# expects"). The one place this mapping lives; exports and the public page read it.
NATIONAL_RESULT = {
    "qualified": "未发现问题",
    "unqualified": "发现问题待后续处理",
    "rectified": "发现问题经责令已改正",
    "stopped": "未发现开展本次抽查涉及的经营活动",
    "switched": "未发现开展本次抽查涉及的经营活动",
}
OUTCOME_LABEL = {
    "qualified": "合格",
    "unqualified": "不合格",
    "rectified": "不合格（已整改）",
    "stopped": "停产，未检查",
    "switched": "转产，未检查",
}


def ratio_reason_error(ratios, reason: str) -> str | None:
    """许昌双随机实施方案 三 fixes 10/20/30/50%; a task that draws otherwise must say why (shown publicly)."""
    if all(ratios[stratum] == DEFAULT_RATIOS[stratum] for stratum in STRATA) or (reason or "").strip():
        return None
    return "抽取比例与许昌双随机实施方案 三 规定的10%、20%、30%、50%不同，请填写调整理由（理由将随任务公示）。"


def ratios_error(ratios) -> str | None:
    """A task whose four ratios are all 0 draws nobody: 许昌双随机实施方案 三 draws from every risk level."""
    if all(ratios[stratum] == 0 for stratum in STRATA):
        return "四个风险等级的抽取比例都为0，将不会抽取任何企业；请至少为一个风险等级填写大于0的比例。"
    return None


def deadline_error(year: int, deadline: date) -> str | None:
    """The 检查截止日期 of a task cannot fall before its 年度 begins."""
    if deadline.year < year:
        return f"检查截止日期（{deadline:%Y-%m-%d}）早于任务年度（{year}年）的开始，请核对年度或截止日期。"
    return None


def outcome(drawn) -> str | None:
    """qualified / unqualified / rectified (finished record; rectified: unqualified and every problem closed by a
    revisit), stopped / switched (not inspected, 003 七(五)), or None."""
    if drawn.not_inspected_reason:
        return drawn.not_inspected_reason
    record = drawn.inspection
    if record is not None and record.is_locked and record.conclusion:
        if record.conclusion == "unqualified" and all_rectified(record):
            return "rectified"
        return record.conclusion
    return None


def all_rectified(record) -> bool:
    """Every problem of the record closed by a revisit that found it corrected (follow-up's 复查, not a decision or
    an amendment): 发现问题经责令已改正. Reads record.problems.all(), so a prefetch serves a whole list."""
    problems = [p for p in record.problems.all() if p.status != "superseded"]
    return bool(problems) and all(p.status == "closed" and p.closed_via_id for p in problems)


def result_label(drawn) -> str:
    return OUTCOME_LABEL.get(outcome(drawn), "")


def national_result(drawn) -> str:
    return NATIONAL_RESULT.get(outcome(drawn), "")


def result_date(drawn) -> date | None:
    """The date the 20 working days run from: the inspection date, or the day not-inspected was recorded."""
    if drawn.not_inspected_reason:
        return timezone.localdate(drawn.not_inspected_at) if drawn.not_inspected_at else None
    record = drawn.inspection
    if record is not None and record.is_locked:
        return record.inspection_date or (timezone.localdate(record.finished_at) if record.finished_at else None)
    return None


def disclosure_deadline(result_day: date | None, task_deadline: date) -> date:
    """The earlier of the 20th working day after the inspection (003 六(二), Chinese calendar with 调休) and the
    task's deadline, by which everything is inspected and published (003 七(三)). No result yet: the task's."""
    if result_day is None:
        return task_deadline
    return min(add_working_days(result_day, DISCLOSURE_WORKING_DAYS), task_deadline)


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
