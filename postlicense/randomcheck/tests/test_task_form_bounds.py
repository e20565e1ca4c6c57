"""The task form's bounds (issue 11 item 11) and its stale saves (issue 11 item 3): ratios all 0, a deadline before
the task's year and a year outside 2000–2100 are refused at their field in Chinese; a seed contribution with outer
blanks is refused, not trimmed; a save based on a page another person has since saved is refused."""

import html
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from postlicense.core.models import User
from postlicense.core.tests.editing import loaded, two_people
from postlicense.randomcheck import rules, services
from postlicense.randomcheck.models import SeedContribution, Task

from .factories import make_register, make_task

pytestmark = pytest.mark.django_db
ZERO = {"low": Decimal(0), "medium": Decimal(0), "medium_high": Decimal(0), "high": Decimal(0)}


@pytest.fixture
def admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang", display_name="甲")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def new_task_data(admin, **changes):
    data = {
        "name": "2024年度抽查",
        "year": "2024",
        "issuing_unit": admin.org_unit.pk,
        "statuses": ["producing", "stopped"],
        "ratio_low": "10",
        "ratio_medium": "20",
        "ratio_medium_high": "30",
        "ratio_high": "50",
        "ratio_reason": "",
        "deadline": "2024-10-31",
        "checklist": make_task().checklist_id,
        "inspectors_per_enterprise": "2",
        "load_cap": "5",
    }
    return {**data, **changes}


def refused(client, data, field):
    """Post a new task: it is refused, nothing is saved, the page keeps what was typed; the field's errors."""
    response = client.post(reverse("randomcheck:task_create"), data)
    assert response.status_code == 200 and not Task.objects.filter(name=data["name"]).exists()
    form = response.context["form"]
    assert all(form[name].value() == value for name, value in data.items() if name in ("name", "deadline", "year"))
    return form.errors.get(field, [])


# ---- rules ----


def test_ratios_error_refuses_only_all_zero_ratios():
    """许昌双随机实施方案 三 draws from every risk level: 0% of all four draws nobody."""
    assert "都为0" in rules.ratios_error(ZERO)
    assert rules.ratios_error({**ZERO, "high": Decimal("0.01")}) is None


def test_deadline_error_refuses_a_deadline_before_the_year_begins():
    assert "早于任务年度（2024年）" in rules.deadline_error(2024, date(2023, 12, 31))
    assert rules.deadline_error(2024, date(2024, 1, 1)) is None


# ---- the form ----


def test_all_zero_ratios_are_refused_at_the_ratio_fields(admin_client, admin):
    data = new_task_data(
        admin, ratio_low="0", ratio_medium="0", ratio_medium_high="0.00", ratio_high="0", ratio_reason="试点"
    )
    assert "四个风险等级的抽取比例都为0" in refused(admin_client, data, "ratio_low")[0]
    assert refused(admin_client, data, "ratio_high")


def test_freeze_refuses_a_task_whose_ratios_are_all_zero(admin):
    """A task saved before this rule (or written another way) cannot be frozen either."""
    make_register({"xuchang-weidu": 4})
    task = make_task(admin, ratio_low=0, ratio_medium=0, ratio_medium_high=0, ratio_high=0)
    with pytest.raises(ValidationError, match="都为0"):
        services.freeze_candidates(task, admin)
    task.refresh_from_db()
    assert task.frozen_at is None and not task.candidates.exists()


@pytest.mark.parametrize("deadline", ["2023-12-31", "1999-10-31"])
def test_a_deadline_before_the_task_year_is_refused_at_the_deadline(admin_client, admin, deadline):
    errors = refused(admin_client, new_task_data(admin, deadline=deadline), "deadline")
    assert errors == [f"检查截止日期（{deadline}）早于任务年度（2024年）的开始，请核对年度或截止日期。"]


