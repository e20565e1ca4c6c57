"""Objects the planning tests build, on the random-check tests' register factories."""

from datetime import UTC, date, datetime, time

from postlicense.core.models import OrgUnit
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.selectors import current_template
from postlicense.randomcheck.tests.factories import make_enterprise, make_inspector  # noqa: F401


def record(enterprise, day, kind="patrol", status=InspectionRecord.Status.FINISHED, conclusion="qualified", **fields):
    """A record as the inspections app leaves it (saved one by one, as finish() does)."""
    return InspectionRecord.objects.create(
        enterprise=enterprise,
        kind=kind,
        template_version=current_template("production_conditions_004"),
        org_unit=enterprise.supervising_unit,
        inspection_date=day,
        status=status,
        conclusion=conclusion if status == InspectionRecord.Status.FINISHED else "",
        finished_at=datetime.combine(day, time(17), UTC) if status == InspectionRecord.Status.FINISHED else None,
        **fields,
    )


def unit(code):
    return OrgUnit.objects.get(code=code)


PLAN_DATE = date(2026, 1, 5)
