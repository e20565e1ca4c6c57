"""License decisions (002 第十四条; DESIGN "Follow-up and enforcement"): proposals and the decisions recorded on them.

API for the rest of follow-up (escalation, the daily candidate search, supervision testing):
propose(license, *, kind, ground, facts, source="", by=None) -> LicenseDecisionProposal
    Draft a proposal (status 待县局确认, with its confirmation deadline decision_confirm). `by` None means the system
    drafted it by rule. Idempotent: an open proposal of the same kind for the license is returned as it is (its facts
    are not overwritten). Nothing changes on the license.
The workflow (each step records who, when and why; a step on a proposal not in the step's state is refused):
confirm(proposal, user, note="")        county staff: 待县局确认 → 待市局转报
dismiss(proposal, user, reason)         county staff or city admin: an open proposal → 不予提请 (reason required)
forward(proposal, user, note="")        city admin: 待市局转报 → 已转报
record_decision(proposal, user, *, number, date, outcome, authority, note="")
                                        city admin: 已转报 → 已决定; a decision as proposed sets the license's status
                                        (the only way a license becomes 撤销/撤回/吊销/注销). A second decision, or one
                                        without 文号, is refused.
find_candidates(today) -> list[LicenseDecisionProposal]
                                        the daily search (command followup-candidates): licenses expired and not
                                        renewed → 注销; enterprises registered 停产 → 注销 (条例 第三十一条).
revocation_bars(pairs, today) -> {(credit_code, category_id): message}
                                        条例 第五十五条: a 吊销 in the last 3 years bars a new license for the same
                                        product (registry asks through FollowupConfig.license_bars).
Selectors: proposals_for(user), proposal_for(user, pk)
"""

from datetime import date as date_type

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from postlicense.core import deadlines
from postlicense.core.models import User
from postlicense.core.scoping import get_scoped_or_404
from postlicense.core.workdays import CalendarMissing
from postlicense.registry.models import Enterprise, License

from .models import LicenseDecisionProposal

P = LicenseDecisionProposal
OPEN = [P.Status.PROPOSED, P.Status.CONFIRMED, P.Status.FORWARDED]
BAR_YEARS = 3  # 条例 第五十五条


def is_county(user):
    return user.is_superuser or user.role == User.Role.COUNTY_STAFF


def is_city(user):
    return user.is_superuser or user.role == User.Role.CITY_ADMIN


def propose(license, *, kind, ground, facts, source="", by=None):
    if not (facts or "").strip():
        raise ValidationError({"facts": "请填写事实与理由。"})
    existing = P.objects.filter(license=license, kind=kind, status__in=OPEN).first()
    if existing:
        return existing
    try:
        due = deadlines.due("decision_confirm", timezone.localdate(), license.enterprise.region_id)
    except CalendarMissing:  # late in a year whose successor's calendar is not loaded: drafted without a deadline
        due = deadlines.Due(None, "")
    try:
        with transaction.atomic():
            return P.objects.create(
                license=license,
                kind=kind,
                ground=ground,
                facts=facts.strip(),
                source=source[:200],
                proposed_by=by,
                confirm_due=due.date,
                confirm_due_text=due.text,
            )
    except IntegrityError:  # drafted by a concurrent call a moment ago
        return P.objects.get(license=license, kind=kind, status__in=OPEN)


def _locked(proposal):
    return P.objects.select_for_update().select_related("license__enterprise").get(pk=proposal.pk)


def _require(proposal, statuses, message):
    if proposal.status not in statuses:
        raise ValidationError(message)


def confirm(proposal, user, note=""):
    if not is_county(user):
        raise PermissionDenied("只有县局/分局人员可以确认许可处理建议。")
    with transaction.atomic():
        p = _locked(proposal)
        _require(p, [P.Status.PROPOSED], f"该建议当前状态为“{p.get_status_display()}”，不能再次确认。")
        p.status, p.confirmed_at, p.confirmed_by, p.confirm_note = P.Status.CONFIRMED, timezone.now(), user, note
        p.save()
    return p


def dismiss(proposal, user, reason):
    if not (is_county(user) or is_city(user)):
        raise PermissionDenied("只有市局、县局人员可以处理许可处理建议。")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写不予提请的理由。"})
    with transaction.atomic():
        p = _locked(proposal)
        _require(p, OPEN, f"该建议当前状态为“{p.get_status_display()}”，不能再作处理。")
        if p.status == P.Status.FORWARDED:
            raise ValidationError("该建议已转报许可机关，请录入许可机关的决定。")
        p.status, p.dismissed_at, p.dismissed_by = P.Status.DISMISSED, timezone.now(), user
        p.dismiss_reason = reason.strip()
        p.save()
    return p


def forward(proposal, user, note=""):
    if not is_city(user):
        raise PermissionDenied("只有市局人员可以转报许可机关。")
    with transaction.atomic():
        p = _locked(proposal)
        _require(p, [P.Status.CONFIRMED], f"该建议当前状态为“{p.get_status_display()}”，不能转报。")
        p.status, p.forwarded_at, p.forwarded_by, p.forward_note = P.Status.FORWARDED, timezone.now(), user, note
        p.save()
    return p


