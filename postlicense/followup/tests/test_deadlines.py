"""Order deadlines and revisit due dates around the 2024 and 2025 National Day holidays. A period in 日 does not count
its first day and a last day on a holiday moves to the next working day (民法典 第二百零一条、第二百零三条); the revisit
counts working days, including the make-up working weekends (调休)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from postlicense.core.models import User
from postlicense.followup import services
from postlicense.followup.models import RectificationOrder

from .helpers import issued_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


def serve(order, by, day):
    return services.serve_order(order, by=by, served_on=day, method="direct", receiver="张三", today=date(2026, 11, 30))


@pytest.mark.parametrize(
    "served_on, deadline",
    [
        # 2024: 10-01..10-07 off; served 09-07 + 30 日 = 10-07 (holiday) → 10-08 (民法典 第二百零三条)
        (date(2024, 9, 7), date(2024, 10, 8)),
        # 2025: 10-01..10-08 off (国庆 and 中秋); served 09-01 + 30 日 = 10-01 → 10-09
        (date(2025, 9, 1), date(2025, 10, 9)),
        # a last day that is a working day stays: 2025-08-01 + 30 日 = 08-31 (Sunday) → 09-01
        (date(2025, 8, 1), date(2025, 9, 1)),
    ],
)
def test_the_order_deadline_moves_off_the_national_day_holiday(staff, served_on, deadline):
    order = serve(issued_order(staff, issued_on=served_on), staff, served_on)
    assert order.deadline == deadline
    assert order.deadline_text == f"整改期限 {deadline:%Y-%m-%d}（送达后30日）"


@pytest.mark.parametrize(
    "served_on, deadline, revisit_due",
    [
        # deadline Fri 2024-09-27; 10 工作日 count the make-up Sunday 09-29 and Saturday 10-12: → 10-16
        (date(2024, 8, 28), date(2024, 9, 27), date(2024, 10, 16)),
        # deadline Fri 2025-09-26; make-up Sunday 09-28 and Saturday 10-11 count: → 10-16
        (date(2025, 8, 27), date(2025, 9, 26), date(2025, 10, 16)),
    ],
)
def test_the_revisit_falls_due_ten_working_days_after_the_deadline_across_the_holiday(
    staff, served_on, deadline, revisit_due
):
    order = serve(issued_order(staff, issued_on=served_on), staff, served_on)
    assert (order.deadline, order.revisit_due) == (deadline, revisit_due)
    assert order.revisit_due_text == f"复查期限 {revisit_due:%Y-%m-%d}（整改期满后10工作日）"


def test_after_a_failed_test_the_recheck_is_due_75_days_from_the_order_moved_off_the_holiday(staff):
    # 抽查办法 第四十七条: 2025-07-18 + 75 日 = 2025-10-01 (holiday) → 2025-10-09
    order = issued_order(staff, issued_on=date(2025, 7, 18), period_key=RectificationOrder.Period.AFTER_TEST)
    order = serve(order, staff, date(2025, 7, 20))
    assert order.revisit_due == date(2025, 10, 9)
    assert order.deadline == date(2025, 9, 18)  # 60 日 after service (抽查办法 第四十六条)


def test_a_deadline_in_a_year_without_calendar_data_is_refused_at_the_service_date(staff):
    # served 2026-11-25 + 60 日 falls in 2027, for which the calendar is not published: refused, nothing saved
    order = issued_order(staff, issued_on=date(2026, 11, 20), period_key=RectificationOrder.Period.AFTER_TEST)
    with pytest.raises(ValidationError) as exc:
        serve(order, staff, date(2026, 11, 25))
    assert "2027" in " ".join(exc.value.message_dict["served_on"])
    order.refresh_from_db()
    assert order.served_on is None and order.deadline is None
