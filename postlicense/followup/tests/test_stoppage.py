"""The 停产/转产 tracking list (003 七(五)): drawn-but-not-inspected and registered 停产/转产 enterprises stay listed
until an on-site record is finished after the stop, or until no license of theirs is left in force."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from postlicense.core.audit import acting_as
from postlicense.followup.stoppage import tracking_rows
from postlicense.registry.models import Enterprise, License

pytestmark = pytest.mark.django_db


def _names(user, **filters):
    return [r.enterprise.name for r in tracking_rows(user, **filters)]


def _stop(enterprise, staff, status=Enterprise.Status.STOPPED):
    with acting_as(staff):
        enterprise.status = status
        enterprise.save()


def test_a_registered_stop_stays_until_inspected_after_it(staff, license, finished_record):
    e = license.enterprise
    finished_record(e, date(2026, 1, 5))  # before the stop: does not count
    _stop(e, staff)
    rows = tracking_rows(staff)
    assert [r.enterprise for r in rows] == [e] and rows[0].source == "register" and rows[0].since
    _stop(e, staff, Enterprise.Status.PRODUCING)  # resumed, not yet inspected
    assert _names(staff) == [e.name] and "待复产后检查" in tracking_rows(staff)[0].note
    finished_record(e, timezone.localdate(), finished_at=timezone.now() + timedelta(seconds=1))
    assert _names(staff) == []


def test_a_cancelled_license_takes_the_enterprise_off(staff, license):
    _stop(license.enterprise, staff, Enterprise.Status.SWITCHED)
    assert _names(staff) == [license.enterprise.name]
    License.objects.filter(pk=license.pk).update(status=License.Status.CANCELLED)
    assert _names(staff) == []


def test_scoped_and_filtered(staff, make_user, make_enterprise, make_license):
    from postlicense.core.models import User

    here = make_enterprise()
    make_license(here, "豫XK08-001-00061")
    there = make_enterprise("xuchang-changge")
    make_license(there, "豫XK08-001-00062")
    _stop(here, staff)
    _stop(there, staff)
    assert _names(staff) == [here.name]
    city = make_user(User.Role.CITY_ADMIN, "xuchang")
    assert set(_names(city)) == {here.name, there.name}
    assert _names(city, region="411082") == [there.name]
    assert _names(city, reason="draw") == []
    assert _names(city, q=here.name) == [here.name]


def test_the_page_fits_and_lists(client, staff, license):
    _stop(license.enterprise, staff)
    client.force_login(staff)
    page = client.get("/followup/stoppage/", {"reason": "register"})
    assert page.status_code == 200 and license.enterprise.name in page.content.decode()


def test_a_drawn_enterprise_not_inspected_stays_until_a_later_record(staff, city, license, finished_record):
    from postlicense.randomcheck.models import DrawnEnterprise
    from postlicense.randomcheck.tests.factories import make_task

    e = license.enterprise
    DrawnEnterprise.objects.create(
        task=make_task(city),
        enterprise=e,
        credit_code=e.credit_code,
        stratum="low",
        rank="0" * 64,
        not_inspected_reason="switched",
        not_inspected_note="已转产建材",
        not_inspected_at=timezone.now() - timedelta(days=10),
    )
    rows = tracking_rows(staff)
    assert [(r.enterprise, r.source, r.reason) for r in rows] == [(e, "draw", "转产")]
    assert _names(staff, reason="register") == []
    finished_record(e, timezone.localdate(), finished_at=timezone.now())
    assert _names(staff) == []
