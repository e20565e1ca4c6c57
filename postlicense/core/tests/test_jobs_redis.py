"""The queue on Redis (issue 12 §2): settings alone replace the database backend with django-tasks-rq's, and a job
started through services.start is carried by Redis and run by the worker `postlicense worker` starts for it.
Skipped when no Redis answers at REDIS_URL (default 127.0.0.1:6379; database 15 is used and emptied)."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus

from postlicense.core.jobs import services, worker
from postlicense.core.jobs.models import Job
from postlicense.core.jobs.tasks import run_job
from postlicense.core.models import User
from postlicense.registry.models import Enterprise
from postlicense.registry.tests.conftest import good_row, xlsx_bytes

redis = pytest.importorskip("redis")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return client


@pytest.fixture
def rq_settings(settings):
    client = _redis_or_skip()
    client.flushdb()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    yield
    client.flushdb()


def test_a_job_queued_on_redis_is_run_by_the_rq_worker(rq_settings, make_user, django_capture_on_commit_callbacks):
    assert type(task_backends["default"]).__name__ == "RQBackend"
    upload = SimpleUploadedFile("名录.xlsx", xlsx_bytes([good_row(n) for n in (1, 2, 3)]).getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start(make_user(User.Role.CITY_ADMIN, "xuchang"), Job.Kind.IMPORT_ENTERPRISES, upload=upload)
    job.refresh_from_db()
    assert run_job.get_result(job.task_id).status == TaskResultStatus.READY
    assert services.recover_pending() == [], "a task waiting on Redis is not queued again"

    assert worker.rq_worker("test-host:1").work(burst=True)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and Enterprise.objects.count() == 3
    result = run_job.get_result(job.task_id)
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == Job.Status.DONE