@pytest.mark.parametrize("year", ["1999", "2101", "0", "20240"])
def test_a_year_outside_2000_to_2100_is_refused_at_the_year(admin_client, admin, year):
    errors = refused(admin_client, new_task_data(admin, year=year, deadline="2024-10-31"), "year")
    assert errors == ["年度应在2000年至2100年之间。"]


@pytest.mark.parametrize("year", ["-5", "二〇二四", "2024.5", ""])
def test_a_year_that_is_not_a_number_is_refused_at_the_year(admin_client, admin, year):
    assert refused(admin_client, new_task_data(admin, year=year), "year")


@pytest.mark.parametrize("year", ["2000", "2100"])
def test_the_bounds_of_the_year_are_accepted(admin_client, admin, year):
    data = new_task_data(admin, year=year, deadline=f"{year}-12-31")
    assert admin_client.post(reverse("randomcheck:task_create"), data).status_code == 302
    assert Task.objects.get(name="2024年度抽查").year == int(year)


def test_the_year_bound_holds_outside_the_form(admin):
    task = make_task(admin, year=1999, deadline=date(1999, 10, 31))
    with pytest.raises(ValidationError) as failure:
        task.full_clean()
    assert failure.value.message_dict["year"] == ["年度应在2000年至2100年之间。"]


# ---- seed contributions: outer blanks are refused, not trimmed ----


@pytest.mark.parametrize("value", [" 42", "42 ", "42\u3000", "\t42"])
def test_a_contribution_with_outer_blanks_is_refused_and_kept_as_typed(admin_client, admin, value):
    make_register({"xuchang-weidu": 4})
    task = services.freeze_candidates(make_task(admin), admin)
    response = admin_client.post(
        reverse("randomcheck:task_contribute", args=[task.pk]),
        {"contributor": "李明", "contributor_unit": "许昌市局", "value": value},
    )
    form = response.context["contribution_form"]
    assert response.status_code == 400
    assert any(m in form.errors["value"][0] for m in ("首尾不能有空格", "控制字符"))
    assert form["value"].value() == value
    assert not SeedContribution.objects.exists()


# ---- stale saves of the task form ----


@pytest.fixture
def two_admins(make_user):
    return two_people(make_user, User.Role.CITY_ADMIN, "xuchang")


def test_a_stale_task_save_is_refused_shows_their_change_and_keeps_what_was_typed(two_admins, admin):
    task = make_task(admin, load_cap=8)
    first, second = two_admins
    url = reverse("randomcheck:task_edit", args=[task.pk])
    mine, theirs = loaded(first, url), loaded(second, url)
    assert second.post(url, {**theirs, "load_cap": "10", "statuses": ["producing"]}).status_code == 302
    response = first.post(url, {**mine, "name": "2023年度抽查（修订）"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200 and "保存未成功：在您编辑期间，乙（" in page
    assert "每名检查人员最多检查户数：10 → 8" in page and "纳入的生产状态：在产 → 在产、停产" in page
    assert response.context["form"]["name"].value() == "2023年度抽查（修订）"
    task.refresh_from_db()
    assert (task.name, task.load_cap, task.statuses) == ("2023年度获证企业双随机抽查", 10, ["producing"])


def test_a_task_save_posted_twice_is_not_an_error(two_admins, admin):
    task = make_task(admin)
    first, _ = two_admins
    url = reverse("randomcheck:task_edit", args=[task.pk])
    data = {**loaded(first, url), "load_cap": "6"}
    assert first.post(url, data).status_code == 302 and first.post(url, data).status_code == 302
    task.refresh_from_db()
    assert task.load_cap == 6


def test_a_task_save_with_an_edited_version_is_refused(two_admins, admin):
    task = make_task(admin)
    first, _ = two_admins
    url = reverse("randomcheck:task_edit", args=[task.pk])
    response = first.post(url, {**loaded(first, url), "load_cap": "6", "version": "forged"})
    assert "无法确认本页载入时的内容" in response.content.decode()
    task.refresh_from_db()
    assert task.load_cap == 10
