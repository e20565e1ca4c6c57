"""The job worker process: django-tasks-db's worker loop, plus a keeper thread that says the worker is alive
(/healthz), queues again the jobs of workers that died (services.recover_expired) and starts the daily run."""

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone

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
    services.recover_expired(now)
    if scheduler.is_due(now):
        scheduler.run_daily(runner=worker_id)


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
