"""The interface other capabilities rely on: create_inspection, current_template, the scope paths."""

from datetime import date

import pytest

from postlicense.core.models import User
from postlicense.inspections import services
from postlicense.inspections.models import InspectionRecord
from postlicense.registry.models import Enterprise

from .factories import make_enterprise, make_inspector

pytestmark = pytest.mark.django_db


def test_current_template_returns_the_published_003_table():
    version = services.current_template("random_check_003")
    assert version.title == "“双随机一公开”监督检查表"
    assert [i.number for i in version.items.all()] == [str(n) for n in range(1, 13)]
    assert services.current_template("nope") is None


def test_create_inspection_links_inspectors_licenses_and_scopes_to_the_inspector(make_user):
    enterprise = make_enterprise()
    user = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    a, b = make_inspector(user=user), make_inspector()
    record = services.create_inspection(
        enterprise=enterprise,
        kind=InspectionRecord.Kind.RANDOM_CHECK,
        template_version=services.current_template("random_check_003"),
        org_unit=enterprise.supervising_unit,
        inspectors=[a, b],
        due_date=date(2026, 10, 31),
    )
    assert record.status == "assigned" and record.conclusion == ""
    assert set(record.inspectors.all()) == {a, b}
    assert list(record.licenses.all()) == list(enterprise.licenses.all())
    assert list(InspectionRecord.objects.for_user(user)) == [record]
    assert list(Enterprise.objects.for_user(user)) == [enterprise]
