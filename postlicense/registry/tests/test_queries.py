"""Query counts (issue 12 item 6): the register's pages run the same number of queries whatever the number of rows
they show (the enterprise page ran one audit query per license: 15 → 16 queries for 1 → 2 licenses)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postlicense.core.models import User
from postlicense.registry.models import KeyEquipment

pytestmark = pytest.mark.django_db


def page_queries(client, url):
    assert client.get(url).status_code == 200  # warm: the first request of a session may write it
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    return client


def test_enterprise_page_queries_do_not_grow_with_licenses_equipment_or_edits(
    staff_client, make_enterprise, make_license
):
    def queries(n):
        enterprise = make_enterprise()
        for i in range(n):
            lic = make_license(enterprise, f"豫XK08-001-{enterprise.pk * 10 + i:05d}")
            lic.issuing_authority = "国家市场监督管理总局"
            lic.save()  # an edit: the archive timeline shows it from the audit trail
            KeyEquipment.objects.create(enterprise=enterprise, kind="production", name=f"球磨机{i}", quantity=1)
        return page_queries(staff_client, enterprise.get_absolute_url())

    assert queries(1) == queries(4)


def test_enterprise_list_queries_do_not_grow_with_rows(staff_client, make_enterprise, make_license):
    def queries(n):
        for _ in range(n):
            enterprise = make_enterprise()
            make_license(enterprise, f"豫XK08-001-{enterprise.pk:05d}", expiry=enterprise_expiry())
        return [
            page_queries(staff_client, f"/registry/enterprises/?{params}")
            for params in ("", "expiry=expiring", "license_number=豫XK08-001", "q=测试")
        ]

    assert queries(1) == queries(5)


def enterprise_expiry():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=30)
