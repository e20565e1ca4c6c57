"""Pure rules of rectification orders, revisits and escalation (002 第十条; 001 二(三)(四); 003 七(五);
DESIGN "Follow-up and enforcement"). No database access: the services feed them plain values."""

from datetime import date

from postlicense.core.regulations import cite

# Measures of 总局后续监管意见 二(三) and the escalation chain of 二(四)
RECTIFY_RULE = cite("002", "第十条")
ESCALATION_RULE = cite("001", "二(三)")
REVOCATION_RULE = cite("001", "二(四)")
TEST_RECHECK_RULE = "条例 第五十四条"
DEADLINE_RULE = "民法典 第二百零一条、第二百零三条"
DEFAULT_REQUIREMENT = "针对上述问题查明原因，限期整改到位，并书面报告整改情况。"

LEGAL_BASIS = {
    "rectification": f"《工业产品生产许可证管理条例》及其实施办法；{RECTIFY_RULE}；{ESCALATION_RULE}",
    "rectification_after_test": "《产品质量法》第十五条、第十七条；《产品质量监督抽查管理暂行办法》第四十六条",
    "stoppage": f"{ESCALATION_RULE}；《工业产品生产许可证管理条例》",
}

RIGHTS = (
    "如对本通知不服，可在收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼；"
    "对本通知所列事实有异议的，可在收到本通知书之日起三日内向本机关提出陈述和申辩。"
)


def number_prefix(unit_name: str) -> str:
    """A unit's 文号 prefix, derived from its name: the first character of the place (许昌市市场监督管理局 → 许) and
    市监责改 (e.g. 许市监责改〔2026〕12号). Derived, not stored: renaming a unit renames its future numbers only."""
    return f"{(unit_name or '').strip()[:1] or '本'}市监责改"


def order_number(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}〔{year}〕{seq}号"


def service_date_error(served_on: date, issued_on: date, today: date) -> str:
    """A service is recorded after the order was issued and not in the future: the deadline runs from it."""
    if served_on < issued_on:
        return f"送达日期（{served_on:%Y-%m-%d}）早于通知书签发日期（{issued_on:%Y-%m-%d}），请核对。"
    if served_on > today:
        return f"送达日期（{served_on:%Y-%m-%d}）晚于今天，不能预先登记送达。"
    return ""


def service_receiver_error(method: str, receiver: str, refused: bool, refusal_note: str) -> str:
    """A service names who received it, or records the refusal (留置送达: who refused, when, the witnesses)."""
    if refused and not refusal_note.strip():
        return "拒绝签收的，请如实记录拒收情况（拒收人、时间、见证人）。"
    if not refused and not receiver.strip():
        return "请填写签收人姓名；拒绝签收的，请勾选“拒绝签收”并记录情况。"
    if refused and method != "left":
        return "拒绝签收的，送达方式应为“留置送达”。"
    return ""


def revisit_date_error(planned: date, deadline: date | None, reported: bool) -> str:
    """A revisit checks the rectification: not before the deadline unless the enterprise reported completion."""
    if deadline is None:
        return "通知书尚未送达，整改期限未起算，不能安排复查。"
    if planned < deadline and not reported:
        return (
            f"复查日期（{planned:%Y-%m-%d}）早于整改期限（{deadline:%Y-%m-%d}），且企业尚未报告整改完成；"
            "请在整改期满后复查，或待企业报告整改后再提前复查。"
        )
    return ""


def revisit_outcome(corrected: list[bool]) -> str:
    """corrected if every item re-answered at the revisit conforms, otherwise persisting."""
    return "corrected" if corrected and all(corrected) else "persisting"


def escalation_after(measure: str, period_key: str) -> tuple[str, str]:
    """What the system proposes when an order's problems persist at its revisit, as (escalation kind, revocation
    ground or ""):
    - after a 停产整顿 order: a revocation proposal, ground persisting (总局后续监管意见 二(四); 许昌双随机实施方案 七(五));
    - after an order following a failed supervision test: a revocation proposal, ground failed re-check (条例 第五十四条);
    - otherwise: 停产整顿 (总局后续监管意见 二(三))."""
    if measure == "stoppage":
        return "revocation", "persisting"
    if period_key == "rectification_after_test":
        return "revocation", "failed_recheck"
    return "stoppage", ""


def revisit_period_key(period_key: str) -> str:
    """The revisit runs 10 工作日 after the deadline (本局规定), or 75 日 from the order after a failed test
    (抽查办法 第四十七条)."""
    return "recheck_after_test" if period_key == "rectification_after_test" else "revisit"
