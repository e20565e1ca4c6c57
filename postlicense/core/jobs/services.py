"""Writes to jobs: start, claim under a lease, run, finish, retry, recover the jobs of a dead worker
(a running one whose lease expired, or a pending one whose queued task a dead worker took and never ran).

The lease is the rule that makes a job run once: a worker may run a job only while it holds the job's
unexpired lease (lease_owner + lease_expires_at), taken in a transaction and renewed by a heartbeat thread
and by every progress report. A worker that dies stops renewing; once the lease has expired,
`recover_expired` queues the job again and the next worker claims it. A worker that was only thought dead
loses the lease to its successor and stops at its next progress report (LeaseLost), so its result is never
recorded over the successor's. Handlers must therefore be safe to run again after a partial run: the imports
are (rows are matched by credit code, license number and 执法证号, so a rerun writes each record once).
"""

import logging
import os
import socket
import threading
from contextlib import nullcontext
from datetime import timedelta
from pathlib import PurePosixPath
from secrets import token_hex

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from postlicense.core.uploads import discard_file

from .models import Job

logger = logging.getLogger(__name__)

HANDLERS = {
    Job.Kind.IMPORT_ENTERPRISES: "postlicense.registry.services.run_import",
    Job.Kind.IMPORT_INSPECTORS: "postlicense.registry.services.run_import",
    Job.Kind.RANDOMCHECK_FREEZE: "postlicense.randomcheck.jobs.run_step",
    Job.Kind.RANDOMCHECK_DRAW: "postlicense.randomcheck.jobs.run_step",
    Job.Kind.RANDOMCHECK_MATCH: "postlicense.randomcheck.jobs.run_step",
    Job.Kind.RANDOMCHECK_DISPATCH: "postlicense.randomcheck.jobs.run_step",
    Job.Kind.EXPORT_ENTERPRISES: "postlicense.registry.exporting.run_enterprise_export",
    Job.Kind.EXPORT_INSPECTORS: "postlicense.inspectors.exporting.run_inspector_export",
    Job.Kind.RANDOMCHECK_EXPORT: "postlicense.randomcheck.jobs.run_export",
    Job.Kind.RANDOMCHECK_PRINT: "postlicense.randomcheck.jobs.run_print",
    Job.Kind.SELFREPORT_IMPORT: "postlicense.selfservice.importing.run_job",
}
# Where a user reads a job's outcome: a page of the app that owns the work, or the generic job page.
RESULT_PAGES = {
    Job.Kind.IMPORT_ENTERPRISES: "registry:import_job",
    Job.Kind.IMPORT_INSPECTORS: "registry:import_job",
    Job.Kind.SELFREPORT_IMPORT: "selfservice:import_job",
}
MAX_ATTEMPTS = 3


class JobInputError(Exception):
    """Bad input: the job ends 校验未通过 with these errors ([{row, column, message}]) and has written nothing."""

    def __init__(self, errors, total=None):
        super().__init__(errors[0]["message"] if errors else "")
        self.errors, self.total = errors, total


class JobFailed(Exception):
    """The handler's own Chinese account of why it stopped (shown to the user as the failure reason)."""


class LeaseLost(Exception):
    """Another worker has taken this job over (our lease expired): stop without recording anything."""


def export_runs_as_job(rows):
    """An export of this many rows is written by a job (settings.JOBS["EXPORT_ROWS"]), not in the request."""
    return rows >= settings.JOBS["EXPORT_ROWS"]


def counting(rows, progress, every=500):
    """Pass `rows` through, reporting each `every`th to the job's `progress` (the bar while a file is written)."""
    n = 0
    for n, row in enumerate(rows, start=1):
        if n % every == 0:
            progress(n)
        yield row
    progress(n)


def save_output(job, filename, content):
    """Store the file a job wrote (an export, a batch print) as its result, downloaded from the job's page."""
    job.output.save(f"job-{job.pk}{PurePosixPath(filename).suffix}", ContentFile(content), save=False)
    Job.objects.filter(pk=job.pk).update(output=job.output.name, output_name=filename[:200])


