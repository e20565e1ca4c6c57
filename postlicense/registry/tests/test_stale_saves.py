"""No lost updates on the register's edit pages (issue 11 item 3, core.concurrency): a save based on a page loaded
before another person's save is refused, names what they changed (label: theirs → yours) and keeps what was typed;
saving again from that page then wins; a double click is not an error."""

import html
from datetime import date

import pytest
from django.urls import reverse

from postlicense.core.models import User
from postlicense.core.tests.editing import loaded, two_people
from postlicense.registry.models import Enterprise, KeyEquipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_clerks(make_user):
    return two_people(make_user, User.Role.COUNTY_STAFF, "xuchang-weidu")


def assert_refused(response, *changes):
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "保存未成功：在您编辑期间，乙（" in page
    for change in changes:
        assert change in page
    return response.context["form"]


def test_enterprise_stale_save_is_refused_shows_their_change_and_keeps_what_was_typed(two_clerks, make_enterprise):
    enterprise = make_enterprise(name="魏都水泥有限公司")
    first, second = two_clerks
    url = reverse("registry:enterprise_edit", args=[enterprise.pk])
    mine, theirs = loaded(first, url), loaded(second, url)
    assert second.post(url, {**theirs, "risk_level": "high"}).status_code == 302
    response = first.post(url, {**mine, "name": "魏都建材有限公司", "notes": "甲的备注"})
    form = assert_refused(response, "风险等级：高风险 → 低风险")
    assert "企业名称" not in form.non_field_errors()[0]  # 乙 left the name alone: only their change is listed
    assert form["name"].value() == "魏都建材有限公司" and form["notes"].value() == "甲的备注"
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.risk_level, enterprise.notes) == ("魏都水泥有限公司", "high", "")
    # Saving again from the refused page (it now carries the current version) saves what this user typed.
    again = first.post(
        url, {**mine, "name": "魏都建材有限公司", "notes": "甲的备注", "version": form["version"].value()}
    )
    assert again.status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.risk_level) == ("魏都建材有限公司", "low")


def test_enterprise_double_click_is_not_an_error(two_clerks, make_enterprise):
    enterprise = make_enterprise()
    first, _ = two_clerks
    url = reverse("registry:enterprise_edit", args=[enterprise.pk])
    data = {**loaded(first, url), "risk_level": "medium", "is_focus": "on"}
    assert first.post(url, data).status_code == 302
    assert first.post(url, data).status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.risk_level == "medium" and enterprise.is_focus


def test_enterprise_other_change_to_the_same_value_is_not_a_conflict(two_clerks, make_enterprise):
    """乙 set the value 甲 also sets: nothing of 乙's is lost, so 甲's save goes through."""
    enterprise = make_enterprise()
    first, second = two_clerks
    url = reverse("registry:enterprise_edit", args=[enterprise.pk])
    mine, theirs = loaded(first, url), loaded(second, url)
    second.post(url, {**theirs, "risk_level": "high"})
    assert first.post(url, {**mine, "risk_level": "high", "contact": "赵六"}).status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.risk_level, enterprise.contact) == ("high", "赵六")


@pytest.mark.parametrize("version", [None, "", "edited-by-hand", "other-enterprise"])
def test_enterprise_save_with_a_missing_edited_or_foreign_version_is_refused(two_clerks, make_enterprise, version):
    """Hostile input: the hidden version removed, edited, or copied from another enterprise's page."""
    enterprise, other = make_enterprise(name="原名有限公司"), make_enterprise()
    first, _ = two_clerks
    url = reverse("registry:enterprise_edit", args=[enterprise.pk])
    data = {**loaded(first, url), "name": "新名有限公司"}
    if version is None:
        del data["version"]
    elif version == "other-enterprise":
        data["version"] = loaded(first, reverse("registry:enterprise_edit", args=[other.pk]))["version"]
    else:
        data["version"] = version
    response = first.post(url, data)
    page = html.unescape(response.content.decode())
    assert (
        response.status_code == 200
        and "无法确认本页载入时的内容" in page
        and "企业名称：原名有限公司 → 新名有限公司" in page
    )
    assert response.context["form"]["name"].value() == "新名有限公司"
    assert Enterprise.objects.get(pk=enterprise.pk).name == "原名有限公司"


def test_license_stale_save_is_refused(two_clerks, make_enterprise, make_license):
    enterprise = make_enterprise()
    lic = make_license(enterprise, "豫XK08-001-00001", expiry=date(2027, 1, 1))
    first, second = two_clerks
    url = reverse("registry:license_edit", args=[enterprise.pk, lic.pk])
    mine, theirs = loaded(first, url), loaded(second, url)
    assert second.post(url, {**theirs, "expiry_date": "2028-06-30"}).status_code == 302
    response = first.post(url, {**mine, "issuing_authority": "许昌市市场监督管理局"})
    form = assert_refused(response, "有效期至：2028-06-30 → 2027-01-01")
    assert form["issuing_authority"].value() == "许昌市市场监督管理局"
    lic.refresh_from_db()
    assert (lic.expiry_date, lic.issuing_authority) == (date(2028, 6, 30), "河南省市场监督管理局")


def test_license_double_click_is_not_an_error(two_clerks, make_enterprise, make_license):
    enterprise = make_enterprise()
    lic = make_license(enterprise, "豫XK08-001-00002")
    first, _ = two_clerks
    url = reverse("registry:license_edit", args=[enterprise.pk, lic.pk])
    data = {**loaded(first, url), "issuing_authority": "许昌市市场监督管理局"}
    assert first.post(url, data).status_code == 302 and first.post(url, data).status_code == 302


def test_equipment_stale_save_is_refused(two_clerks, make_enterprise):
    enterprise = make_enterprise()
    item = KeyEquipment.objects.create(enterprise=enterprise, kind="production", name="水泥磨", quantity=2)
    first, second = two_clerks
    url = reverse("registry:equipment_edit", args=[enterprise.pk, item.pk])
    mine, theirs = loaded(first, url), loaded(second, url)
    assert second.post(url, {**theirs, "quantity": "3"}).status_code == 302
    form = assert_refused(first.post(url, {**mine, "model": "Φ3.2×13m"}), "数量：3 → 2")
    assert form["model"].value() == "Φ3.2×13m"
    item.refresh_from_db()
    assert (item.quantity, item.model) == (3, "")


def test_equipment_double_click_is_not_an_error(two_clerks, make_enterprise):
    enterprise = make_enterprise()
    item = KeyEquipment.objects.create(enterprise=enterprise, kind="production", name="水泥磨")
    first, _ = two_clerks
    url = reverse("registry:equipment_edit", args=[enterprise.pk, item.pk])
    data = {**loaded(first, url), "quantity": "4"}
    assert first.post(url, data).status_code == 302 and first.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.quantity == 4


def test_new_records_need_no_version(two_clerks, make_enterprise):
    enterprise = make_enterprise()
    first, _ = two_clerks
    url = reverse("registry:equipment_create", args=[enterprise.pk])
    assert "version" not in first.get(url).context["form"].fields
    response = first.post(url, {"kind": "production", "name": "回转窑", "quantity": "1"})
    assert response.status_code == 302 and enterprise.equipment.filter(name="回转窑").exists()
