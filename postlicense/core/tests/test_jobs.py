"""Background jobs (issue 12 §2, §4): a job runs once under a lease, is run again after its worker died,
fails with a Chinese reason, is retried as a new job with the same input, and is listed in its jurisdiction."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from postlicense.core.jobs import services
from postlicense.core.jobs.models import Job
from postlicense.core.jobs.tasks import run_job
from postlicense.core.models import AuditEntry, User
from postlicense.registry import importing
from postlicense.registry.models import Enterprise
from postlicense.registry.tests.conftest import good_row, xlsx_bytes


class WorkerKilled(BaseException):
    """Stands for the process dying: nothing in the job code may catch it."""


@pytest.fixture
def city_admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


@pytest.fixture
def import_job(city_admin):
    job = Job.objects.create(kind=Job.Kind.IMPORT_ENTERPRISES, filename="名录.xlsx", created_by=city_admin)
    job.file.save("名录.xlsx", ContentFile(xlsx_bytes([good_row(n) for n in (1, 2, 3)]).getvalue()))
    return job


def _enterprise_creations():
    return AuditEntry.objects.filter(model="registry.enterprise", action=AuditEntry.Action.CREATE).count()


def test_a_killed_workers_job_runs_again_only_after_its_lease_expires_and_writes_once(
    import_job, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 12 "Bad input": a killed worker's job is picked up again and does not run twice."""
    real_apply = importing.apply

    def apply_then_die(rows, progress):
        real_apply(rows, progress)  # every row committed, then the process dies before recording the result
        raise WorkerKilled

    monkeypatch.setattr(importing, "apply", apply_then_die)
    with pytest.raises(WorkerKilled):
        services.execute(import_job.pk, heartbeat=False)
    monkeypatch.setattr(importing, "apply", real_apply)
    import_job.refresh_from_db()
    assert import_job.status == Job.Status.RUNNING and import_job.attempts == 1
    assert Enterprise.objects.count() == 3 and _enterprise_creations() == 3

    assert services.execute(import_job.pk) is None, "a second worker must not run a job under a live lease"
    assert services.recover_expired() == []
    later = timezone.now() + timedelta(seconds=services.lease_seconds() + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_expired(later) == [import_job.pk]
    import_job.refresh_from_db()
    assert import_job.status == Job.Status.PENDING and import_job.phase == "进程中断，等待重新运行"
    queued = DBTaskResult.objects.get(id=import_job.task_id)
    assert queued.args_kwargs["args"] == [import_job.pk] and queued.task_path.endswith("run_job")

    assert run_job.call(import_job.pk) == Job.Status.DONE
    import_job.refresh_from_db()
    assert import_job.attempts == 2 and import_job.result == {"created": 0, "updated": 0}
    assert Enterprise.objects.count() == 3 and _enterprise_creations() == 3, "the rerun wrote nothing twice"
    assert run_job.call(import_job.pk) is None, "a finished job is never run again"


def test_a_worker_taken_for_dead_stops_at_its_next_progress_report_and_records_nothing(import_job):
    first = services.claim(import_job.pk, "worker-a")
    later = timezone.now() + timedelta(seconds=services.lease_seconds() + 1)
    services.recover_expired(later)
    assert services.claim(import_job.pk, "worker-b") is not None
    with pytest.raises(services.LeaseLost):
        services.Progress(first, "worker-a")(1)
    assert services._finish(first, "worker-a", Job.Status.DONE) is None
    import_job.refresh_from_db()
    assert (import_job.status, import_job.lease_owner) == (Job.Status.RUNNING, "worker-b")


def test_two_workers_claiming_one_job_get_it_once(import_job):
    assert services.claim(import_job.pk, "worker-a") is not None
    assert services.claim(import_job.pk, "worker-b") is None


def test_a_job_that_keeps_killing_its_worker_stops_with_a_chinese_reason(import_job):
    Job.objects.filter(pk=import_job.pk).update(
        status=Job.Status.RUNNING, attempts=services.MAX_ATTEMPTS, lease_expires_at=timezone.now() - timedelta(1)
    )
    assert services.recover_expired() == [import_job.pk]
    import_job.refresh_from_db()
    assert (
        import_job.status == Job.Status.FAILED and "已中断 3 次" in import_job.message and "重试" in import_job.message
    )


def test_a_failed_import_says_why_in_chinese(import_job, monkeypatch):
    def broken(rows, progress):
        raise OSError("磁盘已满")

    monkeypatch.setattr(importing, "apply", broken)
    services.execute(import_job.pk, heartbeat=False)
    import_job.refresh_from_db()
    assert import_job.status == Job.Status.FAILED and import_job.finished_at
    assert import_job.message.startswith("导入中断：已写入前 0 条记录") and "磁盘已满" in import_job.message


def test_an_unexpected_error_in_a_handler_is_a_chinese_failure_with_the_technical_detail(import_job, monkeypatch):
    monkeypatch.setitem(services.HANDLERS, Job.Kind.IMPORT_ENTERPRISES, "builtins.divmod")
    services.execute(import_job.pk, heartbeat=False)
    import_job.refresh_from_db()
    assert import_job.status == Job.Status.FAILED
    assert import_job.message.startswith("任务运行出错，已停止") and "TypeError" in import_job.message


def test_retry_makes_one_new_job_with_the_same_input_and_runs_it(
    client, import_job, city_admin, django_capture_on_commit_callbacks
):
    """Issue 12 §4: a failed job can be retried; a double submit gives the same new job."""
    Job.objects.filter(pk=import_job.pk).update(status=Job.Status.FAILED, message="导入中断")
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/jobs/{import_job.pk}/retry/")
        second = client.post(f"/jobs/{import_job.pk}/retry/")
    again = Job.objects.get(retry_of=import_job)
    assert first.url == second.url == f"/registry/import-jobs/{again.pk}/"
    assert (again.kind, again.file.name, again.status) == (import_job.kind, import_job.file.name, Job.Status.PENDING)
    assert DBTaskResult.objects.filter(id=again.task_id).exists()
    run_job.call(again.pk)
    again.refresh_from_db()
    assert again.status == Job.Status.DONE and Enterprise.objects.count() == 3
    assert f"第 {import_job.pk} 号任务" in client.get(again.get_absolute_url()).content.decode()


def test_retry_refuses_a_job_that_did_not_fail_a_get_and_another_jurisdictions_job(client, import_job, make_user):
    admin = import_job.created_by
    client.force_login(admin)
    response = client.post(f"/jobs/{import_job.pk}/retry/", follow=True)
    assert "只有运行失败的任务可以重试。" in response.content.decode() and not Job.objects.filter(retry_of=import_job)
    assert client.get(f"/jobs/{import_job.pk}/retry/").status_code == 405
    Job.objects.filter(pk=import_job.pk).update(status=Job.Status.FAILED)
    client.force_login(make_user(User.Role.CITY_ADMIN, "baicheng"))
    assert client.post(f"/jobs/{import_job.pk}/retry/").status_code == 404
    assert client.get(f"/jobs/{import_job.pk}/").status_code == 404
    assert not Job.objects.filter(retry_of=import_job).exists()


def test_the_jobs_page_lists_the_jurisdictions_jobs_only(client, import_job, make_user):
    county = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    own = Job.objects.create(kind=Job.Kind.IMPORT_INSPECTORS, filename="人员.xlsx", created_by=county)
    elsewhere = Job.objects.create(
        kind=Job.Kind.IMPORT_INSPECTORS, filename="白城.xlsx", created_by=make_user(User.Role.CITY_ADMIN, "baicheng")
    )
    client.force_login(import_job.created_by)  # 许昌 city admin: the city's jobs, a county's included
    page = client.get("/jobs/").content.decode()
    assert "名录.xlsx" in page and "人员.xlsx" in page and elsewhere.filename not in page
    client.force_login(county)
    page = client.get("/jobs/").content.decode()
    assert own.filename in page and "名录.xlsx" not in page


def test_the_job_page_polls_while_running_and_shows_failure_and_retry_when_failed(client, import_job):
    Job.objects.filter(pk=import_job.pk).update(status=Job.Status.RUNNING, total=200, processed=50, phase="正在校验")
    client.force_login(import_job.created_by)
    page = client.get(f"/jobs/{import_job.pk}/").content.decode()
    assert '<progress max="100" value="25"' in page and 'hx-trigger="load delay:1s"' in page and "正在校验" in page
    fragment = client.get(f"/jobs/{import_job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="job"') and "<html" not in fragment
    Job.objects.filter(pk=import_job.pk).update(status=Job.Status.FAILED, message="导入中断：磁盘已满")
    page = client.get(f"/jobs/{import_job.pk}/").content.decode()
    assert "hx-trigger" not in page and "导入中断：磁盘已满" in page and ">重试</button>" in page
