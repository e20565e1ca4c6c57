"""To-do lists and daily reminders (DESIGN "Deadlines": soonest first, overdue by date, reminders in-app and by a
pluggable sender, once a day)."""

from datetime import date

import pytest
from django.core import mail

from postlicense.core import reminders, todo
from postlicense.core.models import Notification, User
from postlicense.core.todo import TodoGroup, TodoItem, TodoList

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 10)


def _groups():
    return [
        TodoGroup(
            "待送达的责令改正通知书",
            total=3,
            overdue=1,
            items=[TodoItem("甲", "/a", date(2026, 6, 20)), TodoItem("乙", "/b", date(2026, 6, 1), "期限 6-1")],
        ),
        TodoGroup("待复查", total=1, items=[TodoItem("丙", "/c", None), TodoItem("丁", "/d", date(2026, 6, 12))]),
    ]


def test_items_are_merged_overdue_first_then_soonest_and_undated_last():
    todo_list = TodoList(TODAY, _groups())
    assert [item.title for item, _ in todo_list.items()] == ["乙", "丁", "甲", "丙"]
    assert (todo_list.total, todo_list.overdue) == (4, 1)


def test_the_reminder_names_overdue_and_soon_due_items_with_their_deadline():
    title, body = reminders.digest(TodoList(TODAY, _groups()), days_ahead=3)
    assert title == "待办提醒：2 项临近期限，其中 1 项已逾期"
    assert body.splitlines() == ["【已逾期】待送达的责令改正通知书：乙（期限 6-1）", "待复查：丁（期限 2026-06-12）"]
    assert reminders.digest(TodoList(TODAY, _groups()[1:2]), days_ahead=1) is None


@pytest.fixture
def fake_todo(monkeypatch):
    monkeypatch.setattr(reminders, "todo_for", lambda user, today=None: TodoList(today or TODAY, _groups()))


def test_reminders_go_out_once_a_day_in_app_and_by_email_when_set(make_user, fake_todo, settings):
    settings.REMINDER_SENDERS = ["postlicense.core.reminders.EmailSender"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = make_user(email="staff@example.cn")
    silent = make_user()  # no address: in-app only
    assert reminders.send_reminders(TODAY, users=[user, silent]) == 2
    assert reminders.send_reminders(TODAY, users=[user, silent]) == 0  # the same day again: nothing new
    assert Notification.objects.filter(user=user, day=TODAY).count() == 1
    assert [m.to for m in mail.outbox] == [["staff@example.cn"]]


def test_the_todo_page_lists_groups_and_unread_reminders(client, make_user, monkeypatch):
    monkeypatch.setattr("postlicense.core.views.todo_for", lambda user, today=None: TodoList(TODAY, _groups()))
    user = make_user()
    Notification.objects.create(user=user, day=TODAY, title="待办提醒：2 项临近期限", body="…")
    client.force_login(user)
    page = client.get("/core/todo/").content.decode()
    assert "待送达的责令改正通知书" in page and "已逾期 1 项" in page and "待办提醒：2 项临近期限" in page
    assert page.count('class="list fit"') == 2  # both tables fill a phone's width (app.css table.list.fit)
    client.post("/core/notifications/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_a_user_without_any_app_items_has_an_empty_list(make_user):
    assert todo.todo_for(make_user(User.Role.INSPECTOR, None), TODAY).groups == []


def test_the_daily_run_reads_the_calendar_and_deadline_settings_once_for_all_users(make_user):
    """The run builds every user's to-do (reports' due dates among them, from the holiday calendar and the deadline
    settings): those are shared reads, so more users of one county add none of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def shared_queries(n):
        users = [make_user(User.Role.COUNTY_STAFF, "xuchang-weidu") for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            reminders.send_reminders(TODAY, users=users)
        tables = ('"core_calendaryear"', '"core_calendarday"', '"core_deadlinesetting"')
        return len([q for q in queries if any(t in q["sql"] for t in tables)])

    assert shared_queries(1) == shared_queries(4) == 3
