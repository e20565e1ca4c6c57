"""What a logged-in request costs before its view (issue 12 item 6): the session, then the user with its org unit
and region in one query (core.backends.UserWithUnitBackend) — it was four queries (session, user, org unit,
region)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postlicense.core.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role,org_code", [(User.Role.CITY_ADMIN, "xuchang"), (User.Role.COUNTY_STAFF, "xuchang-weidu")]
)
def test_the_user_comes_with_its_org_unit_and_region(client, make_user, role, org_code):
    user = make_user(role, org_code)
    client.force_login(user)
    client.get("/registry/enterprises/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/registry/enterprises/")
    assert response.context["user"].org_unit.region.code == user.org_unit.region_id
    sql = [q["sql"] for q in queries]
    assert sql[0].startswith('SELECT "django_session"')
    assert sql[1].startswith('SELECT "core_user"') and '"core_orgunit"' in sql[1] and '"core_region"' in sql[1]
    lookups = [s for s in sql if s.startswith(('SELECT "core_user"', 'SELECT "core_orgunit"', 'SELECT "core_region"'))]
    assert [s for s in lookups if "LIKE" not in s] == [sql[1]]  # (the LIKE one lists the counties for the filter)
