"""Inspector directory (003 二(二): name, unit, position, phone, certificate number and its validity)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from postlicense.core.models import OrgUnit, User
from postlicense.inspectors import importing
from postlicense.inspectors.models import Inspector
from postlicense.inspectors.selectors import certificate_state
from postlicense.registry.tests.conftest import make_enterprise, xlsx_bytes  # noqa: F401  (fixture)
from postlicense.registry.xlsx import open_rows

HEADERS = [c.header for c in importing.COLUMNS]


def row(**overrides):
    values = {
        "姓名": "张伟",
        "所在单位": "长葛市市场监督管理局",
        "职务": "科员",
        "执法证号": "41100000123",
        "执法证有效期起": "2024-01-01",
        "执法证有效期至": "2029-12-31",
        "专业领域": "水泥、电线电缆",
    }
    values.update(overrides)
    return values


def validate(rows, user):
    return importing.validate(open_rows(xlsx_bytes(rows, HEADERS), importing.COLUMNS)[1], user)


def make_inspector(org_code, certificate_no, until=date(2030, 1, 1)):
    return Inspector.objects.create(
        name="某人",
        org_unit=OrgUnit.objects.get(code=org_code),
        certificate_no=certificate_no,
        certificate_valid_until=until,
    )


@pytest.fixture
def city_admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


def test_import_creates_then_updates_by_certificate_number(city_admin):
    rows, errors = validate([row(), row(姓名="李娜", 执法证号="41100000124", 在岗="否")], city_admin)
    assert errors == [] and importing.apply(rows) == (2, 0)
    assert sorted(Inspector.objects.get(certificate_no="41100000123").expertise.values_list("name", flat=True)) == [
        "水泥",
        "电线电缆",
    ]
    assert not Inspector.objects.get(certificate_no="41100000124").active
    rows, errors = validate([row(职务="科长")], city_admin)
    assert importing.apply(rows) == (0, 1) and Inspector.objects.get(certificate_no="41100000123").position == "科长"


def test_import_lists_bad_rows_and_refuses_other_jurisdictions(make_user):
    make_inspector("xuchang-weidu", "41100000999")
    changge = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    rows, errors = validate(
        [
            row(),
            row(执法证号="41100000123"),
            row(执法证号="41100000200", 所在单位="许昌市魏都区市场监督管理局"),
            row(执法证号="41100000201", 执法证有效期起="2030-01-01"),
            row(执法证号="41100000999"),
            row(执法证号="41100000202", 专业领域="月饼"),
        ],
        changge,
    )
    assert [(e.row, e.column) for e in errors] == [
        (3, "执法证号"),
        (4, "所在单位"),
        (5, "执法证有效期至"),
        (6, "执法证号"),
        (7, "专业领域"),
    ]


def test_certificate_state_from_dates():
    """002 第9条: inspectors show valid certificates; validity is computed, never stored."""
    today = timezone.localdate()
    assert certificate_state(Inspector(certificate_valid_until=today - timedelta(days=1)), today) == "expired"
    assert certificate_state(Inspector(certificate_valid_until=today + timedelta(days=30)), today) == "expiring"
    assert certificate_state(Inspector(certificate_valid_until=today + timedelta(days=365)), today) == ""


def test_list_is_scoped_and_other_units_are_404(client, make_user):
    own, other = make_inspector("xuchang-weidu", "豫执魏A1"), make_inspector("xuchang-changge", "豫执长B1")
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    page = client.get("/inspectors/").content.decode()
    assert "豫执魏A1" in page and "豫执长B1" not in page  # Chinese: never part of a CSRF token
    assert client.get(f"/inspectors/{other.pk}/").status_code == 404
    assert client.post(f"/inspectors/{other.pk}/edit/", {"name": "x"}).status_code == 404
    assert client.get(f"/inspectors/{own.pk}/").status_code == 200


def test_form_sets_avoidance_by_credit_code_and_rejects_unknown_codes(client, make_user, make_enterprise):
    enterprise = make_enterprise("xuchang-weidu")
    foreign = make_enterprise("xuchang-changge")
    inspector = make_inspector("xuchang-weidu", "A2")
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    data = {
        "name": "某人",
        "org_unit": inspector.org_unit_id,
        "certificate_no": "A2",
        "certificate_valid_until": "2030-01-01",
        "active": "on",
        "avoid_codes": f"{enterprise.credit_code}\n{foreign.credit_code}",
        "version": client.get(f"/inspectors/{inspector.pk}/edit/").context["form"]["version"].value(),
    }
    response = client.post(f"/inspectors/{inspector.pk}/edit/", data)
    assert "未找到以下信用代码的企业" in response.content.decode() and foreign.credit_code in response.content.decode()
    response = client.post(f"/inspectors/{inspector.pk}/edit/", {**data, "avoid_codes": enterprise.credit_code})
    assert response.status_code == 302
    assert list(inspector.avoid_enterprises.all()) == [enterprise]
