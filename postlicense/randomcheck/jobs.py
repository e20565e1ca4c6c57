"""The draw, match and dispatch of a large task as background jobs (issue 12 §2): the page queues the step and
shows its progress instead of holding the request for minutes. Each step is one transaction in services.py, so a
step that fails or whose worker dies mid-way has written nothing, and a step already done is refused when run
again. A worker that dies after its step committed but before the job recorded it leaves the job running; the
next attempt (core.jobs recovers the job once its lease expires) finds the step done by this job and finishes
the job with that result instead of running the step twice or reporting it refused."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from postlicense.core.audit import acting_as
from postlicense.core.jobs import services as jobs
from postlicense.core.jobs.models import Job

from . import services
from .models import Task

STEP_KINDS = {
    "draw": Job.Kind.RANDOMCHECK_DRAW,
    "match": Job.Kind.RANDOMCHECK_MATCH,
    "dispatch": Job.Kind.RANDOMCHECK_DISPATCH,
}
# kind → (step, phase shown while it runs, the state the step moves the task into)
STEPS = {
    Job.Kind.RANDOMCHECK_DRAW: (services.draw_enterprises, "正在抽取企业", Task.State.DRAWN),
    Job.Kind.RANDOMCHECK_MATCH: (services.match_inspectors, "正在匹配检查人员", Task.State.MATCHED),
    Job.Kind.RANDOMCHECK_DISPATCH: (services.dispatch, "正在派发检查表", Task.State.DISPATCHED),
}


def runs_as_job(task, action):
    """A step runs as a job when the task's rows (frozen candidates to draw from, drawn enterprises to match
    and dispatch) reach settings.JOBS["RANDOMCHECK_ROWS"]."""
    if action not in STEP_KINDS:
        return False
    rows = task.candidates if action == "draw" else task.drawn
    return rows.count() >= settings.JOBS["RANDOMCHECK_ROWS"]


def start_step(task, user, action):
    back = {"url": reverse("randomcheck:task_detail", args=[task.pk]), "link": f"返回任务：{task}"}
    return jobs.start(user, STEP_KINDS[action], input={"task": task.pk, **back})


def run_step(job, progress):
    """The job's handler: run the step as the user who started it; a refusal is the job's input error."""
    step, phase, reached = STEPS[job.kind]
    task = Task.objects.get(pk=job.input["task"])
    progress(0, total=1, phase=phase)
    if job.attempts > 1 and done_by_earlier_attempt(task, job, reached):
        return {"task": task.pk, "state": task.get_state_display()}
    try:
        with acting_as(job.created_by):
            task = step(task, job.created_by)
    except ValidationError as exc:
        raise jobs.JobInputError([{"row": 0, "column": "", "message": m} for m in exc.messages]) from exc
    return {"task": task.pk, "state": task.get_state_display()}


def done_by_earlier_attempt(task, job, reached):
    """Whether an earlier attempt of this job committed the step: the task reached the step's state as the job's
    user after the job first started."""
    return task.steps.filter(state=reached, by=job.created_by, at__gte=job.started_at).exists()
