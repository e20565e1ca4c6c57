"""Interviews (约谈, 002 第十二条; DESIGN "Follow-up and enforcement"): services and selectors.

API:
notify(enterprise, user, *, reason, notice_date, scheduled_at, place, officials, problems=()) -> Interview
    Register the notice (status 已通知). At least two officials (bureau staff in the user's jurisdiction).
hold(interview, user, *, attendee_kind, attendee_name, attendee_position, authorisation, record, attendee_signed,
     commitments=[(content, due or None)]) -> Interview
    Record the interview held: the legal representative, or a proxy whose letter of authorisation is uploaded
    (an image or PDF, checked by content); the record (问/答); each commitment's deadline defaults to
    interview_commitment from the interview day. Only once (已通知 → 已约谈).
record_refusal(interview, user, note) -> Interview         已通知 → 拒不到场, with what happened.
fulfil(commitment, user, note) -> InterviewCommitment      a commitment confirmed done (once).
parse_record(text) -> [(speaker, text)]                     the record's 问/答 paragraphs, for the page and the print.
Selectors: interviews_for(user), interview_for(user, pk), commitments_due(user), suggestions(user, today).
"""

import re
from datetime import timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from postlicense.core import deadlines
from postlicense.core.access import require_bureau_staff
from postlicense.core.scoping import get_scoped_or_404
from postlicense.inspections import attachments
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.registry.models import Enterprise

from .models import Interview, InterviewCommitment

MIN_OFFICIALS = 2  # 约谈 by at least two officials (DESIGN; 行政处罚程序: 执法人员不得少于两人)
SPEAKER = re.compile(r"^\s*(问|答)\s*[:：]\s*")


def notify(enterprise, user, *, reason, notice_date, scheduled_at, place, officials, problems=()):
    require_bureau_staff(user, "组织约谈")
    officials = list(officials)
    errors = {}
    if len({o.pk for o in officials}) < MIN_OFFICIALS:
        errors["officials"] = f"约谈人员不得少于{MIN_OFFICIALS}人。"
    if not (reason or "").strip():
        errors["reason"] = "请填写约谈事由。"
    if scheduled_at and notice_date and timezone.localdate(scheduled_at) < notice_date:
        errors["scheduled_at"] = "约谈时间不能早于通知日期。"
    if any(p.enterprise_id != enterprise.pk for p in problems):
        errors["problems"] = "所选问题不属于该企业。"
    if errors:
        raise ValidationError(errors)
    same = Interview.objects.filter(
        enterprise=enterprise, scheduled_at=scheduled_at, status=Interview.Status.NOTIFIED
    ).first()
    if same:  # the same notice posted twice (a double click)
        return same
    with transaction.atomic():
        interview = Interview.objects.create(
            enterprise=enterprise,
            reason=reason.strip(),
            notice_date=notice_date,
            scheduled_at=scheduled_at,
            place=place,
            created_by=user,
        )
        interview.officials.set(officials)
        interview.problems.set(problems)
    return interview


def _locked(interview):
    return Interview.objects.select_for_update().get(pk=interview.pk)


def hold(
    interview,
    user,
    *,
    attendee_kind,
    attendee_name,
    attendee_position="",
    authorisation=None,
    record,
    attendee_signed,
    commitments=(),
):
    require_bureau_staff(user, "组织约谈")
    errors = {}
    if attendee_kind not in Interview.Attendee.values:
        errors["attendee_kind"] = "请选择被约谈人身份。"
    if not (attendee_name or "").strip():
        errors["attendee_name"] = "请填写被约谈人姓名。"
    raw = None
    if attendee_kind == Interview.Attendee.PROXY:
        if not authorisation:
            errors["authorisation"] = "委托代理人参加约谈的，须上传法定代表人签署的授权委托书。"
        else:
            try:
                raw, content_type = attachments.validate(authorisation)
            except ValidationError as exc:
                errors["authorisation"] = exc.messages
    if not parse_record(record or ""):
        errors["record"] = "请填写约谈记录（每段以“问：”或“答：”开头）。"
    if errors:
        raise ValidationError(errors)
    day = timezone.localdate(interview.scheduled_at)
    region = interview.enterprise.region_id
    due_list = []
    for content, due in commitments:
        if due is None:
            try:
                d = deadlines.due("interview_commitment", day, region)
            except ValidationError as exc:  # a year without calendar data: the clerk enters the date
                raise ValidationError({"commitments": [*exc.messages, "请在“|”后填写期限。"]}) from None
        else:
            if due <= day:
                raise ValidationError({"commitments": f"承诺事项“{content[:20]}”的期限应晚于约谈日期。"})
            d = deadlines.Due(due, f"{due:%Y-%m-%d}（约谈时确定）")
        due_list.append((content.strip(), d))
    with transaction.atomic():
        i = _locked(interview)
        if i.status != Interview.Status.NOTIFIED:
            raise ValidationError(f"该约谈已记录为“{i.get_status_display()}”，不能重复记录。")
        i.attendee_kind, i.attendee_name, i.attendee_position = attendee_kind, attendee_name.strip(), attendee_position
        if raw is not None:
            i.authorisation.save(
                attachments.storage_name(authorisation.name, content_type), ContentFile(raw), save=False
            )
        i.record, i.attendee_signed = record.strip(), bool(attendee_signed)
        i.status, i.held_at, i.recorded_by = Interview.Status.HELD, timezone.now(), user
        i.save()
        for content, d in due_list:
            InterviewCommitment.objects.create(interview=i, content=content, due=d.date, due_text=d.text)
    return i


