"""Reads for the jobs pages, the daily-run page and /healthz."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from postlicense.core.scoping import get_scoped_or_404

from .models import DailyRun, Job, WorkerHeartbeat
from .scheduler import DAILY_COMMANDS


def jobs_for(user):
    return Job.objects.for_user(user).select_related("created_by")


def job_for(user, pk):
    return get_scoped_or_404(Job.objects.select_related("retry_of", "created_by"), user, pk=pk)


def daily_overview(days=14):
    """Each daily task with its last run, and the runs of the last `days` days (newest first)."""
    runs = list(DailyRun.objects.filter(date__gte=timezone.localdate() - timedelta(days=days)))
    last = {}
    for run in runs:
        run.label = DAILY_COMMANDS.get(run.name, run.name)
        last.setdefault(run.name, run)
    tasks = [{"name": name, "label": label, "last": last.get(name)} for name, label in DAILY_COMMANDS.items()]
    return tasks, runs


def ping_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def live_worker(now=None):
    """The newest heartbeat of a job worker if it is recent enough to count as alive, else None."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOBS["WORKER_STALE_SECONDS"])
    return WorkerHeartbeat.objects.filter(seen_at__gte=stale).order_by("-seen_at").first()


_schema_current = []  # once true for this process: reading every migration file takes seconds


def unapplied_migrations():
    """Names of migrations on disk not applied to the database (empty when the schema is current)."""
    if _schema_current:
        return []
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    if not pending:
        _schema_current.append(True)
    return pending