def record_decision(proposal, user, *, number, date, outcome, authority, note=""):
    if not is_city(user):
        raise PermissionDenied("只有市局人员可以录入许可机关的决定。")
    errors = {}
    if not (number or "").strip():
        errors["number"] = "请填写决定文号。"
    if not date:
        errors["date"] = "请填写决定日期。"
    elif date > timezone.localdate():
        errors["date"] = "决定日期不能晚于今天。"
    if outcome not in P.Outcome.values:
        errors["outcome"] = "请选择决定结果。"
    if not (authority or "").strip():
        errors["authority"] = "请填写作出决定的机关。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        p = _locked(proposal)
        if p.status == P.Status.DECIDED:
            raise ValidationError(f"该建议已录入决定（{p.decision_number}），不能重复录入。")
        _require(p, [P.Status.FORWARDED], f"该建议当前状态为“{p.get_status_display()}”，转报许可机关后才能录入决定。")
        if p.forwarded_at and date < timezone.localdate(p.forwarded_at):
            raise ValidationError({"date": "决定日期不能早于转报日期。"})
        p.status = P.Status.DECIDED
        p.decision_number, p.decision_date, p.decision_outcome = number.strip(), date, outcome
        p.decision_authority, p.decision_note = authority.strip(), note
        p.decision_recorded_at, p.decision_recorded_by = timezone.now(), user
        p.save()
        if outcome == P.Outcome.AS_PROPOSED:
            license = License.objects.select_for_update().get(pk=p.license_id)
            license.status = P.LICENSE_STATUS[p.kind]
            license.save(update_fields=["status"])
    return p


# candidates (DESIGN: expired and not renewed; 停产 confirmed; the escalation chains come through propose())

LIVE = [License.Status.VALID, License.Status.EXPIRED]


def expired_not_renewed(today):
    """Licenses past their expiry with no later license of the enterprise for the same category (a renewal)."""
    renewal = License.objects.filter(
        enterprise=OuterRef("enterprise"),
        product_category=OuterRef("product_category"),
        expiry_date__gt=OuterRef("expiry_date"),
        status=License.Status.VALID,
    )
    return License.objects.filter(status__in=LIVE, expiry_date__lt=today).filter(~Exists(renewal))


def stopped_production():
    return License.objects.filter(status__in=LIVE, enterprise__status=Enterprise.Status.STOPPED)


def find_candidates(today=None):
    today = today or timezone.localdate()
    drafted = []
    for lic in expired_not_renewed(today).select_related("enterprise"):
        drafted.append(
            propose(
                lic,
                kind=P.Kind.CANCEL,
                ground=P.Ground.EXPIRED,
                facts=f"许可证 {lic.number} 有效期至 {lic.expiry_date:%Y-%m-%d}，届满未取得延续的许可证。",
                source="有效期届满未延续（系统每日检索）",
            )
        )
    for lic in stopped_production().select_related("enterprise"):
        drafted.append(
            propose(
                lic,
                kind=P.Kind.CANCEL,
                ground=P.Ground.STOPPED_PRODUCTION,
                facts=f"企业 {lic.enterprise.name} 在名录中登记为停产，许可证 {lic.number} 仍为有效状态。",
                source="企业登记为停产（系统每日检索）",
            )
        )
    return drafted


def years_after(day, n):
    """The same month and day n years on (a 2-29 becomes 3-1 in a common year)."""
    try:
        return day.replace(year=day.year + n)
    except ValueError:
        return date_type(day.year + n, 3, 1)


BAR_CODES_PER_QUERY = 900  # under SQLite's bound on parameters in one statement


def revocation_bars(pairs, today=None):
    """{(credit_code, category_id): message} for the pairs barred by a 吊销 decided in the last 3 years."""
    today = today or timezone.localdate()
    pairs = set(pairs)
    if not pairs:
        return {}
    since = years_after(today, -BAR_YEARS)
    # The revocations of these credit codes, read by code in batches and matched to the pairs here: one OR term per
    # pair made an expression SQLite refuses past about a thousand (an import checks every new license at once).
    codes = sorted({code for code, _ in pairs})
    decided = (
        p
        for start in range(0, len(codes), BAR_CODES_PER_QUERY)
        for p in P.objects.filter(
            license__enterprise__credit_code__in=codes[start : start + BAR_CODES_PER_QUERY],
            kind=P.Kind.REVOKE,
            status=P.Status.DECIDED,
            decision_outcome=P.Outcome.AS_PROPOSED,
            decision_date__gt=since,
        ).select_related("license__enterprise", "license__product_category")
    )
    bars = {}
    for p in decided:
        key = (p.license.enterprise.credit_code, p.license.product_category_id)
        if key not in pairs:
            continue
        until = years_after(p.decision_date, BAR_YEARS)
        bars[key] = (
            f"该企业的{p.license.product_category}生产许可证（{p.license.number}）已于 {p.decision_date:%Y-%m-%d} "
            f"被吊销（{p.decision_number}），{until:%Y-%m-%d} 前不得再次取得同一产品的生产许可证（条例 第五十五条）。"
        )
    return bars


def proposals_for(user):
    return P.objects.for_user(user).select_related("license__enterprise", "license__product_category", "proposed_by")


def proposal_for(user, pk):
    return get_scoped_or_404(proposals_for(user), user, pk=pk)
