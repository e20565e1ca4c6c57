"""Jurisdiction scoping (issue: foundation §4; DESIGN: every list a user sees goes through one scope)."""

from postlicense.core.models import OrgUnit, User
from postlicense.core.scoping import jurisdiction_of


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_county_staff_sees_only_own_county(make_user):
    user = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    assert codes(OrgUnit.objects.for_user(user)) == {"xuchang-weidu"}


def test_city_admin_sees_its_counties_but_not_other_cities(make_user):
    user = make_user(User.Role.CITY_ADMIN, "xuchang")
    seen = codes(OrgUnit.objects.for_user(user))
    assert {"xuchang", "xuchang-weidu", "xuchang-changge", "xuchang-yuzhou"} <= seen
    assert not any(code.startswith(("baicheng", "tacheng", "binhai")) for code in seen)


def test_branch_sees_only_itself_although_branches_share_a_region(make_user):
    """000: 滨海新区's 分局 share region 120116; each branch's jurisdiction is its own."""
    user = make_user(User.Role.COUNTY_STAFF, "binhai-tanggu")
    assert codes(OrgUnit.objects.for_user(user)) == {"binhai-tanggu"}
    district = make_user(User.Role.CITY_ADMIN, "binhai")
    assert codes(OrgUnit.objects.for_user(district)) >= {"binhai", "binhai-tanggu", "binhai-hangu", "binhai-baoshui"}


def test_region_prefix_by_level(make_user):
    assert jurisdiction_of(make_user(User.Role.CITY_ADMIN, "tacheng")).region_prefix == "6542"
    assert jurisdiction_of(make_user(User.Role.COUNTY_STAFF, "baicheng-daan")).region_prefix == "220882"


def test_inspector_and_enterprise_users_see_no_unlinked_records(make_user):
    for role in (User.Role.INSPECTOR, User.Role.ENTERPRISE):
        assert not OrgUnit.objects.for_user(make_user(role, "xuchang-weidu")).exists()


def test_user_without_org_unit_sees_nothing(make_user):
    assert not OrgUnit.objects.for_user(make_user(User.Role.COUNTY_STAFF, None)).exists()


def test_superuser_sees_everything(make_user):
    root = make_user(User.Role.CITY_ADMIN, None, is_superuser=True)
    assert OrgUnit.objects.for_user(root).count() == OrgUnit.objects.count()


def test_county_user_cannot_read_another_countys_record_by_url(client, make_user):
    weidu = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    other = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    client.force_login(weidu)
    assert client.get(f"/core/history/core.user/{other.pk}/").status_code == 404
    own = client.get(f"/core/history/core.user/{weidu.pk}/")
    assert own.status_code == 200 and "变更历史" in own.content.decode()


def test_city_admin_reads_county_record_history(client, make_user):
    county_user = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    assert client.get(f"/core/history/core.user/{county_user.pk}/").status_code == 200


def test_jurisdiction_reads_as_a_place(make_user):
    """The home page said "管辖范围：区划 4110*" (and "区划 None*" for a user without an org unit)."""
    assert jurisdiction_of(make_user(User.Role.CITY_ADMIN, "xuchang")).describe() == "许昌市全域（区划代码 4110）"
    assert (
        jurisdiction_of(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")).describe()
        == "魏都区全域（区划代码 411002）"
    )
    assert (
        jurisdiction_of(make_user(User.Role.COUNTY_STAFF, "binhai-tanggu")).describe()
        == "滨海新区塘沽分局管辖企业（区划代码 120116）"
    )
    assert jurisdiction_of(make_user(User.Role.COUNTY_STAFF, None)).describe() == "无"
    assert jurisdiction_of(make_user(User.Role.INSPECTOR)).describe() == "本人相关记录"
