"""A large task's draw, match and dispatch run as background jobs (issue 12 §2, §4): the page queues the step,
the worker runs it as the user who asked, and a refused step is a job that says why and wrote nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from postlicense.core.jobs import services
from postlicense.core.jobs.models import Job
from postlicense.core.jobs.tasks import run_job
from postlicense.core.models import AuditEntry, User
from postlicense.randomcheck import jobs
from postlicense.randomcheck import services as randomcheck_services
from postlicense.randomcheck.models import Assignment, Task

from .factories import contribute, drawn_task, make_inspector, make_register, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limit(settings):
    settings.JOBS = {**settings.JOBS, "RANDOMCHECK_ROWS": 1}


def test_a_large_tasks_steps_run_as_jobs_and_show_progress_then_lead_back(
    client, make_user, small_limit, django_capture_on_commit_callbacks
):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    make_inspector("xuchang-weidu")
    make_inspector("xuchang-weidu")
    task = drawn_task(admin)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/random-checks/{task.pk}/step/match/")
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/" and job.kind == Job.Kind.RANDOMCHECK_MATCH and job.task_id
    task.refresh_from_db()
    assert task.state == Task.State.DRAWN, "the request only queued the step"
    assert "hx-trigger" in client.get(response.url).content.decode()

    assert run_job.call(job.pk) == Job.Status.DONE
    task.refresh_from_db()
    assert task.state == Task.State.MATCHED and task.steps.filter(state="matched", by=admin).exists()
    page = client.get(response.url).content.decode()
    assert "已完成" in page and f'href="/random-checks/{task.pk}/"' in page and "hx-trigger" not in page


def test_a_large_tasks_freeze_runs_as_a_job_counting_what_its_scope_selects(client, make_user, settings):
    """The freeze writes the whole candidate list (a million rows at national scale): the enterprises the scope
    selects today decide, since the task has no candidates yet."""
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    task = make_task(admin)
    assert randomcheck_services.candidate_queryset(task, timezone.localdate()).count() == 4
    settings.JOBS = {**settings.JOBS, "RANDOMCHECK_ROWS": 5}
    assert not jobs.runs_as_job(task, "freeze")
    settings.JOBS = {**settings.JOBS, "RANDOMCHECK_ROWS": 4}
    client.force_login(admin)
    response = client.post(f"/random-checks/{task.pk}/step/freeze/")
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/" and job.kind == Job.Kind.RANDOMCHECK_FREEZE
    task.refresh_from_db()
    assert task.state == Task.State.DRAFT and not task.candidates.exists(), "the request only queued the step"
    assert run_job.call(job.pk) == Job.Status.DONE
    task.refresh_from_db()
    assert task.state == Task.State.FROZEN and task.candidates.count() == 4 and task.candidates_digest
    assert task.steps.filter(state=Task.State.FROZEN, by=admin).exists()
    assert run_job.call(job.pk) is None, "a finished job is never run again"
    job.refresh_from_db()
    assert job.result["state"] == "已冻结候选名单"


def test_a_refused_step_job_says_why_in_chinese_and_writes_nothing(client, make_user, small_limit):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    make_inspector("xuchang-weidu")  # one inspector: every enterprise needs two
    task = drawn_task(admin)
    client.force_login(admin)
    job = Job.objects.get(pk=client.post(f"/random-checks/{task.pk}/step/match/").url.split("/")[2])
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.INVALID and "仅有1名符合条件的检查人员（需要2名）" in job.errors[0]["message"]
    task.refresh_from_db()
    assert task.state == Task.State.DRAWN and not task.drawn.filter(assignments__isnull=False).exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "仅有1名符合条件的检查人员" in page and "返回任务" in page


def test_a_small_tasks_step_still_runs_in_the_request(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    task = make_task(admin)
    client.force_login(admin)
    client.post(f"/random-checks/{task.pk}/step/freeze/")
    contribute(task, admin)
    response = client.post(f"/random-checks/{task.pk}/step/draw/")
    assert response.url == f"/random-checks/{task.pk}/" and not Job.objects.exists()
    task.refresh_from_db()
    assert task.state == Task.State.DRAWN


class WorkerKilled(BaseException):
    """Stands for the worker process dying (SIGKILL) at that point: nothing after it runs, not even the job's
    own error handling."""


def _killed_then_recovered(job, django_capture_on_commit_callbacks):
    """The first worker dies; once the lease has expired the keeper queues the job again and a worker runs it."""
    with pytest.raises(WorkerKilled):
        services.execute(job.pk, heartbeat=False)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1
    assert services.execute(job.pk) is None, "a second worker must not run a job under a live lease"
    later = timezone.now() + timedelta(seconds=services.lease_seconds() + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_expired(later) == [job.pk]
    assert run_job.call(job.pk) == Job.Status.DONE
    job.refresh_from_db()
    assert job.attempts == 2 and job.result["state"] == "已匹配人员"
    assert run_job.call(job.pk) is None, "a finished job is never run again"


@pytest.fixture
def match_job(make_user, small_limit):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    for _ in range(3):
        make_inspector("xuchang-weidu")
    task = drawn_task(admin)
    return task, jobs.start_step(task, admin, "match")


def _matched_once(task):
    task.refresh_from_db()
    assert task.state == Task.State.MATCHED and task.steps.filter(state=Task.State.MATCHED).count() == 1
    assert Assignment.objects.filter(drawn__task=task).count() == 2 * task.drawn.count()
    created = AuditEntry.objects.filter(model="randomcheck.assignment", action=AuditEntry.Action.CREATE).count()
    assert created == 2 * task.drawn.count(), "one creation entry per assignment, not two"


def test_a_step_job_whose_worker_died_mid_step_runs_the_step_once_when_picked_up_again(
    match_job, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 12 §2: a killed worker's job is picked up again and does not run twice. The step dies inside its
    transaction (before it commits), so the rerun finds the task untouched and runs it."""
    task, job = match_job

    def die(*args):
        raise WorkerKilled

    with monkeypatch.context() as patched:
        patched.setattr(randomcheck_services, "_advance", die)
        with pytest.raises(WorkerKilled):
            services.execute(job.pk, heartbeat=False)
    task.refresh_from_db()
    assert task.state == Task.State.DRAWN and not Assignment.objects.filter(drawn__task=task).exists()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1
    later = timezone.now() + timedelta(seconds=services.lease_seconds() + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recover_expired(later) == [job.pk]
    assert run_job.call(job.pk) == Job.Status.DONE
    job.refresh_from_db()
    assert job.attempts == 2 and job.result["state"] == "已匹配人员"
    _matched_once(task)


def test_a_step_job_whose_worker_died_after_the_step_committed_finishes_without_running_it_again(
    match_job, monkeypatch, django_capture_on_commit_callbacks
):
    """The step committed, then the worker died before the job recorded it: the next attempt sees that this job
    did the step and ends 已完成 (not 校验未通过 with "already matched"), and nothing is written twice."""
    task, job = match_job
    step, phase, reached = jobs.STEPS[job.kind]

    def step_then_die(task, user):
        step(task, user)
        raise WorkerKilled

    with monkeypatch.context() as patched:
        patched.setitem(jobs.STEPS, job.kind, (step_then_die, phase, reached))
        _killed_then_recovered(job, django_capture_on_commit_callbacks)
    _matched_once(task)


def test_a_step_done_by_someone_else_before_the_job_ran_is_still_refused(match_job, client):
    """Only this job's own earlier attempt counts as done: a step the task went through before the job first
    ran is the ordinary refusal."""
    task, job = match_job
    randomcheck_services.match_inspectors(task, task.created_by)
    assert run_job.call(job.pk) == Job.Status.INVALID
    job.refresh_from_db()
    assert "只有“已抽取企业”的任务才能匹配检查人员" in job.errors[0]["message"]
    _matched_once(task)
