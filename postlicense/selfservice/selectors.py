"""Reads of self-service. Hand-off for other apps:

enterprise_of(user) -> Enterprise | None            the enterprise an enterprise user belongs to
filed_on_time(enterprise, year) -> bool              000 sheet item 1 (是否按时提交了年度自查报告)
window_end(enterprise, year) -> Due                  the last day to file `year`'s report (core.deadlines)
non_filers(user, year, today) -> Enterprise queryset obliged enterprises in the user's scope without a filed report
feedback_for(user) -> Feedback queryset              the enterprise's own, or the city's (never county/inspector)
"""

from django.db.models import Exists, Min, OuterRef, Q, Subquery
from django.http import Http404

from postlicense.core import deadlines
from postlicense.core.models import OrgUnit, User
from postlicense.core.scoping import get_scoped_or_404, jurisdiction_of
from postlicense.inspections.models import InspectionRecord
from postlicense.registry.models import Enterprise, License

from . import rules
from .models import (
    AccountProfile,
    AnnualReviewStamp,
    Attachment,
    CorrectionRequest,
    Feedback,
    LateFilingPermission,
    SelfReport,
)


def enterprise_of(user):
    if not user.is_authenticated or user.role != User.Role.ENTERPRISE:
        return None
    account = getattr(user, "enterprise_account", None)
    return account.enterprise if account else None


def is_enterprise_user(user):
    return enterprise_of(user) is not None


def window_end(enterprise, year):
    return deadlines.Deadlines(enterprise.region_id).annual("self_report_window_end", year + 1)


def first_issue(enterprise):
    return enterprise.licenses.aggregate(first=Min("issue_date"))["first"]


def late_permission(enterprise, year, today):
    return LateFilingPermission.objects.filter(enterprise=enterprise, year=year, until__gte=today).first()


def filing_state(enterprise, year, today):
    """(may file now, why not / how): the window, or a late-filing permission after it."""
    if year >= today.year:
        return False, f"{year}年度的自查报告须在{year + 1}年提交。"
    if not rules.obliged(first_issue(enterprise), year):
        return False, f"企业取证未满一年，{year}年度无需提交自查报告，次年起提交。"
    end = window_end(enterprise, year)
    if rules.in_window(year, today, end.date):
        return True, f"提交期限：{end.text}"
    permission = late_permission(enterprise, year, today)
    if permission:
        return True, f"县局已准予逾期补报，补报截止日 {permission.until:%Y-%m-%d}（{permission.reason}）"
    return False, f"{year}年度自查报告的提交期限已过（{end.text}）。如需补报，请联系监管部门申请逾期补报许可。"


def filed_on_time(enterprise, year):
    """Whether the enterprise filed `year`'s report by the window's end (the 000 sheet's item 1)."""
    submitted = (
        SelfReport.objects.filter(enterprise=enterprise, year=year, submitted_at__isnull=False)
        .values_list("submitted_at", flat=True)
        .first()
    )
    return submitted is not None and rules.on_time(submitted.date(), window_end(enterprise, year).date)


def reports_for(user):
    return SelfReport.objects.for_user(user).select_related("enterprise", "enterprise__supervising_unit")


def report_for(user, pk):
    return get_scoped_or_404(reports_for(user), user, pk=pk)


def obliged_enterprises(user, year):
    """Enterprises in scope that report for `year`: not cancelled, first license issued early enough."""
    cutoff = f"{year}-01-01"
    return (
        Enterprise.objects.for_user(user)
        .exclude(status=Enterprise.Status.CANCELLED)
        .filter(
            Exists(License.objects.filter(enterprise=OuterRef("pk"), issue_date__lte=cutoff, expiry_date__gt=cutoff))
        )
    )


def non_filers(user, year):
    # a report returned for correction was filed: its enterprise is not a non-filer
    filed = SelfReport.objects.filter(enterprise=OuterRef("pk"), year=year, submitted_at__isnull=False)
    permission = LateFilingPermission.objects.filter(enterprise=OuterRef("pk"), year=year).values("until")[:1]
    return (
        obliged_enterprises(user, year)
        .filter(~Exists(filed))
        .annotate(late_until=Subquery(permission))
        .select_related("supervising_unit")
        .order_by("supervising_unit__name", "name")
    )


def non_filer_orders(enterprises, year):
    """{enterprise pk: the 限期改正 order issued for not filing `year`'s report} (rules.non_filer_token)."""
    from postlicense.followup.models import RectificationOrder

    tokens = {rules.non_filer_token(e.pk, year): e.pk for e in enterprises}
    orders = RectificationOrder.objects.filter(submission_token__in=tokens)
    return {tokens[order.submission_token]: order for order in orders}


def annual_marks(license_ids):
    """{license pk: ["2025年度检查合格（2026-07-15）", ...]} newest year first: the registry license table's marks."""
    marks = {}
    stamps = (
        AnnualReviewStamp.objects.filter(license_id__in=license_ids)
        .order_by("-year")
        .values_list("license_id", "year", "date")
    )
    for license_id, year, day in stamps:
        marks.setdefault(license_id, []).append(f"{year}年度检查合格（{day:%Y-%m-%d}）")
    return marks


def accounts_for(user):
    return (
        AccountProfile.objects.for_user(user)
        .select_related("user", "enterprise")
        .order_by("enterprise__name", "user__username")
    )


def corrections_for(user):
    return CorrectionRequest.objects.for_user(user).select_related("enterprise", "created_by")


def records_of(enterprise):
    return (
        InspectionRecord.objects.filter(enterprise=enterprise)
        .exclude(status=InspectionRecord.Status.NOT_CARRIED_OUT)
        .select_related("org_unit")
        .order_by("-inspection_date", "-pk")
    )


def records_in_year(enterprise, year):
    return records_of(enterprise).filter(status=InspectionRecord.Status.FINISHED, inspection_date__year=year)


def city_prefix(user):
    """The region prefix of a city admin of a 市局 (feedback goes to the city only); None for anyone else."""
    if user.role != User.Role.CITY_ADMIN or user.org_unit is None or user.org_unit.kind != OrgUnit.Kind.CITY:
        return None
    return jurisdiction_of(user).region_prefix


def feedback_for(user):
    """Feedback a user may read: an enterprise its own; a city admin its city's; a superuser all; nobody else
    (county staff, the inspector's unit and the inspector get nothing, so every page of it is a 404 for them)."""
    qs = Feedback.objects.select_related("enterprise", "inspector", "record")
    if user.is_superuser:
        return qs
    if user.role == User.Role.ENTERPRISE:
        return qs.for_user(user)
    prefix = city_prefix(user)
    return qs.filter(enterprise__region__code__startswith=prefix) if prefix else qs.none()


def feedback_of(user, pk):
    try:
        return feedback_for(user).get(pk=pk)
    except Feedback.DoesNotExist:
        raise Http404("未找到该记录，或不在您的管辖范围内。") from None


def attachment_for(user, pk):
    """An attachment the user may download: of a report in scope, or of a feedback the user may read."""
    reports = SelfReport.objects.for_user(user).values("pk")
    feedback = feedback_for(user).values("pk")
    try:
        return Attachment.objects.get(Q(report__in=reports) | Q(feedback__in=feedback), pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("未找到该附件，或不在您的管辖范围内。") from None


def finished_records_for_feedback(enterprise):
    return records_of(enterprise).filter(status=InspectionRecord.Status.FINISHED).prefetch_related("crew__inspector")
