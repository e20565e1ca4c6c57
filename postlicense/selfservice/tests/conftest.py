from datetime import date

import pytest
from freezegun import freeze_time

from postlicense.core.models import User
from postlicense.inspections import services as inspections
from postlicense.inspections.tests.factories import make_enterprise, make_inspector
from postlicense.inspections.tests.helpers import fill_and_sign, new_record
from postlicense.selfservice import services
from postlicense.selfservice.models import AccountProfile

TODAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def today():
    """Today is 2026-11-30: the 2025 reports were due 2026-06-30."""
    with freeze_time("2026-11-30 10:00:00+08:00", tick=True):
        yield TODAY


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


@pytest.fixture
def city(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


@pytest.fixture
def enterprise(db):
    return make_enterprise()


@pytest.fixture
def other_enterprise(db):
    return make_enterprise()


def enterprise_login(staff, enterprise, username):
    user, _ = services.create_account(staff, enterprise=enterprise, username=username, display_name="王五")
    AccountProfile.objects.filter(user=user).update(must_change_password=False)
    user.set_password("pw")
    user.save()
    return user


@pytest.fixture
def ent_user(staff, enterprise):
    return enterprise_login(staff, enterprise, "ent-a")


@pytest.fixture
def other_user(staff, other_enterprise):
    return enterprise_login(staff, other_enterprise, "ent-b")


@pytest.fixture
def ent_client(client, ent_user):
    client.force_login(ent_user)
    return client


def finished(enterprise, by, inspectors=None):
    record = fill_and_sign(new_record(enterprise=enterprise, inspectors=inspectors), day=date(2025, 9, 1))
    return inspections.finish(record, by=by)


@pytest.fixture
def finished_record(db, enterprise, staff):
    """A finished 2025 inspection of `enterprise` by two inspectors of the 魏都区 unit."""
    return finished(enterprise, staff)


def make_crew(org_code="xuchang-weidu", user=None):
    return [make_inspector(org_code, user=user), make_inspector(org_code)]
