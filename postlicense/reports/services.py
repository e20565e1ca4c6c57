"""Writes for reports: submission upward and its review (DESIGN "Reporting": a submitted report is a frozen snapshot).

submit(user, kind, period, *, filled_by, checked_by, today=None) -> Submission
    The user's unit submits the report for the period. A county's tables are computed from the records now and
    frozen; a city's are the sum of its counties' accepted submissions (each one must be accepted first). Refused:
    a period without data, a period that has not begun (periods.parse), a second live submission (submitted or
    accepted) of the same report, unit and period.
review(user, submission, *, accept, note="") -> Submission
    The city accepts it, or returns it with a reason (the county may then submit again). Only a unit above the
    submitting one, inside the reviewer's jurisdiction, reviews; a submission is reviewed once.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from postlicense.core.models import OrgUnit, User

from . import selectors
from .kinds import KINDS
from .models import Submission
from .tables import Table, add_up


def _text(value, field, label):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"请填写{label}。"})
    if len(value) > 50:
        raise ValidationError({field: f"{label}不能超过 50 个字。"})
    return value


def submit(user, kind, period, *, filled_by, checked_by, today=None):
    today = today or timezone.localdate()
    unit = user.org_unit
    if not user.is_bureau_staff or unit is None:
        raise PermissionDenied("只有监管部门人员可以报送报表。")
    filled_by, checked_by = _text(filled_by, "filled_by", "填报人"), _text(checked_by, "checked_by", "审核人")
    live = selectors.live_submission(kind, unit, period)
    if live is not None:
        raise ValidationError(
            f"{unit.name}{period.label}的{KINDS[kind].label}已于{timezone.localtime(live.submitted_at):%Y-%m-%d %H:%M}"
            f"报送（{live.get_status_display()}），报送后不能修改；如需更正，请上级退回后重新报送。"
        )
    sources = []
    cut = KINDS[kind].cut(unit, period, today)
    if unit.kind == OrgUnit.Kind.CITY:
        sources, missing = selectors.accepted_children(kind, unit, period)
        missing = [u for u in missing if any(t.rows for t in KINDS[kind].compute(u, period, cut))]
        if missing:
            raise ValidationError(
                f"以下单位的报表尚未报送或尚未接收，暂不能汇总：{'、'.join(u.name for u in missing)}。"
            )
        if not sources:
            raise ValidationError(f"所辖单位{period.label}均无已接收的{KINDS[kind].label}，没有可汇总的数据。")
        tables = _added_up(sources)
    else:
        tables = KINDS[kind].compute(unit, period, cut)
    if not any(table.rows for table in tables):
        raise ValidationError(f"{unit.name}{period.label}没有可统计的数据，不能报送。")
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                kind=kind,
                org_unit=unit,
                year=period.year,
                part=period.part,
                cut=cut,
                tables=[table.as_dict() for table in tables],
                filled_by=filled_by,
                checked_by=checked_by,
                submitted_by=user,
            )
            submission.sources.set(sources)
    except IntegrityError:  # a double click: the first submission is the one
        raise ValidationError(f"{unit.name}{period.label}的{KINDS[kind].label}已报送，不能重复报送。") from None
    return submission


def _added_up(submissions):
    frozen = [[Table.from_dict(t) for t in s.tables] for s in submissions]
    return [add_up([tables[i] for tables in frozen]) for i in range(len(frozen[0]))]


def review(user, submission, *, accept, note=""):
    if not (user.is_superuser or user.role == User.Role.CITY_ADMIN) or user.org_unit_id == submission.org_unit_id:
        raise PermissionDenied("只有上级单位（市局）可以审核报表。")
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"note": "退回时请填写退回理由。"})
    with transaction.atomic():
        current = Submission.objects.select_for_update().for_user(user).filter(pk=submission.pk).first()
        if current is None:
            raise PermissionDenied("该报表不在您的管辖范围内。")
        if current.status != Submission.Status.SUBMITTED:
            raise ValidationError(f"该报表已{current.get_status_display()}，不能再次审核。")
        current.status = Submission.Status.ACCEPTED if accept else Submission.Status.RETURNED
        current.reviewed_by, current.reviewed_at, current.review_note = user, timezone.now(), note
        current.save()
    return current
