"""The quality-archive events of license decisions, interviews and cases (FollowupConfig.archive_events)."""

from postlicense.registry.archive import ArchiveEvent

from .models import Case, Interview, LicenseDecisionProposal


def enforcement_events(enterprise):
    events = []
    for p in LicenseDecisionProposal.objects.filter(license__enterprise=enterprise).select_related("license"):
        url = p.get_absolute_url()
        who = str(p.proposed_by) if p.proposed_by else "系统"
        events.append(
            ArchiveEvent(
                p.proposed_at,
                "许可处理",
                f"提出{p.get_kind_display()}建议：{p.license.number}",
                f"{p.get_ground_display()}；提出：{who}",
                url,
            )
        )
        if p.dismissed_at:
            events.append(ArchiveEvent(p.dismissed_at, "许可处理", "不予提请", p.dismiss_reason[:200], url))
        if p.decision_date:
            events.append(
                ArchiveEvent(
                    p.decision_date,
                    "许可处理",
                    f"{p.decision_authority}作出决定（{p.decision_number}）",
                    f"{p.get_decision_outcome_display()}：{p.get_kind_display()}许可证 {p.license.number}",
                    url,
                )
            )
    for i in Interview.objects.filter(enterprise=enterprise).prefetch_related("commitments"):
        detail = i.reason[:120]
        if i.status == Interview.Status.HELD:
            detail += f"；被约谈人：{i.attendee_name}（{i.get_attendee_kind_display()}）；承诺事项 {len(i.commitments.all())} 项"
        elif i.status == Interview.Status.REFUSED:
            detail += "；企业拒不到场"
        events.append(
            ArchiveEvent(i.scheduled_at, "约谈", f"约谈（{i.get_status_display()}）", detail, i.get_absolute_url())
        )
    for c in Case.objects.filter(enterprise=enterprise):
        events.append(
            ArchiveEvent(
                c.referred_on, "处罚", f"案件线索移交{c.receiver}", f"{c.clue[:120]}；{c.stage}", c.get_absolute_url()
            )
        )
        if c.decided_on:
            events.append(
                ArchiveEvent(
                    c.decided_on,
                    "处罚",
                    f"案件办结：{c.get_outcome_display()}",
                    c.outcome_note[:200],
                    c.get_absolute_url(),
                )
            )
    return events