def record_refusal(interview, user, note):
    require_bureau_staff(user, "组织约谈")
    if not (note or "").strip():
        raise ValidationError({"note": "请说明企业拒不到场的情况（通知方式、联系经过等）。"})
    with transaction.atomic():
        i = _locked(interview)
        if i.status != Interview.Status.NOTIFIED:
            raise ValidationError(f"该约谈已记录为“{i.get_status_display()}”，不能重复记录。")
        i.status, i.refusal_note, i.held_at, i.recorded_by = (
            Interview.Status.REFUSED,
            note.strip(),
            timezone.now(),
            user,
        )
        i.save()
    return i


def fulfil(commitment, user, note):
    require_bureau_staff(user, "组织约谈")
    if not (note or "").strip():
        raise ValidationError({"note": "请填写完成情况。"})
    with transaction.atomic():
        c = InterviewCommitment.objects.select_for_update().get(pk=commitment.pk)
        if c.fulfilled_at:
            raise ValidationError("该承诺事项已确认完成。")
        c.fulfilled_at, c.fulfilled_by, c.fulfilled_note = timezone.now(), user, note.strip()
        c.save()
    return c


def parse_record(text):
    """[(问|答, paragraph)]: a line starting 问：/答： opens a paragraph; other lines continue the current one."""
    pairs = []
    for line in text.splitlines():
        m = SPEAKER.match(line)
        if m:
            pairs.append([m.group(1), line[m.end() :].strip()])
        elif line.strip() and pairs:
            pairs[-1][1] += "\n" + line.strip()
    return [(speaker, body) for speaker, body in pairs if body]


# selectors


def interviews_for(user):
    return Interview.objects.for_user(user).select_related("enterprise")


def interview_for(user, pk):
    return get_scoped_or_404(Interview.objects.select_related("enterprise", "recorded_by", "created_by"), user, pk=pk)


def commitments_due(user):
    """Open commitments of interviews the user may see, soonest first."""
    return (
        InterviewCommitment.objects.for_user(user)
        .filter(fulfilled_at__isnull=True)
        .select_related("interview__enterprise")
        .order_by("due", "id")
    )


def _no_triggers(since):
    return []


def interview_triggers(since):
    """The other apps' grounds for suggesting an interview: each AppConfig may define `interview_triggers(since)`
    returning [(label, queryset of rows with an `enterprise` field)] (supervision: a failed test reported since).
    Follow-up does not import those apps."""
    return [
        trigger
        for config in apps.get_app_configs()
        for trigger in getattr(config, "interview_triggers", _no_triggers)(since)
    ]


def suggestions(user, today):
    """Enterprises an interview is suggested for (DESIGN, choice): two 不合格 records within 12 months, a problem
    persisting at revisit, or another app's trigger within 12 months (a failed supervision test); without an
    interview notified since. Each row carries `reasons` (see suggestion_reasons)."""
    since = today - timedelta(days=365)
    recent_interview = Interview.objects.filter(enterprise=OuterRef("pk"), notice_date__gte=since)
    persisting = Problem.objects.filter(enterprise=OuterRef("pk"), status=Problem.Status.PERSISTING)
    triggers = {
        f"trigger_{i}": Exists(qs.filter(enterprise=OuterRef("pk")))
        for i, (_, qs) in enumerate(interview_triggers(since))
    }
    any_trigger = Q()
    for name in triggers:
        any_trigger |= Q(**{name: True})
    return (
        Enterprise.objects.for_user(user)
        .annotate(
            **triggers,
            failed=Count(
                "inspections",
                filter=Q(
                    inspections__status=InspectionRecord.Status.FINISHED,
                    inspections__conclusion=InspectionRecord.Conclusion.UNQUALIFIED,
                    inspections__inspection_date__gt=since,
                ),
            ),
            persisting=Exists(persisting),
        )
        .filter(Q(failed__gte=2) | Q(persisting=True) | any_trigger)
        .filter(~Exists(recent_interview))
        .select_related("supervising_unit")
        .order_by("name")
    )


def suggestion_reasons(enterprise, today):
    """Why an enterprise of `suggestions()` is on the list, as Chinese phrases."""
    labels = [label for label, _ in interview_triggers(today - timedelta(days=365))]
    reasons = [f"12个月内 {enterprise.failed} 次检查不合格"] if enterprise.failed >= 2 else []
    reasons += ["复查发现问题仍存在"] if enterprise.persisting else []
    return reasons + [label for i, label in enumerate(labels) if getattr(enterprise, f"trigger_{i}", False)]
