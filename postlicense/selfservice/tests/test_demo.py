"""The demo: 2025 reports in every state, one non-filer, feedback in each state, idempotent."""

import io

import pytest

from postlicense.core.models import OrgUnit, User
from postlicense.core.services import load_demo_users
from postlicense.inspections.tests.factories import make_enterprise
from postlicense.selfservice import selectors
from postlicense.selfservice.demo import load_demo
from postlicense.selfservice.models import AccountProfile, Feedback, SelfReport

from .conftest import finished, make_crew

pytestmark = pytest.mark.django_db


def test_demo_has_every_state_and_loads_once():
    load_demo_users()
    staff = User.objects.get(username="xuchang-weidu-staff")
    crew = make_crew()
    enterprises = [make_enterprise() for _ in range(8)]
    for enterprise in enterprises[:3]:
        finished(enterprise, staff, crew)
    assert OrgUnit.objects.get(code="xuchang-weidu").enterprises.count() == 8
    load_demo(io.StringIO())
    statuses = set(SelfReport.objects.values_list("status", flat=True))
    assert statuses == set(SelfReport.Status.values)
    assert SelfReport.objects.filter(source=SelfReport.Source.IMPORT, status=SelfReport.Status.SUBMITTED).exists()
    assert set(Feedback.objects.values_list("status", flat=True)) == set(Feedback.Status.values)
    non_filers = list(selectors.non_filers(staff, 2025))
    # the non-filer, and the enterprise allowed to file late (its draft under way)
    assert {e.pk: e.late_until is not None for e in non_filers} == {enterprises[6].pk: False, enterprises[4].pk: True}
    assert AccountProfile.objects.get(user__username="qiye-new").must_change_password
    count = SelfReport.objects.count()
    load_demo(io.StringIO())
    assert SelfReport.objects.count() == count
