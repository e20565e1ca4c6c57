"""Reads for reports: live tables, submissions in the user's jurisdiction, what is due."""

from django.urls import reverse

from postlicense.core import deadlines
from postlicense.core.models import OrgUnit, User
from postlicense.core.todo import ITEMS_PER_GROUP, TodoGroup, TodoItem

from .kinds import KINDS
from .models import Submission
from .periods import Period

LIVE = [Submission.Status.SUBMITTED, Submission.Status.ACCEPTED]


def live_submission(kind, unit, period):
    return Submission.objects.filter(
        kind=kind, org_unit=unit, year=period.year, part=period.part, status__in=LIVE
    ).first()


def child_units(unit):
    return list(OrgUnit.objects.filter(parent=unit).order_by("region_id", "name"))


def accepted_children(kind, unit, period):
    """The accepted submissions of the units under `unit` for the period, and the units still missing one."""
    children = child_units(unit)
    accepted = {
        s.org_unit_id: s
        for s in Submission.objects.filter(
            kind=kind, org_unit__in=children, year=period.year, part=period.part, status=Submission.Status.ACCEPTED
        )
    }
    return [accepted[u.pk] for u in children if u.pk in accepted], [u for u in children if u.pk not in accepted]


def units_for(user):
    """The units whose report the user may look at: their own and, for a city, the units under it."""
    if user.org_unit is None:
        return []
    return [user.org_unit] + (child_units(user.org_unit) if user.org_unit.kind == OrgUnit.Kind.CITY else [])


def submissions_for(user):
    return Submission.objects.for_user(user).select_related("org_unit", "submitted_by")


def submission_for(user, pk):
    from postlicense.core.scoping import get_scoped_or_404

    return get_scoped_or_404(Submission.objects.select_related("org_unit"), user, pk=pk)


def due_reports(unit, today):
    """(kind, period, Due) for each report part of this year whose due date has come within 30 days or passed,
    and that the unit has not submitted."""
    near = []
    rules = deadlines.Deadlines(unit.region_id)
    for kind in KINDS.values():
        for part, key in kind.due_keys.items():
            due = rules.annual(key, today.year)
            period = Period(today.year if part != "H2" or due.date.month > 6 else today.year - 1, part)
            if (due.date - today).days <= 30:
                near.append((kind, period, due))
    live = Submission.objects.filter(org_unit=unit, year__in={p.year for _, p, _ in near}, status__in=LIVE)
    submitted = set(live.values_list("kind", "year", "part")) if near else set()
    return [(kind, period, due) for kind, period, due in near if (kind.key, period.year, period.part) not in submitted]


def todo_groups(user, today):
    if not user.is_bureau_staff or user.org_unit is None:
        return []
    groups = []
    due = due_reports(user.org_unit, today)
    if due:
        groups.append(
            TodoGroup(
                "待报送的报表",
                total=len(due),
                overdue=sum(d.date < today for _, _, d in due),
                items=[
                    TodoItem(
                        f"{period.label}{kind.label}",
                        reverse("reports:report", args=[kind.key]) + f"?year={period.year}&part={period.part}",
                        d.date,
                        f"报送期限 {d.text}",
                    )
                    for kind, period, d in due
                ],
                url=reverse("reports:index"),
            )
        )
    if user.is_superuser or user.role == User.Role.CITY_ADMIN:
        waiting = submissions_for(user).filter(status=Submission.Status.SUBMITTED).exclude(org_unit=user.org_unit)
        total = waiting.count()
        if total:
            groups.append(
                TodoGroup(
                    "待审核的报表",
                    total=total,
                    items=[
                        TodoItem(f"{s.org_unit.name} {s.year}年{s.part} {KINDS[s.kind].label}", s.get_absolute_url())
                        for s in waiting[:ITEMS_PER_GROUP]
                    ],
                    url=reverse("reports:submissions"),
                )
            )
    return groups
