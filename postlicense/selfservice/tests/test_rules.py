"""The filing rules of the annual self-report (001 二(二): enterprises submit yearly; DESIGN: window 1 Jan–30 Jun,
an enterprise licensed less than a year reports the next year)."""

from datetime import date

import pytest

from postlicense.selfservice import rules


def test_a_license_issued_during_the_year_reports_from_the_next_year():
    # 001 二(二), DESIGN: licensed less than a year → reports the next year
    assert rules.first_report_year(date(2025, 3, 1)) == 2026
    assert not rules.obliged(date(2025, 3, 1), 2025)
    assert rules.obliged(date(2025, 3, 1), 2026)


def test_a_license_held_the_whole_year_reports_that_year():
    assert rules.first_report_year(date(2025, 1, 1)) == 2025
    assert rules.obliged(date(2022, 6, 1), 2025)
    assert not rules.obliged(None, 2025)


def test_the_window_runs_from_new_year_to_its_end_inclusive():
    end = date(2026, 6, 30)
    assert not rules.in_window(2025, date(2025, 12, 31), end)
    assert rules.in_window(2025, date(2026, 1, 1), end)
    assert rules.in_window(2025, end, end)
    assert not rules.in_window(2025, date(2026, 7, 1), end)


def test_on_time_is_by_the_window_end():
    # 000 附件2 item 1: 是否按时提交了年度自查报告
    assert rules.on_time(date(2026, 6, 30), date(2026, 6, 30))
    assert not rules.on_time(date(2026, 7, 1), date(2026, 6, 30))
    assert not rules.on_time(None, date(2026, 6, 30))


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "@cmd", "-2+3", '=HYPERLINK("http://x")'])
def test_formula_looking_values(text):
    assert rules.looks_like_formula(text)


@pytest.mark.parametrize("text", ["", "无", "正常生产", "-5", "+86", "12.5"])
def test_ordinary_values_are_not_formulas(text):
    assert not rules.looks_like_formula(text)
