"""Fixtures the planning tests share: a city admin of 许昌市, the 滨海新区 cross audit of 000 (its windows)."""

from datetime import date

import pytest

from postlicense.core.models import User
from postlicense.planning import oversight

from .factories import unit


@pytest.fixture
def city_admin(make_user):
    return make_user(role=User.Role.CITY_ADMIN, org_code="xuchang")


@pytest.fixture
def campaign(make_user):
    """000 二(四): self-check 10月17日至10月20日, audit 10月21日至10月31日."""
    return oversight.create_campaign(
        organiser=unit("binhai"),
        name="2026年证后监管督查互查",
        year=2026,
        self_check_start=date(2026, 10, 17),
        self_check_end=date(2026, 10, 20),
        audit_start=date(2026, 10, 21),
        audit_end=date(2026, 10, 31),
        user=make_user(org_code="binhai"),
    )
