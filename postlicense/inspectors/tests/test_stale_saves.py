"""No lost updates on the inspector edit page (issue 11 item 3, core.concurrency): a stale save is refused naming
what the other person changed (label: theirs → yours), including the many-to-many 专业领域 and 回避企业, and keeps
what was typed; a double click is not an error."""

import html
from datetime import date

import pytest
from django.urls import reverse

from postlicense.core.models import OrgUnit, User
from postlicense.core.tests.editing import loaded, two_people
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import ProductCategory
from postlicense.registry.tests.conftest import make_enterprise  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(make_user):
    inspector = Inspector.objects.create(
        name="王敏",
        org_unit=OrgUnit.objects.get(code="xuchang-weidu"),
        certificate_no="41100000777",
        certificate_valid_until=date(2030, 1, 1),
    )
    first, second = two_people(make_user, User.Role.COUNTY_STAFF, "xuchang-weidu")
    return inspector, first, second, reverse("inspectors:inspector_edit", args=[inspector.pk])


def test_stale_save_is_refused_shows_their_change_and_keeps_what_was_typed(setup):
    inspector, first, second, url = setup
    cement = ProductCategory.objects.get(name="水泥")
    mine, theirs = loaded(first, url), loaded(second, url)
    assert second.post(url, {**theirs, "expertise": [cement.pk], "phone": "0374-1234567"}).status_code == 302
    response = first.post(url, {**mine, "position": "副科长"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200 and "保存未成功：在您编辑期间，乙（" in page
    message = response.context["form"].non_field_errors()[0]
    assert "专业领域：水泥 → —" in message and "联系电话：0374-1234567 → —" in message and "职务" not in message
    assert response.context["form"]["position"].value() == "副科长"
    inspector.refresh_from_db()
    assert inspector.position == "" and list(inspector.expertise.all()) == [cement]


def test_a_change_of_the_avoided_enterprises_is_not_overwritten(setup, make_enterprise):
    inspector, first, second, url = setup
    enterprise = make_enterprise("xuchang-weidu", name="魏都回避水泥有限公司")
    mine, theirs = loaded(first, url), loaded(second, url)
    assert second.post(url, {**theirs, "avoid_codes": enterprise.credit_code}).status_code == 302
    response = first.post(url, {**mine, "position": "副科长"})
    assert "回避企业：魏都回避水泥有限公司 → —" in html.unescape(response.content.decode())
    assert list(inspector.avoid_enterprises.all()) == [enterprise]


def test_double_click_is_not_an_error(setup):
    inspector, first, _, url = setup
    data = {**loaded(first, url), "position": "科员", "active": ""}
    assert first.post(url, data).status_code == 302 and first.post(url, data).status_code == 302
    inspector.refresh_from_db()
    assert inspector.position == "科员" and not inspector.active


def test_edited_version_is_refused(setup):
    inspector, first, _, url = setup
    response = first.post(url, {**loaded(first, url), "position": "科长", "version": "x"})
    assert "无法确认本页载入时的内容" in response.content.decode()
    inspector.refresh_from_db()
    assert inspector.position == ""