def purge_outputs(now=None):
    """Delete result files of jobs that finished over IMPORT_FILE_RETENTION_DAYS ago (exports hold personal
    data; the job and its result stay). Returns how many files went; run again, it finds nothing more."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    count = 0
    for job in Job.objects.exclude(output="").filter(finished_at__lt=cutoff).iterator():
        job.output.delete(save=False)
        Job.objects.filter(pk=job.pk).update(output="")
        count += 1
    return count


def lease_seconds():
    return settings.JOBS["LEASE_SECONDS"]


def result_page(job):
    return RESULT_PAGES.get(job.kind, "jobs:detail"), [job.pk]


def start(user, kind, *, upload=None, input=None, inline=False):
    """Record a job and queue it; `inline` runs it in this request instead (small inputs the user waits for)."""
    job = Job.objects.create(
        kind=kind,
        input=input or {},
        file=upload,
        filename=upload.name[:200] if upload else "",
        created_by=user,
    )
    if inline:
        execute(job.pk, heartbeat=False)
        job.refresh_from_db()
    else:
        enqueue(job)
    return job


def enqueue(job):
    """Queue `tasks.run_job` once the job row is committed (a worker must be able to read it)."""
    from .tasks import run_job

    def send():
        Job.objects.filter(pk=job.pk).update(task_id=str(run_job.enqueue(job.pk).id))

    transaction.on_commit(send)


def retry(job, user):
    """A failed job runs again as a new job with the same input; asking twice gives the same new job."""
    if job.status != Job.Status.FAILED:
        raise JobFailed("只有运行失败的任务可以重试。")
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        existing = locked.retries.order_by("pk").first()
        if existing:
            return existing
        again = Job.objects.create(
            kind=job.kind,
            input=job.input,
            file=job.file.name,
            filename=job.filename,
            created_by=user,
            retry_of=job,
        )
        enqueue(again)
    return again


def claim(job_id, owner, now=None):
    """Take the job's lease for `owner`; None when it is finished, or running under another live lease."""
    now = now or timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        if job.status == Job.Status.RUNNING and job.lease_expires_at and job.lease_expires_at > now:
            return None
        if job.attempts >= MAX_ATTEMPTS:
            _close(job, Job.Status.FAILED, now, message=_gave_up(job.attempts))
            return None
        job.status, job.lease_owner, job.attempts = Job.Status.RUNNING, owner, job.attempts + 1
        job.lease_expires_at = now + timedelta(seconds=lease_seconds())
        job.started_at = job.started_at or now
        job.save(update_fields=["status", "lease_owner", "attempts", "lease_expires_at", "started_at"])
        return job


def _gave_up(attempts):
    return (
        f"任务已中断 {attempts} 次（运行它的进程意外退出），不再自动重新运行。"
        "请点击“重试”再次运行；若仍中断，请联系系统管理员查看任务进程日志。"
    )


def _close(job, status, now, **values):
    values = {"status": status, "finished_at": now, "lease_expires_at": None, **values}
    for key, value in values.items():
        setattr(job, key, value)
    Job.objects.filter(pk=job.pk).update(**values)


def new_owner():
    """This execution's name: host, process and a random part (two threads of one process differ too)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{token_hex(4)}"


class Progress:
    """The handler's progress callback: stores the count (and phase) and renews the lease while it holds it."""

    def __init__(self, job, owner):
        self.job, self.owner = job, owner

    def __call__(self, processed=None, total=None, phase=None):
        values = {"lease_expires_at": timezone.now() + timedelta(seconds=lease_seconds())}
        for key, value in (("processed", processed), ("total", total), ("phase", phase)):
            if value is not None:
                values[key] = value
                setattr(self.job, key, value)
        if not Job.objects.filter(pk=self.job.pk, lease_owner=self.owner).update(**values):
            raise LeaseLost(self.job.pk)


