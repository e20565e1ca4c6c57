"""The list's license filters sought from the licenses' side (selectors._seek with holders, issue 12 item 6): the
same enterprises, in the same order and pages, as the one-statement filter, whatever the chunk size."""

from datetime import timedelta

import pytest
from django.utils import timezone

from postlicense.core.models import User
from postlicense.registry import selectors
from postlicense.registry.selectors import EnterpriseFilter, enterprise_list, enterprises_for, filter_enterprises


@pytest.fixture
def register(make_enterprise, make_license):
    """60 enterprises in 魏都 and 长葛: every third holds a 豫XK08-001 license expiring within 90 days, every fifth a
    second one of the same prefix (two licenses of one holder), the rest other numbers valid for years."""
    today = timezone.localdate()
    for n in range(60):
        e = make_enterprise("xuchang-weidu" if n % 2 else "xuchang-changge", risk_level="high" if n % 4 else "low")
        soon = n % 3 == 0
        prefix = "豫XK08-001" if soon or n % 5 == 0 else "豫XK08-002"
        make_license(e, f"{prefix}-{n:05d}", expiry=today + timedelta(days=30 if soon else 900))
        if n % 5 == 0:
            make_license(e, f"豫XK08-001-{n + 500:05d}", expiry=today + timedelta(days=60))


def pages(user, f, size):
    """Every page forward, then every page back from the last: the ids of each."""
    forward, after = [], None
    while True:
        page = enterprise_list(user, f, after=after, size=size)
        forward.append([row.pk for row in page.rows])
        if page.next_after is None:
            break
        after = page.next_after
    backward, before = [], page.prev_before
    while before is not None:
        page = enterprise_list(user, f, before=before, size=size)
        backward.insert(0, [row.pk for row in page.rows])
        before = page.prev_before
    return forward, backward


@pytest.mark.parametrize("few", [0, 20_000])  # number prefixes: holders read whole, or from the database in chunks
@pytest.mark.parametrize("chunk", [1, 4])
@pytest.mark.parametrize(
    "f",
    [
        EnterpriseFilter(license_number="豫XK08-001"),
        EnterpriseFilter(expiry="expiring"),
        EnterpriseFilter(license_number="豫xk08-001", expiry="expiring", risk_level="high"),
        EnterpriseFilter(license_number="豫XK08-002", region="411082"),
        EnterpriseFilter(license_number="豫XK09"),
    ],
)
def test_license_filters_page_like_the_one_statement_filter(register, make_user, monkeypatch, few, chunk, f):
    monkeypatch.setattr(selectors, "HOLDERS_CHUNK", chunk)
    monkeypatch.setattr(selectors, "FEW_HOLDERS", few)
    for role, unit in [(User.Role.CITY_ADMIN, "xuchang"), (User.Role.COUNTY_STAFF, "xuchang-weidu")]:
        user = make_user(role, unit)
        expected = list(filter_enterprises(enterprises_for(user), f).order_by("-pk").values_list("pk", flat=True))
        forward, backward = pages(user, f, size=4)
        assert [pk for page in forward for pk in page] == expected
        assert forward[0] == expected[:4] and all(len(page) == 4 for page in forward[:-1])
        assert backward == forward[: len(backward)] and (len(forward) == 1 or len(backward) == len(forward) - 1)


def test_a_search_term_keeps_the_one_statement_filter(register, make_user, django_assert_num_queries):
    """With a search term the name index drives: one statement for the page, not chunks from the licenses."""
    user = make_user(User.Role.CITY_ADMIN, "xuchang")
    enterprise_list(user, EnterpriseFilter())  # loads the user's org unit and region once
    with django_assert_num_queries(1):
        page = enterprise_list(user, EnterpriseFilter(q="测试企业", expiry="expiring"))
    assert page.rows and all(row.name.startswith("测试企业") for row in page.rows)
