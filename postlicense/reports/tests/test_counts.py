"""The completion summary read from the maintained counts (reports.counts) equals the summary computed from the
records (completion.recompute), on random data and after the edits that move a count: a record reopened or
cancelled, a problem closed, an order closed, an enterprise moving county or class, a plan recounted, a deletion."""

import random
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from postlicense.core.models import OrgUnit, User
from postlicense.followup.models import Case, Escalation, RectificationOrder
from postlicense.followup.tests.helpers import failed_record, issued_order
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.inspections.tests.factories import make_enterprise
from postlicense.planning.models import Plan, PlanEntry
from postlicense.planning.services import recount_plans
from postlicense.registry.models import Enterprise
from postlicense.reports import completion, counts
from postlicense.reports.models import CompletionCount, EnterpriseCount
from postlicense.reports.periods import Period
from postlicense.supervision.tests.factories import make_world, reported

pytestmark = pytest.mark.django_db
UNITS = ("xuchang-weidu", "xuchang-changge", "xuchang-yuzhou")
CUTS = [
    (Period(2026, "Y"), date(2026, 10, 30)),
    (Period(2026, "H1"), date(2026, 6, 25)),
    (Period(2025, "Y"), date(2025, 12, 31)),
]


def _day(rng):
    return date(2025, 1, 1) + timedelta(days=rng.randrange(700))


def _at(day, rng):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.randrange(24)))


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


@pytest.fixture
def world(staff):
    """Records, problems, orders, tests, cases, escalations and plan entries in three counties, at random dates and
    states: a few through the services (their bulk writes), the rest as plain saves."""
    rng = random.Random(17)
    record = failed_record(staff, day=date(2026, 5, 1))
    order = issued_order(staff, record=record, issued_on=date(2026, 5, 6))
    reported(make_world(), day=date(2026, 10, 9))
    reported(make_world(), result="qualified", day=date(2026, 3, 2))
    enterprises = [make_enterprise(rng.choice(UNITS)) for _ in range(8)]
    for e in enterprises:
        e.supervision_class = rng.choice("ABCD")
        e.save()
    plan = Plan.objects.create(org_unit=OrgUnit.objects.get(code="xuchang"), year=2026, plan_date=date(2026, 1, 5))
    for e in enterprises:
        planned = rng.randrange(1, 4)
        PlanEntry.objects.create(
            plan=plan, year=2026, enterprise=e, supervision_class=e.supervision_class, minimum=1, planned=planned
        )
        for _ in range(rng.randrange(1, 5)):
            new = InspectionRecord.objects.get(pk=record.pk)
            day = _day(rng)
            new.pk, new.enterprise = None, e
            new.status = rng.choice(["finished", "finished", "finished", "assigned", "not_carried_out"])
            new.inspection_date = day if rng.random() < 0.95 else None
            new.save()
            for _ in range(rng.randrange(3)):
                status = rng.choice(["open", "persisting", "closed", "closed", "superseded"])
                closed = _at(day + timedelta(days=rng.randrange(120)), rng) if status == "closed" else None
                Problem.objects.create(
                    enterprise=e, record=new, description="随机问题", status=status, closed_at=closed
                )
            if rng.random() < 0.5:
                copy = RectificationOrder.objects.get(pk=order.pk)
                copy.pk, copy.enterprise, copy.source_record = None, e, new
                copy.number, copy.seq = f"随机{new.pk}", 1000 + new.pk
                copy.issued_on = day + timedelta(days=rng.randrange(10))
                copy.status = rng.choice(["issued", "reported", "awaiting_revisit", "persisting", "closed"])
                copy.served_on = copy.issued_on if rng.random() < 0.7 else None
                copy.deadline = copy.issued_on + timedelta(days=rng.randrange(60))
                copy.revisit_due = copy.deadline + timedelta(days=rng.randrange(20))
                copy.save()
                if rng.random() < 0.5:
                    escalation = Escalation.objects.create(order=copy, kind="stoppage", facts="复查仍存在问题")
                    escalation.proposed_at = _at(copy.issued_on + timedelta(days=40), rng)
                    escalation.save()
        if rng.random() < 0.4:
            Case.objects.create(
                enterprise=e,
                clue="随机线索",
                discovered_on=_day(rng),
                receiver_kind="case_unit",
                receiver="许昌市市场监督管理局",
                referred_on=_day(rng),
                filing_due=date(2027, 1, 1),
                filing_due_text="15个工作日",
            )
    recount_plans([plan])
    return enterprises


def _same(unit):
    for period, cut in CUTS:
        assert completion.compute(unit, period, cut) == completion.recompute(unit, period, cut), (unit, period)


def _check():
    for code in ("xuchang", *UNITS):
        _same(OrgUnit.objects.get(code=code))


def test_the_counts_equal_the_summary_computed_from_the_records(world):
    _check()
    assert completion.compute(OrgUnit.objects.get(code="xuchang"), *CUTS[0])[0].rows  # not an empty comparison


def test_the_counts_follow_every_kind_of_edit(world, staff):
    rng = random.Random(6)
    finished = InspectionRecord.objects.filter(status="finished", enterprise__in=world)
    reopened = finished.first()
    reopened.status = InspectionRecord.Status.IN_PROGRESS  # a finished record reopened for amendment
    reopened.save()
    cancelled = finished.last()
    cancelled.status = InspectionRecord.Status.NOT_CARRIED_OUT
    cancelled.save()
    _check()
    for problem in Problem.objects.filter(status="open")[:3]:
        problem.status, problem.closed_at = "closed", _at(date(2026, 6, 1), rng)
        problem.save()
    order = RectificationOrder.objects.filter(status="issued").first()
    order.status, order.closed_at = "closed", timezone.now()
    order.save()
    _check()
    mover = world[0]
    mover.supervising_unit = OrgUnit.objects.get(code="xuchang-jianan")  # moves county (and region) and class
    mover.region = mover.supervising_unit.region
    mover.supervision_class = "D" if mover.supervision_class != "D" else "A"
    mover.save()
    world[1].status = Enterprise.Status.CANCELLED
    world[1].save()
    _check()
    gone = Problem.objects.filter(enterprise=world[2]).first()
    if gone:
        gone.delete()
    Escalation.objects.filter(order__enterprise=world[3]).delete()
    InspectionRecord.objects.filter(enterprise=world[4], status="finished").update(status="assigned")  # no signal
    counts.mark_stale([world[4].pk])  # as a bulk writer announces (core.changes)
    _check()


def test_a_rebuild_and_a_fold_keep_the_figures(world):
    counts.settle()
    world[0].supervision_class = "C" if world[0].supervision_class != "C" else "B"
    world[0].save()
    counts.settle()
    appended = CompletionCount.objects.count()
    assert counts.fold() < appended  # the negative and positive rows of the move folded away
    _check()
    counts.rebuild()
    assert EnterpriseCount.objects.exists()
    _check()
