"""Working-day calendar (issue: foundation §6; 003 六(二): results published within 20 working days)."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from postlicense.core.models import CalendarDay, CalendarYear
from postlicense.core.workdays import CalendarMissing, add_working_days, working_days_between

pytestmark = pytest.mark.django_db


def test_national_day_2023_with_adjusted_weekend():
    """2023: 9-29..10-6 off, Sat 10-7 and Sun 10-8 worked (国办发明电〔2022〕16号)."""
    assert add_working_days(date(2023, 9, 25), 20) == date(2023, 10, 27)


def test_national_day_2024_with_adjusted_sunday():
    """2024: Sun 9-29 worked, 10-1..10-7 off (国办发明电〔2023〕7号)."""
    assert add_working_days(date(2024, 9, 27), 5) == date(2024, 10, 10)


def test_plain_week():
    assert add_working_days(date(2024, 3, 8), 1) == date(2024, 3, 11)  # Friday → Monday


def test_between_counts_after_start_up_to_end():
    assert working_days_between(date(2023, 9, 25), date(2023, 10, 27)) == 20
    assert working_days_between(date(2023, 10, 27), date(2023, 9, 25)) == 0


def test_year_without_data_raises_never_counts_weekends():
    with pytest.raises(CalendarMissing, match="缺少2045年"):
        add_working_days(date(2045, 1, 5), 1)
    with pytest.raises(CalendarMissing, match="缺少2027年"):
        add_working_days(date(2026, 12, 30), 5)


def test_answer_inside_known_year_needs_no_later_data():
    last = CalendarYear.objects.order_by("-year").first().year
    assert add_working_days(date(last, 12, 1), 3).year == last


def test_seeded_years_cover_the_package():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(range(2004, 2027)) <= years


def test_non_positive_days_rejected():
    with pytest.raises(ValidationError):
        add_working_days(date(2024, 1, 2), 0)


def test_import_command_adds_a_year(tmp_path):
    csv_file = tmp_path / "2031.csv"
    csv_file.write_text("日期,类型,名称\n2031-01-01,休,元旦\n2031-01-04,班,元旦\n", encoding="utf-8")
    call_command("import-calendar", str(csv_file), year=2031, stdout=io.StringIO())
    assert CalendarDay.objects.get(date=date(2031, 1, 4)).kind == "workday"
    assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 4)  # Friday → the adjusted Saturday


def test_import_command_reports_every_bad_line_and_writes_nothing(tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("2031-01-01,休,元旦\n2031-13-01,休,x\n2030-12-31,休,x\n2031-01-02,放假,x\n", encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("import-calendar", str(csv_file), year=2031)
    message = str(err.value)
    assert "第2行" in message and "第3行" in message and "第4行" in message
    assert not CalendarYear.objects.filter(year=2031).exists()


def test_api_add_working_days(client):
    response = client.get("/api/v1/calendar/add-working-days", {"start": "2023-09-25", "days": 20})
    assert response.status_code == 200 and response.json() == {"date": "2023-10-27"}


def test_api_rejects_bad_input_in_chinese(client):
    response = client.get("/api/v1/calendar/add-working-days", {"start": "2023/09/25", "days": 20})
    assert response.status_code == 400 and "YYYY-MM-DD" in response.json()["start"][0]
    response = client.get("/api/v1/calendar/add-working-days", {"start": "2045-01-01", "days": 5})
    assert response.status_code == 400 and "缺少2045年" in response.json()["detail"]
