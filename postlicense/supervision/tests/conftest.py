import pytest

from postlicense.core.models import User

from .factories import make_world


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Signatures and photos written by tests go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


@pytest.fixture
def city_admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")
