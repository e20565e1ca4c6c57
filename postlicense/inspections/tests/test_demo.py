"""The demo year of inspections: finished records with findings, idempotent."""
import io

import pytest

from postlicense.core.models import OrgUnit, User
from postlicense.inspections.demo import PER_UNIT, load_demo
from postlicense.inspections.models import InspectionRecord

from .factories import make_enterprise, make_inspector

pytestmark = pytest.mark.django_db


def test_demo_inspections_are_finished_signed_and_loaded_once():
    for _ in range(PER_UNIT + 5):  # more than one run takes, so a second run would find new enterprises
        make_enterprise()
    login = User.objects.create_user("xuchang-weidu-inspector", role=User.Role.INSPECTOR,
                                     org_unit=OrgUnit.objects.get(code="xuchang-weidu"))
    make_inspector(user=login)
    make_inspector()
    make_inspector()
    load_demo(io.StringIO())
    finished = InspectionRecord.objects.filter(status="finished")
    assert finished.count() >= 6
    assert all(r.inspectors.count() == 2 and r.findings.exists() and r.crew.exclude(signature="").count() == 2 for r in finished)
    assert InspectionRecord.objects.filter(status="assigned").count() == 3
    count = InspectionRecord.objects.count()
    load_demo(io.StringIO())
    assert InspectionRecord.objects.count() == count
