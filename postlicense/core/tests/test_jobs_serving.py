"""Serving (issue 12 §1): /healthz for a load balancer, and `postlicense serve`'s two processes stopping together."""

import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError
from django.utils import timezone

from postlicense.core.jobs import selectors, worker
from postlicense.core.jobs.models import WorkerHeartbeat
from postlicense.core.jobs.supervisor import supervise


@pytest.fixture
def live_worker(db):
    worker.beat("test-host:1")


def test_healthz_is_200_when_the_database_answers_the_schema_is_current_and_a_worker_is_alive(client, live_worker):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": []} and body["checks"]["worker"]["ok"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_without_a_live_worker(client, db):
    assert client.get("/healthz").status_code == 503
    WorkerHeartbeat.objects.create(worker_id="gone", hostname="h", pid=1, seen_at=timezone.now() - timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["worker"] == {"ok": False, "last_heartbeat": None}


def test_healthz_is_503_with_unapplied_migrations(client, live_worker, monkeypatch):
    monkeypatch.setattr(selectors, "unapplied_migrations", lambda: ["core.0099_future"])
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["migrations"]["unapplied"] == ["core.0099_future"]


def test_healthz_is_503_when_the_database_is_unreachable(client, live_worker, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(selectors, "ping_database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": {"ok": False, "error": "OperationalError: connection refused"}}


def test_the_keeper_beats_and_forgets_workers_silent_for_a_day(db):
    old = WorkerHeartbeat.objects.create(worker_id="old", hostname="h", pid=1, seen_at=timezone.now() - timedelta(2))
    worker.beat("w1")
    worker.beat("w1")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w1"] and old.worker_id == "old"
    assert selectors.live_worker().worker_id == "w1"


def test_serve_stops_the_other_process_and_what_it_started_when_one_ends(tmp_path):
    grandchild = tmp_path / "pid"
    started = time.monotonic()
    code = supervise(
        [
            [sys.executable, "-c", "import sys, time; time.sleep(1); sys.exit(3)"],
            ["sh", "-c", f"sleep 30 & echo $! > {grandchild}; wait"],
        ],
        grace=5,
    )
    assert code == 3 and time.monotonic() - started < 10
    time.sleep(0.2)
    stat = Path(f"/proc/{grandchild.read_text().strip()}/stat")  # like gunicorn's workers or runserver's child
    assert not stat.exists() or stat.read_text().split()[2] == "Z", "the grandchild is gone (or a zombie)"


def test_serve_runs_the_worker_at_a_lower_cpu_priority_than_the_web_server(monkeypatch):
    """The worker must not starve the pages (issue 12 item 7): it is started with `--nice 10`, gunicorn as is."""
    from django.core.management import call_command

    from postlicense.core.management.commands import serve

    started = []
    monkeypatch.setattr(serve, "supervise", lambda commands: started.extend(commands) or 0)
    with pytest.raises(SystemExit):
        call_command("serve", "127.0.0.1:8123")
    web, worker = started
    assert "gunicorn" in web and "--nice" not in web
    assert worker[-3:] == ["worker", "--nice", "10"]
