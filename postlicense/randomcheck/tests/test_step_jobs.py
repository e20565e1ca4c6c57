"""A large task's draw, match and dispatch run as background jobs (issue 12 §2, §4): the page queues the step,
the worker runs it as the user who asked, and a refused step is a job that says why and wrote nothing."""

import pytest

from postlicense.core.jobs.models import Job
from postlicense.core.jobs.tasks import run_job
from postlicense.core.models import User
from postlicense.randomcheck.models import Task

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
