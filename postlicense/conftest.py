import pytest
from django.core.cache import cache

from postlicense.core.models import OrgUnit, User


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the public pages keep rendered copies under ids a later test reuses)."""
    cache.clear()


@pytest.fixture
def make_user(db):
    """make_user(role, org_code) -> a saved user of that role in that org unit (password 'pw')."""
    counter = iter(range(1, 10_000))

    def make(role=User.Role.COUNTY_STAFF, org_code="xuchang-weidu", **extra):
        unit = OrgUnit.objects.get(code=org_code) if org_code else None
        user = User.objects.create_user(
            f"u{next(counter)}-{role}-{org_code}", password="pw", role=role, org_unit=unit, **extra
        )
        return user

    return make
