"""The daily run (issue 12 §3): each daily command runs once a day however many schedulers ask, its result
and duration recorded and shown to superusers and city admins."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from postlicense.core.jobs import scheduler, worker
from postlicense.core.jobs.models import DailyRun
from postlicense.core.models import User


@pytest.fixture(autouse=True)
def anchor_file(settings, tmp_path):
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "anchors.jsonl")
    return tmp_path / "anchors.jsonl"


def test_two_schedulers_on_one_day_run_the_daily_work_once(make_user, anchor_file):
    make_user()  # an audited change, so the chain has a tip to anchor
    first = scheduler.run_daily(date(2026, 10, 28), runner="web-1")
    second = scheduler.run_daily(date(2026, 10, 28), runner="worker-2")
    assert [run.name for run in first] == list(scheduler.DAILY_COMMANDS) and second == []
    assert DailyRun.objects.filter(date=date(2026, 10, 28)).count() == len(scheduler.DAILY_COMMANDS)
    assert {run.status for run in first} == {DailyRun.Status.DONE} and {run.runner for run in first} == {"web-1"}
    assert "已写入" in first[0].result and first[0].name == "audit-anchor"
    assert len(anchor_file.read_text().splitlines()) == 1, "audit-anchor wrote one anchor, not two"
    assert [run.name for run in scheduler.run_daily(date(2026, 10, 29))] == list(scheduler.DAILY_COMMANDS)


def test_a_failing_daily_command_is_recorded_and_the_others_still_run(db, monkeypatch):
    monkeypatch.setattr(scheduler, "DAILY_COMMANDS", {"no-such-command": "不存在", "clearsessions": "清理会话"})
    failed, done = scheduler.run_daily(date(2026, 10, 28))
    assert failed.status == DailyRun.Status.FAILED and "运行失败：CommandError" in failed.result
    assert done.status == DailyRun.Status.DONE and done.duration is not None


def test_the_daily_run_starts_after_its_time_of_day(settings):
    settings.JOBS = {**settings.JOBS, "DAILY_AT": "01:30"}
    tz = timezone.get_current_timezone()
    assert not scheduler.is_due(datetime(2026, 10, 28, 1, 29, tzinfo=tz))
    assert scheduler.is_due(datetime(2026, 10, 28, 1, 30, tzinfo=tz))


def test_the_worker_keeper_runs_the_daily_work_when_due(db, settings):
    settings.JOBS = {**settings.JOBS, "DAILY_AT": "00:00"}
    worker.keep("w1")
    worker.keep("w2")
    assert DailyRun.objects.filter(date=timezone.localdate()).count() == len(scheduler.DAILY_COMMANDS)
    assert set(DailyRun.objects.values_list("runner", flat=True)) == {"w1"}


def test_the_daily_page_shows_each_tasks_last_run_to_city_admins_only(client, make_user):
    scheduler.run_daily(timezone.localdate())
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    page = client.get("/jobs/daily/").content.decode()
    for label in scheduler.DAILY_COMMANDS.values():
        assert label in page
    assert page.count("成功") >= len(scheduler.DAILY_COMMANDS) and "近期未运行" not in page
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    assert client.get("/jobs/daily/").status_code == 403
