"""Planning rules as plain functions (004 六; 002 第十九条; 000 二).

- required_inspections: the yearly on-site frequency by supervision class (004 六: A 1, B 1–2, C 2–3, D ≥3); the
  upper figure applies when a raising factor holds (complaint, failed sampling, license expiring this year, ...);
  D plans 3 + 1 per factor (DESIGN "Planning and oversight", a choice).
- COUNTED_KINDS / counts_toward_plan: which finished records count toward the frequency (004 六: 飞行检查、双随机抽查、
  生产许可监督评审、证后监督检查 count); one enterprise-day counts once; not-carried-out records never count.
- recheck_target: the city re-checks at least ceil(10%) of a county's licensed enterprises (002 第十九条).
- cross_audit_groups: each branch is audited by the organiser and every other branch, never by itself (000 附件1).
- wilson_interval: the 95% interval used by inspector calibration.
"""

import math
from collections.abc import Iterable, Sequence

# 004 六: (minimum, upper) per class; D has no upper bound, its plan is 3 + 1 per raising factor.
FREQUENCY = {"A": (1, 1), "B": (1, 2), "C": (2, 3), "D": (3, None)}

# InspectionRecord.Kind values counted toward the frequency (DESIGN: periodic, unscheduled, patrol, revisit,
# special, random check, cross audit, flight check and 生产许可监督评审 "review").
COUNTED_KINDS = (
    "periodic",
    "unscheduled",
    "patrol",
    "revisit",
    "special",
    "random_check",
    "cross_audit",
    "flight",
    "review",
)

RECHECK_PERCENT = 10  # 002 第十九条
CROSS_AUDIT_DRAW = (2, 3)  # 000 二(二)2: 2～3 enterprises per branch


def required_inspections(supervision_class: str, raising_factors: Sequence = ()) -> tuple[int, int]:
    """(minimum, planned) on-site inspections in a year for an enterprise of `supervision_class`."""
    if supervision_class not in FREQUENCY:
        raise ValueError(f"监管分类无效：{supervision_class!r}（应为A、B、C、D之一）")
    minimum, upper = FREQUENCY[supervision_class]
    n = len(raising_factors)
    if upper is None:
        return minimum, minimum + n
    return minimum, upper if n else minimum


def counts_toward_plan(kind: str, status: str) -> bool:
    return kind in COUNTED_KINDS and status == "finished"


def done_count(records: Iterable[tuple[str, str, object]]) -> int:
    """Inspections done from (kind, status, inspection_date) rows: distinct days of counted finished records."""
    return len({day for kind, status, day in records if counts_toward_plan(kind, status) and day is not None})


def recheck_target(licensed_enterprises: int) -> int:
    if licensed_enterprises < 0:
        raise ValueError("获证企业数不能为负数")
    return -(-licensed_enterprises * RECHECK_PERCENT // 100)


def cross_audit_groups(organiser, branches: Sequence) -> dict:
    """{branch: [organiser, every other branch in order]}: the group that audits each branch (000 附件1)."""
    if len(set(branches)) != len(branches):
        raise ValueError("分局重复")
    return {branch: [organiser, *(other for other in branches if other != branch)] for branch in branches}


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion (95% by default); (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def completion_percent(done: int, required: int) -> int:
    if required <= 0:
        return 100
    return min(100, done * 100 // required)


# Class suggestion (DESIGN, a choice the city confirms): adverse results of the last 24 months, each counted once:
# failed tests, 不合格 records, persisting problems, complaints. 0 → A, 1 → B, 2–3 → C, 4 or more → D.
SUGGESTION_MONTHS = 24
SUGGESTION_THRESHOLDS = ((4, "D"), (2, "C"), (1, "B"), (0, "A"))


def suggest_class(signals: dict) -> tuple[str, list[str]]:
    """(suggested class, reasons) from {reason label: count} of the last 24 months' adverse results."""
    total = sum(signals.values())
    reasons = [f"{label}{count}次" for label, count in signals.items() if count]
    suggested = next(cls for threshold, cls in SUGGESTION_THRESHOLDS if total >= threshold)
    return suggested, reasons or ["近24个月未发现不良记录"]


def cross_audit_ratios(counts: dict, strata: Sequence, want: int = CROSS_AUDIT_DRAW[0]) -> dict:
    """Per-stratum ratios (% with two decimals, as strings) under which the random check's stratified draw takes
    `want` enterprises of a branch (000 二(二)2: 2～3): the highest-risk non-empty strata first, one each; a branch
    with a single non-empty stratum takes `want` from it; a branch with `want` or fewer takes all."""
    ratios = {stratum: "0" for stratum in strata}
    nonempty = [stratum for stratum in reversed(strata) if counts.get(stratum)]
    if sum(counts.get(s, 0) for s in strata) <= want:
        return {stratum: "100" for stratum in strata}
    if len(nonempty) >= want:
        for stratum in nonempty[:want]:
            # The greatest ratio r with r × n / 100 ≤ 1: exactly one enterprise (ceil), for n up to 10,000.
            ratios[stratum] = f"{max(1, math.floor(10000 / counts[stratum])) / 100:.2f}"
        return ratios
    # One stratum, n > want: the least ratio r (0.01 steps) with ceil(r × n / 100) = want.
    stratum, n = nonempty[0], counts[nonempty[0]]
    ratios[stratum] = f"{(math.floor(10000 * (want - 1) / n) + 1) / 100:.2f}"
    return ratios
