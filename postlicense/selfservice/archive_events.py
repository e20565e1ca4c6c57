"""Self-service in the quality archive: reports filed, reviewed and corrected, 年度检查合格 on licenses, late-filing
permissions and register correction requests. Feedback on inspectors is never in the archive (the county and the
inspector's unit read the archive; feedback is the city's only)."""

from postlicense.registry.archive import ArchiveEvent

from .models import AnnualReviewStamp, CorrectionRequest, LateFilingPermission, SelfReport


def selfservice_sources(enterprise):
    """The rows selfservice_events reads (registry.archive: the archive skips it when none has a row)."""
    return [
        SelfReport.objects.filter(enterprise=enterprise),
        AnnualReviewStamp.objects.filter(license__enterprise=enterprise),
        LateFilingPermission.objects.filter(enterprise=enterprise),
        CorrectionRequest.objects.filter(enterprise=enterprise),
    ]


def selfservice_events(enterprise):
    events = []
    for report in enterprise.self_reports.prefetch_related("amendments"):
        url = report.get_absolute_url()
        if report.submitted_at:
            how = "从公示系统导入" if report.source == report.Source.IMPORT else "企业在线提交"
            events.append(
                ArchiveEvent(report.submitted_at, "自查", f"{report.year}年度自查报告{how}", report.source_file, url)
            )
        if report.reviewed_at:
            events.append(
                ArchiveEvent(
                    report.reviewed_at,
                    "自查",
                    f"{report.year}年度自查报告审查：{report.get_status_display()}",
                    report.review_note,
                    url,
                )
            )
        for amendment in report.amendments.all():
            events.append(ArchiveEvent(amendment.at, "自查", f"{report.year}年度自查报告更正", amendment.reason, url))
    for stamp in AnnualReviewStamp.objects.filter(license__enterprise=enterprise).select_related("license", "reviewer"):
        events.append(
            ArchiveEvent(
                stamp.date,
                "许可证",
                f"许可证 {stamp.license.number} {stamp.year}年度检查合格",
                f"审查人：{stamp.reviewer or '—'}",
            )
        )
    for permission in LateFilingPermission.objects.filter(enterprise=enterprise):
        events.append(
            ArchiveEvent(
                permission.granted_at,
                "自查",
                f"准予逾期补报{permission.year}年度自查报告",
                f"{permission.reason}；补报截止 {permission.until:%Y-%m-%d}",
            )
        )
    for request in enterprise.correction_requests.all():
        events.append(ArchiveEvent(request.created_at, "变更", "企业申请更正登记信息", request.message[:100]))
    return events
