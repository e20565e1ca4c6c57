"""The demo year of inspections: finished records with findings, idempotent."""

import io
from datetime import date, timedelta

import pytest

from postlicense.core.models import OrgUnit, User
from postlicense.inspections import selectors
from postlicense.inspections.demo import PER_UNIT, RECTIFIED_AFTER, load_demo
from postlicense.inspections.models import Finding, InspectionRecord, Problem
from postlicense.registry.models import License

from .factories import make_enterprise, make_inspector

pytestmark = pytest.mark.django_db


def test_demo_inspections_are_finished_signed_and_loaded_once():
    enterprises = [make_enterprise() for _ in range(PER_UNIT + 5)]  # more than a run takes: a second run finds new ones
    # Registers the answers must agree with: licenses expired and instruments past calibration during the year.
    # Licenses expired before the demo year for all (the enterprises' codes, which seed the demo's random kinds,
    # depend on the tests run before), instruments past calibration for every other one.
    License.objects.filter(enterprise__in=enterprises).update(
        issue_date=date.today() - timedelta(days=2000), expiry_date=date.today() - timedelta(days=400)
    )
    for enterprise in enterprises[::2]:
        enterprise.equipment.filter(is_measuring_instrument=True).update(
            calibration_due=date.today() - timedelta(days=90)
        )
    login = User.objects.create_user(
        "xuchang-weidu-inspector", role=User.Role.INSPECTOR, org_unit=OrgUnit.objects.get(code="xuchang-weidu")
    )
    make_inspector(user=login)
    make_inspector()
    make_inspector()
    load_demo(io.StringIO())
    finished = InspectionRecord.objects.filter(status="finished")
    assert finished.count() >= 6
    assert all(
        r.inspectors.count() == 2 and r.findings.exists() and r.crew.exclude(signature="").count() == 2
        for r in finished
    )
    # Only consistent records: answers agree with their conclusions and with the register (no confirmations needed).
    assert [selectors.finish_errors(r) for r in finished] == [{}] * finished.count()
    assert not Finding.objects.filter(register_confirmed=True).exists()
    assert Finding.objects.filter(item__number="1", option="不在有效期", conclusion="不符合").exists()
    # The 000 sheets: 现场检查结论 filled, signed by the inspectors only (the seed sheet has no enterprise signature).
    sheets = finished.filter(template_version__template__code="patrol_000")
    assert sheets.exists()
    assert all(r.extra_values["site_conclusion"] and not r.enterprise_signed_at for r in sheets)
    # Problems are dated with their inspection; those found more than half a year ago were rectified.
    problems = Problem.objects.select_related("record")
    assert problems.exists() and all(p.opened_at == p.record.finished_at for p in problems)
    assert all(
        p.status == ("closed" if p.record.inspection_date < date.today() - RECTIFIED_AFTER else "open")
        for p in problems
    )
    assert InspectionRecord.objects.filter(status="assigned").count() == 3
    count = InspectionRecord.objects.count()
    load_demo(io.StringIO())
    assert InspectionRecord.objects.count() == count
