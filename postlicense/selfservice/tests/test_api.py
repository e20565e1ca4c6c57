"""Read endpoints of self-service: self-reports scoped like the pages (the enterprise its own, the county its
jurisdiction's filed reports); feedback on inspectors for the city only (002 第二十、二十一条)."""

import pytest
from django.test import Client

from postlicense.core.models import User
from postlicense.selfservice.models import SelfReport

from .test_feedback import feedback, inspector_user, record  # noqa: F401 (fixtures)
from .test_review import filed

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_self_reports_are_scoped(client, staff, make_user, ent_user, enterprise, other_enterprise):
    own = filed(enterprise)
    theirs = filed(other_enterprise)
    older = SelfReport.objects.create(enterprise=enterprise, year=2024)  # a draft
    client.force_login(ent_user)
    assert set(ids(client.get("/api/v1/self-reports/"))) == {own.pk, older.pk}
    assert client.get(f"/api/v1/self-reports/{theirs.pk}/").status_code == 404
    client.force_login(staff)
    assert set(ids(client.get("/api/v1/self-reports/"))) == {own.pk, theirs.pk}  # filed only: no draft
    assert ids(client.get("/api/v1/self-reports/", {"enterprise": enterprise.pk, "year": 2025})) == [own.pk]
    assert client.get(f"/api/v1/self-reports/{older.pk}/").status_code == 404
    body = client.get(f"/api/v1/self-reports/{own.pk}/").json()
    assert body["enterprise_name"] == enterprise.name and body["status"] == "submitted"
    bad = client.get("/api/v1/self-reports/", {"year": "1"})
    assert bad.status_code == 400 and "year" in bad.json()
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-yuzhou"))
    assert ids(client.get("/api/v1/self-reports/")) == []
    assert client.get(f"/api/v1/self-reports/{own.pk}/").status_code == 404


def test_feedback_is_for_the_city_only(feedback, city, staff, inspector_user, ent_user):  # noqa: F811
    client = Client()
    client.force_login(city)
    assert ids(client.get("/api/v1/enterprise-feedback/")) == [feedback.pk]
    assert client.get(f"/api/v1/enterprise-feedback/{feedback.pk}/").json()["text"] == feedback.text
    for user in (staff, inspector_user, ent_user):
        client.force_login(user)
        assert ids(client.get("/api/v1/enterprise-feedback/")) == []
        assert client.get(f"/api/v1/enterprise-feedback/{feedback.pk}/").status_code == 404
    client.logout()
    assert client.get("/api/v1/enterprise-feedback/").status_code == 403
