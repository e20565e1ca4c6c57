"""Recovery after a crash (issue 12 §2): a queue row left running by a dead worker is closed and then pruned,
and a job whose queued task a worker took but never ran (it died between the queue claim and the job claim)
is queued again and runs once."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from postlicense.core.jobs import scheduler, services, worker
from postlicense.core.jobs.models import Job
from postlicense.core.jobs.tasks import run_job
from postlicense.core.models import User
from postlicense.registry.models import Enterprise
from postlicense.registry.tests.conftest import good_row, xlsx_bytes


@pytest.fixture
def queued_import(make_user, django_capture_on_commit_callbacks):
    user = make_user(User.Role.CITY_ADMIN, "xuchang")
    upload = SimpleUploadedFile("名录.xlsx", xlsx_bytes([good_row(n) for n in (1, 2)]).getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start(user, Job.Kind.IMPORT_ENTERPRISES, upload=upload)
    job.refresh_from_db()
    return job


@pytest.fixture
def keeper_round(monkeypatch):
    """One keeper round of a live worker `w2` at `now` (the daily run is not what these tests look at)."""
    monkeypatch.setattr(scheduler, "is_due", lambda now=None: False)

    def round_at(now, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            worker.keep("host:w2", now)

    return round_at


def test_a_job_whose_worker_died_between_the_queue_claim_and_the_job_claim_runs_again_once(
    queued_import, keeper_round, django_capture_on_commit_callbacks
):
    first_task = DBTaskResult.objects.get(id=queued_import.task_id)
    first_task.claim("host:dead")  # the worker took the task from the queue, then died before services.claim
    queued_import.refresh_from_db()
    assert queued_import.status == Job.Status.PENDING

    keeper_round(timezone.now(), django_capture_on_commit_callbacks)
    queued_import.refresh_from_db()
    assert queued_import.task_id == str(first_task.id), "nothing is recovered before a heartbeat may be late"

    later = timezone.now() + timedelta(seconds=max(services.lease_seconds(), 60) + 1)
    keeper_round(later, django_capture_on_commit_callbacks)
    first_task.refresh_from_db()
    assert first_task.status == TaskResultStatus.FAILED and first_task.finished_at == later
    assert first_task.exception_class_path.endswith("WorkerDied") and "host:dead" in first_task.traceback
    queued_import.refresh_from_db()
    assert queued_import.task_id and queued_import.task_id != str(first_task.id)
    assert queued_import.phase == "任务未被执行，重新排队"
    assert DBTaskResult.objects.get(id=queued_import.task_id).status == TaskResultStatus.READY

    keeper_round(later + timedelta(seconds=10), django_capture_on_commit_callbacks)
    queued_import.refresh_from_db()
    assert DBTaskResult.objects.count() == 2, "a job waiting in the queue is not queued twice"

    assert run_job.call(queued_import.pk) == Job.Status.DONE
    assert Enterprise.objects.count() == 2


def test_a_running_task_of_a_live_worker_is_left_alone(queued_import, keeper_round, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(minutes=5)
    DBTaskResult.objects.get(id=queued_import.task_id).claim("host:w2")  # the keeper's own worker runs it
    keeper_round(later, django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING
    queued_import.refresh_from_db()
    assert queued_import.status == Job.Status.PENDING and queued_import.phase == ""


def test_a_closed_task_of_a_dead_worker_is_pruned_by_the_daily_command(queued_import):
    task = DBTaskResult.objects.get(id=queued_import.task_id)
    task.claim("host:dead")
    long_ago = timezone.now() - timedelta(days=20)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=long_ago)
    assert worker.close_dead_workers_tasks(long_ago + timedelta(minutes=5)) == [task.pk]
    call_command("prune_db_task_results", verbosity=0)
    assert not DBTaskResult.objects.filter(pk=task.pk).exists()


def test_a_job_never_queued_is_queued_after_a_lease(make_user, django_capture_on_commit_callbacks):
    """The process died after committing the job row and before its on-commit queueing."""
    job = Job.objects.create(kind=Job.Kind.IMPORT_ENTERPRISES, created_by=make_user(User.Role.CITY_ADMIN, "xuchang"))
    assert services.recover_pending() == []
    later = timezone.now() + timedelta(seconds=services.lease_seconds() + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_pending(later) == [job.pk]
    job.refresh_from_db()
    assert DBTaskResult.objects.get(id=job.task_id).args_kwargs["args"] == [job.pk]
