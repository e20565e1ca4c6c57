"""The page frame every user sees: the header names the user once (issue 10 item 8), the home page cites no
seed numbers, and the demo logins are people, not roles."""

import re

from postlicense.core.models import OrgUnit, User
from postlicense.core.services import load_demo_users


def _header(client, user):
    client.force_login(user)
    page = client.get("/").content.decode()
    return re.search(r'<div class="userbox">(.*?)</div>', page, re.S).group(1)


def test_header_shows_name_role_and_unit_once(client, make_user):
    header = _header(client, make_user(User.Role.CITY_ADMIN, "xuchang", display_name="王五"))
    assert header.count("王五") == 1 and header.count("市局管理员") == 1
    assert header.count("许昌市市场监督管理局") == 1


def test_demo_logins_are_named_as_people(db):
    """The header repeated the role: demo logins were named "许昌市局市局管理员" (unit + role)."""
    load_demo_users()
    staff = User.objects.filter(org_unit__isnull=False)
    assert staff.count() == 2 * OrgUnit.objects.count()
    for user in staff:
        assert user.get_role_display() not in user.display_name and "局" not in user.display_name, user.display_name


def test_home_page_cites_no_seed_numbers(client, make_user):
    for role, unit in [
        (User.Role.CITY_ADMIN, "xuchang"),
        (User.Role.COUNTY_STAFF, "xuchang-weidu"),
        (User.Role.INSPECTOR, "xuchang-weidu"),
        (User.Role.ENTERPRISE, None),
    ]:
        client.force_login(make_user(role, unit))
        page = client.get("/").content.decode()
        assert not re.search(r"(?<![\d-])00[0-4] ?[第一二三四五六七八九十附（(]", page), role
