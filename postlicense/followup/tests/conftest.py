from datetime import date

import pytest
from django.utils import timezone

from postlicense.core.models import User
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.inspections.selectors import current_template
from postlicense.registry.tests.conftest import make_enterprise, make_license  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu", display_name="县局张科长")


@pytest.fixture
def colleague(make_user):
    return make_user(User.Role.INSPECTOR, "xuchang-weidu", display_name="检查员李明")


@pytest.fixture
def city(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang", display_name="市局王处长")


@pytest.fixture
def enterprise(make_enterprise):
    return make_enterprise()


@pytest.fixture
def license(enterprise, make_license):
    return make_license(enterprise, "豫XK08-001-00031")


@pytest.fixture
def finished_record(db):
    """finished_record(enterprise, day, conclusion="unqualified", finished_at=None) -> a finished on-site record."""

    def make(enterprise, day=date(2026, 6, 1), conclusion=InspectionRecord.Conclusion.UNQUALIFIED, finished_at=None):
        return InspectionRecord.objects.create(
            enterprise=enterprise,
            kind=InspectionRecord.Kind.PERIODIC,
            template_version=current_template("random_check_003"),
            org_unit=enterprise.supervising_unit,
            inspection_date=day,
            status=InspectionRecord.Status.FINISHED,
            conclusion=conclusion,
            finished_at=finished_at
            or timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())),
        )

    return make


@pytest.fixture
def problem(enterprise, finished_record):
    record = finished_record(enterprise)
    return Problem.objects.create(enterprise=enterprise, record=record, description="出厂检验记录不全")
