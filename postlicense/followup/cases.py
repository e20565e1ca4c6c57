"""Case clues and referrals (案件线索与移送, 002 第十一条; DESIGN "Follow-up and enforcement"): a tracker that links to
the case system, not a case system.

Deadlines (core.deadlines; 市场监督管理行政处罚程序规定):
- 立案: case_filing (15 工作日) from the day the clue was discovered; extended once by case_filing_extension
  (15 工作日 from the original deadline) with a reason.
- 处罚决定: case_decision (90 日) from 立案; the testing, hearing and similar periods are not counted (staff record
  the suspended days, which lengthen the period); extended once by case_decision_extension (30 日 from the deadline)
  with the approval recorded as the reason.
API:
register(enterprise, user, *, clue, discovered_on, receiver_kind, receiver, referred_on, link="", problems=()) -> Case
extend_filing(case, user, reason) -> Case
record_filing(case, user, *, filed_on, case_number, link="") -> Case
suspend(case, user, *, days, note) -> Case                 add suspended days (检测/听证…) to the decision deadline
extend_decision(case, user, reason) -> Case
record_outcome(case, user, *, outcome, decided_on, note) -> Case    (不予立案 before 立案; the others after)
filing_due(case) / decision_due(case) -> Due                 the deadlines as they stand
Selectors: cases_for(user), case_for(user, pk), filing_pending(user), decision_pending(user).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from postlicense.core import deadlines
from postlicense.core.access import require_bureau_staff
from postlicense.core.scoping import get_scoped_or_404

from .models import Case, http_url


def _check_link(link):
    if link:
        try:
            http_url(link)
        except ValidationError as exc:
            raise ValidationError({"link": exc.messages}) from None


def _due(key, start, region, n=None, field="discovered_on"):
    try:
        return deadlines.due(key, start, region, n=n)
    except ValidationError as exc:  # a year without calendar data
        raise ValidationError({field: exc.messages}) from None


def filing_due(case):
    d = _due("case_filing", case.discovered_on, case.enterprise.region_id)
    if case.filing_extension_reason:
        d = _due("case_filing_extension", d.date, case.enterprise.region_id)
    return d


def decision_due(case):
    if not case.filed_on:
        return None
    region = case.enterprise.region_id
    period = deadlines.Deadlines(region).period("case_decision")
    d = _due("case_decision", case.filed_on, region, n=period.n + case.suspended_days, field="filed_on")
    if case.suspended_days:
        d = deadlines.Due(d.date, f"{d.text[:-1]}，另不计入{case.suspended_days}日）")
    if case.decision_extension_reason:
        d = _due("case_decision_extension", d.date, region, field="filed_on")
    return d


def _store(case):
    f = filing_due(case)
    case.filing_due, case.filing_due_text = f.date, f.text
    d = decision_due(case)
    case.decision_due, case.decision_due_text = (d.date, d.text) if d else (None, "")


def register(enterprise, user, *, clue, discovered_on, receiver_kind, receiver, referred_on, link="", problems=()):
    require_bureau_staff(user, "登记案件线索")
    errors = {}
    today = timezone.localdate()
    if not (clue or "").strip():
        errors["clue"] = "请填写案件线索。"
    if discovered_on and discovered_on > today:
        errors["discovered_on"] = "发现日期不能晚于今天。"
    if referred_on and discovered_on and referred_on < discovered_on:
        errors["referred_on"] = "移交日期不能早于发现线索日期。"
    if any(p.enterprise_id != enterprise.pk for p in problems):
        errors["problems"] = "所选问题不属于该企业。"
    if errors:
        raise ValidationError(errors)
    _check_link(link)
    same = Case.objects.filter(enterprise=enterprise, discovered_on=discovered_on, clue=clue.strip()).first()
    if same:  # the same clue posted twice (a double click)
        return same
    case = Case(
        enterprise=enterprise,
        clue=clue.strip(),
        discovered_on=discovered_on,
        receiver_kind=receiver_kind,
        receiver=receiver,
        referred_on=referred_on,
        link=link,
        created_by=user,
    )
    _store(case)
    with transaction.atomic():
        case.save()
        case.problems.set(problems)
    return case


def _change(case, user, check, apply):
    require_bureau_staff(user, "登记案件线索")
    with transaction.atomic():
        c = Case.objects.select_for_update().select_related("enterprise").get(pk=case.pk)
        check(c)
        apply(c)
        _store(c)
        c.save()
    return c


def _open(c):
    if c.outcome:
        raise ValidationError(f"该线索已办结（{c.get_outcome_display()}）。")


def extend_filing(case, user, reason):
    if not (reason or "").strip():
        raise ValidationError({"reason": "延长立案期限须填写理由。"})

    def check(c):
        _open(c)
        if c.filed_on:
            raise ValidationError("已立案，不能再延长立案期限。")
        if c.filing_extension_reason:
            raise ValidationError("立案期限已延长过一次。")

    return _change(case, user, check, lambda c: setattr(c, "filing_extension_reason", reason.strip()))


def record_filing(case, user, *, filed_on, case_number, link=""):
    _check_link(link)
    if not (case_number or "").strip():
        raise ValidationError({"case_number": "请填写案号或立案审批表编号。"})

    def check(c):
        _open(c)
        if c.filed_on:
            raise ValidationError("已登记立案。")
        if not filed_on or filed_on < c.discovered_on or filed_on > timezone.localdate():
            raise ValidationError({"filed_on": "立案日期应在发现线索之后、不晚于今天。"})

    def apply(c):
        c.filed_on, c.case_number = filed_on, case_number.strip()
        if link:
            c.link = link

    return _change(case, user, check, apply)


def suspend(case, user, *, days, note):
    if not days or days < 1 or days > 3650:
        raise ValidationError({"days": "天数应为 1 到 3650 之间的整数。"})
    if not (note or "").strip():
        raise ValidationError({"note": "请填写不计入期限的事由（如检测、听证的起止日期）。"})

    def check(c):
        _open(c)
        if not c.filed_on:
            raise ValidationError("立案后才能登记不计入处罚决定期限的期间。")

    def apply(c):
        c.suspended_days += days
        c.suspension_note = "\n".join(filter(None, [c.suspension_note, f"{note.strip()}（{days}日）"]))

    return _change(case, user, check, apply)


def extend_decision(case, user, reason):
    if not (reason or "").strip():
        raise ValidationError({"reason": "延长处罚决定期限须填写批准情况。"})

    def check(c):
        _open(c)
        if not c.filed_on:
            raise ValidationError("尚未立案。")
        if c.decision_extension_reason:
            raise ValidationError("处罚决定期限已延长过一次。")

    return _change(case, user, check, lambda c: setattr(c, "decision_extension_reason", reason.strip()))


def record_outcome(case, user, *, outcome, decided_on, note):
    if outcome not in Case.Outcome.values:
        raise ValidationError({"outcome": "请选择处理结果。"})

    def check(c):
        _open(c)
        if outcome == Case.Outcome.NOT_FILED and c.filed_on:
            raise ValidationError({"outcome": "已立案的线索不能登记为“不予立案”。"})
        if outcome in (Case.Outcome.PENALTY, Case.Outcome.NO_PENALTY) and not c.filed_on:
            raise ValidationError({"outcome": "尚未立案，不能登记处罚结果。"})
        if not decided_on or decided_on < (c.filed_on or c.discovered_on) or decided_on > timezone.localdate():
            raise ValidationError({"decided_on": "决定日期应在立案（或发现线索）之后、不晚于今天。"})

    def apply(c):
        c.outcome, c.decided_on, c.outcome_note = outcome, decided_on, (note or "").strip()

    return _change(case, user, check, apply)


# selectors


def cases_for(user):
    return Case.objects.for_user(user).select_related("enterprise")


def case_for(user, pk):
    return get_scoped_or_404(Case.objects.select_related("enterprise", "created_by"), user, pk=pk)


def filing_pending(user):
    return cases_for(user).filter(outcome="", filed_on__isnull=True).order_by("filing_due", "id")


def decision_pending(user):
    return cases_for(user).filter(outcome="", filed_on__isnull=False).order_by("decision_due", "id")