class Heartbeat:
    """Renews the lease from a thread while a long step runs without reporting progress."""

    def __init__(self, job, owner):
        self.job, self.owner, self.stop = job, owner, threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job.pk}-heartbeat", daemon=True)

    def _beat(self):
        try:
            while not self.stop.wait(lease_seconds() / 3):
                try:
                    Job.objects.filter(pk=self.job.pk, lease_owner=self.owner).update(
                        lease_expires_at=timezone.now() + timedelta(seconds=lease_seconds())
                    )
                except DatabaseError:  # a dropped connection or a lock: the next beat tries again
                    logger.warning("job %s: lease renewal failed, retrying", self.job.pk, exc_info=True)
                    connection.close()
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def execute(job_id, heartbeat=True):
    """Claim the job and run its handler; record its result, its input errors, or why it failed."""
    owner = new_owner()
    job = claim(job_id, owner)
    if job is None:
        return None
    progress = Progress(job, owner)
    with Heartbeat(job, owner) if heartbeat else nullcontext():
        try:
            result = import_string(HANDLERS[job.kind])(job, progress)
        except LeaseLost:
            logger.warning("job %s: lease lost to another worker, stopping", job.pk)
            return None
        except JobInputError as exc:
            values = {"errors": exc.errors} | ({"total": exc.total} if exc.total is not None else {})
            discard_file(job)  # a rejected upload is not kept (issue 11 item 1)
            return _finish(job, owner, Job.Status.INVALID, **values)
        except JobFailed as exc:
            return _finish(job, owner, Job.Status.FAILED, message=str(exc))
        except Exception as exc:  # noqa: BLE001 - the job must end with a readable state whatever went wrong
            logger.exception("job %s failed", job.pk)
            return _finish(job, owner, Job.Status.FAILED, message=failure_message(exc))
    return _finish(job, owner, Job.Status.DONE, result=result or {}, processed=job.total)


def failure_message(exc):
    return (
        f"任务运行出错，已停止（技术信息：{type(exc).__name__}: {exc}）。"
        "请点击“重试”再次运行；若仍失败，请联系系统管理员。"
    )


def _finish(job, owner, status, **values):
    now = timezone.now()
    values = {"status": status, "finished_at": now, "lease_expires_at": None, "phase": "", **values}
    if not Job.objects.filter(pk=job.pk, lease_owner=owner).update(**values):
        logger.warning("job %s: finished after another worker took it over; result dropped", job.pk)
        return None
    for key, value in values.items():
        setattr(job, key, value)
    return job


def recover_expired(now=None):
    """Queue again every running job whose lease has expired (its worker died); give up after MAX_ATTEMPTS."""
    now = now or timezone.now()
    recovered = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, lease_expires_at__lt=now):
        with transaction.atomic():
            if job.attempts >= MAX_ATTEMPTS:
                changed = Job.objects.filter(pk=job.pk, lease_owner=job.lease_owner).update(
                    status=Job.Status.FAILED, finished_at=now, lease_expires_at=None, message=_gave_up(job.attempts)
                )
            else:
                changed = Job.objects.filter(pk=job.pk, lease_owner=job.lease_owner).update(
                    status=Job.Status.PENDING, lease_owner="", lease_expires_at=None, phase="进程中断，等待重新运行"
                )
                if changed:
                    enqueue(job)
            if changed:
                recovered.append(job.pk)
    return recovered


def recover_pending(now=None):
    """Queue again every job still 等待处理 a lease after it was created whose queued task will never run it:
    no task was queued (the process died between the commit and the queueing), or the queue has finished,
    failed or lost the task (a worker took it from the queue and died before claiming the job: the database
    queue's row is then closed by `worker.close_dead_workers_tasks`). A task still waiting or running is left."""
    from .tasks import run_job

    now = now or timezone.now()
    recovered = []
    for job in Job.objects.filter(status=Job.Status.PENDING, created_at__lt=now - timedelta(seconds=lease_seconds())):
        if job.task_id:
            try:
                if run_job.get_result(job.task_id).status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
                    continue
            except TaskResultDoesNotExist:
                pass
        with transaction.atomic():
            # Two keepers may look at once: the one that changes the task id queues it.
            if Job.objects.filter(pk=job.pk, status=Job.Status.PENDING, task_id=job.task_id).update(
                task_id="", phase="任务未被执行，重新排队"
            ):
                enqueue(job)
                recovered.append(job.pk)
    return recovered
