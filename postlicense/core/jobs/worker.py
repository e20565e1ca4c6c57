"""The job worker process: django-tasks-db's worker loop, plus a keeper thread that says the worker is alive
(/healthz), closes the queue rows of workers that died, queues again their jobs (services.recover_expired,
recover_pending) and starts the daily run."""

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import scheduler, services
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)
KEEPER_SECONDS = 10


def beat(worker_id, now=None):
    """Record this worker's heartbeat; forget workers silent for a day."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now, "hostname": socket.gethostname()[:100], "pid": os.getpid()},
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()


def keep(worker_id, now=None):
    """One round of the keeper's duties."""
    beat(worker_id, now)
    close_dead_workers_tasks(now)
    services.recover_expired(now)
    services.recover_pending(now)
    if scheduler.is_due(now):
        scheduler.run_daily(runner=worker_id)


def close_dead_workers_tasks(now=None):
    """django-tasks-db leaves a task RUNNING for ever when its worker dies (SIGKILL, power loss), so its row is
    never pruned and reads as running. A running task whose worker has no live heartbeat (and that started
    longer ago than a heartbeat may be late) is closed as FAILED: `prune_db_task_results` then removes it with
    the other finished rows, and `services.recover_pending` sees that its job, if never claimed, needs queueing."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOBS["WORKER_STALE_SECONDS"])
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=stale).values_list("worker_id", flat=True))
    closed = []
    for task in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=stale):
        if task.worker_ids and task.worker_ids[-1] in alive:
            continue
        updated = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{__name__}.WorkerDied",
            traceback=f"worker {task.worker_ids[-1] if task.worker_ids else '?'} stopped sending heartbeats",
        )
        if updated:
            closed.append(task.pk)
    return closed


class WorkerDied(Exception):
    """Named as the failure of a queued task whose worker died while running it (close_dead_workers_tasks)."""


def rq_worker(worker_id, worker_class="rq.worker.SimpleWorker"):
    """The worker of a queue on Redis (TASKS_BACKEND=django_tasks_rq.RQBackend): django-rq's, running django-tasks
    jobs (django_tasks_rq.Job) in this process, one at a time, like the database backend's worker."""
    from django_rq import get_worker

    return get_worker("default", job_class="django_tasks_rq.Job", worker_class=worker_class, name=worker_id)


class Keeper(threading.Thread):
    """Runs `keep` every KEEPER_SECONDS for as long as the worker process lives."""

    def __init__(self, worker_id):
        super().__init__(name="job-keeper", daemon=True)
        self.worker_id = worker_id

    def run(self):
        while True:
            close_old_connections()
            try:
                keep(self.worker_id)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the keeper; the next round retries
                logger.exception("job keeper round failed")
            time.sleep(KEEPER_SECONDS)
