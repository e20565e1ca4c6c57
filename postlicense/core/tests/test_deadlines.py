"""Deadlines in one place (DESIGN "Deadlines"; 民法典 第二百零一条、第二百零三条): periods in 日 with the last day moved
off rest days, periods in 工作日, dates in the year, and a city's own values."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postlicense.core import deadlines
from postlicense.core.models import DeadlineSetting, User
from postlicense.core.workdays import CalendarMissing, deadline_in_days

pytestmark = pytest.mark.django_db


def test_a_period_in_days_does_not_count_the_start_day():
    assert deadline_in_days(date(2024, 3, 4), 10) == date(2024, 3, 14)  # Monday + 10 = Thursday


def test_a_last_day_on_a_weekend_moves_to_monday():
    assert deadline_in_days(date(2024, 3, 6), 10) == date(2024, 3, 18)  # Saturday 3-16 → Monday 3-18


def test_national_day_2024_a_last_day_in_the_holiday_moves_past_it():
    """2024: 10-1..10-7 off (国办发明电〔2023〕7号); 10-8 is the next working day."""
    assert deadline_in_days(date(2024, 9, 20), 11) == date(2024, 10, 8)


def test_national_day_2024_an_adjusted_working_sunday_is_a_valid_last_day():
    """Sunday 2024-09-29 was worked: a period ending on it does not move."""
    assert deadline_in_days(date(2024, 9, 19), 10) == date(2024, 9, 29)


def test_national_day_2025_eight_days_off_and_an_adjusted_saturday():
    """2025: 10-1..10-8 off, Sun 9-28 and Sat 10-11 worked (国办发明电〔2024〕12号)."""
    assert deadline_in_days(date(2025, 9, 20), 12) == date(2025, 10, 9)
    assert deadline_in_days(date(2025, 10, 1), 10) == date(2025, 10, 11)
    assert deadline_in_days(date(2025, 9, 18), 10) == date(2025, 9, 28)


def test_a_period_ending_in_a_year_without_calendar_data_is_refused():
    with pytest.raises(CalendarMissing, match="缺少2045年"):
        deadline_in_days(date(2045, 1, 5), 30)


def test_a_period_of_no_days_is_refused():
    with pytest.raises(ValidationError):
        deadline_in_days(date(2024, 3, 4), 0)


def test_due_names_its_period_and_runs_from_the_event():
    result = deadlines.due("rectification", date(2025, 9, 1))  # 30 日 from service: 10-1 in the holiday → 10-9
    assert result.date == date(2025, 10, 9)
    assert result.text == "2025-10-09（送达后30日）"


def test_working_day_periods_count_with_the_calendar():
    """revisit: 10 工作日 after the deadline (DESIGN, choice); across 2025's National Day, counting the worked
    Sunday 9-28 and Saturday 10-11."""
    assert deadlines.due("revisit", date(2025, 9, 26)).date == date(2025, 10, 16)


def test_a_period_may_be_given_its_own_length_for_one_deadline():
    assert deadlines.due("lab_report", date(2024, 3, 1), n=5).date == date(2024, 3, 8)
    with pytest.raises(ValidationError):
        deadlines.due("lab_report", date(2024, 3, 1), n=0)


def test_a_missing_start_date_is_a_clear_error():
    with pytest.raises(ValidationError, match="起始日期"):
        deadlines.due("rectification", None)


def test_an_annual_date_moves_off_a_rest_day():
    """完成情况汇总表 due 6-25 (塔城监督检查计划 八): 2022-06-25 was a Saturday → Monday 6-27."""
    assert deadlines.Deadlines().annual("summary_midyear", 2022).date == date(2022, 6, 27)
    assert deadlines.Deadlines().annual("summary_yearend", 2024).date == date(2024, 10, 30)


def test_every_default_has_a_basis_and_a_valid_value():
    for key, period in deadlines.PERIODS.items():
        assert period.basis, key
        deadlines.check_n(period.unit, period.n)


def test_a_city_admin_sets_the_citys_value_and_its_counties_use_it(make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    deadlines.set_period(admin, "rectification", 45, "本局规定（2026年第3次局务会）")
    county = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    county_deadlines = deadlines.Deadlines(county.org_unit.region_id)
    assert county_deadlines.period("rectification").n == 45
    assert county_deadlines.due("rectification", date(2024, 3, 1)).text == "2024-04-15（送达后45日）"
    assert deadlines.Deadlines("110101").period("rectification").n == 30  # another city keeps the default


def test_only_a_city_admin_may_set_a_value(make_user):
    with pytest.raises(PermissionDenied):
        deadlines.set_period(make_user(User.Role.COUNTY_STAFF), "rectification", 45, "本局规定")
    assert not DeadlineSetting.objects.exists()


@pytest.mark.parametrize(
    ("key", "n", "basis", "message"),
    [
        ("rectification", 0, "本局规定", "天数"),
        ("summary_midyear", 1340, "本局规定", "月日"),
        ("rectification", 30, "  ", "依据"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(make_user, key, n, basis, message):
    with pytest.raises(ValidationError, match=message):
        deadlines.set_period(make_user(User.Role.CITY_ADMIN, "xuchang"), key, n, basis)
    assert not DeadlineSetting.objects.exists()


def test_the_settings_page_shows_every_period_and_edits_the_citys_value(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    client.force_login(admin)
    page = client.get("/core/deadlines/").content.decode()
    assert "整改期限（检查发现问题）" in page and "抽查办法 第四十六条" in page
    form = client.get("/core/deadlines/rectification/")
    assert form.status_code == 200
    bad = client.post("/core/deadlines/rectification/", {"n": "0", "basis": "本局规定"})
    assert bad.status_code == 200 and "天数应为 1 到 3650" in bad.content.decode()
    assert not DeadlineSetting.objects.exists()
    ok = client.post("/core/deadlines/rectification/", {"n": "40", "basis": "本局规定"})
    assert ok.status_code == 302
    assert DeadlineSetting.objects.get().n == 40


def test_two_admins_editing_one_value_the_later_stale_save_is_refused(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    client.force_login(admin)
    client.post("/core/deadlines/rectification/", {"n": "40", "basis": "本局规定"})
    page = client.get("/core/deadlines/rectification/").content.decode()
    version = page.split('name="version" value="')[1].split('"')[0]
    deadlines.set_period(make_user(User.Role.CITY_ADMIN, "xuchang"), "rectification", 50, "本局规定（修订）")
    stale = client.post("/core/deadlines/rectification/", {"n": "35", "basis": "本局规定", "version": version})
    assert stale.status_code == 200 and "已修改并保存" in stale.content.decode()
    assert DeadlineSetting.objects.get().n == 50


def test_county_staff_see_the_settings_but_cannot_edit(client, make_user):
    client.force_login(make_user(User.Role.COUNTY_STAFF))
    assert client.get("/core/deadlines/").status_code == 200
    assert client.get("/core/deadlines/rectification/").status_code == 403
    assert client.post("/core/deadlines/rectification/", {"n": "5", "basis": "x"}).status_code == 403
