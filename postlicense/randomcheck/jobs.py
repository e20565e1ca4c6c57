"""The freeze, draw, match and dispatch of a large task as background jobs (issue 12 §2): the page queues the step and
shows its progress instead of holding the request for minutes. Exports of JOBS["EXPORT_ROWS"] rows or more, and
printing the task's finished records as one PDF, are jobs too: their file is downloaded from the job's page. Each
step is one transaction in services.py, so a step that fails or whose worker dies mid-way has written nothing, and a
step already done is refused when run again. A worker that dies after its step committed but before the job
recorded it leaves the job running; the next attempt (core.jobs recovers the job once its lease expires) finds the
step done by this job and finishes the job with that result instead of running the step twice or reporting it
refused."""

import io
import zipfile
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from postlicense.core.audit import acting_as
from postlicense.core.jobs import services as jobs
from postlicense.core.jobs.models import Job
from postlicense.inspections import printing
from postlicense.inspections.models import InspectionRecord

from . import exports, selectors, services
from .dbdraw import collector_paused
from .models import Task

PRINT_PART_RECORDS = 200  # records per PDF of a batch print (run_print)
STEP_KINDS = {
    "freeze": Job.Kind.RANDOMCHECK_FREEZE,
    "draw": Job.Kind.RANDOMCHECK_DRAW,
    "match": Job.Kind.RANDOMCHECK_MATCH,
    "dispatch": Job.Kind.RANDOMCHECK_DISPATCH,
}
# kind → (step, phase shown while it runs, the state the step moves the task into)
STEPS = {
    Job.Kind.RANDOMCHECK_FREEZE: (services.freeze_candidates, "正在冻结候选名单", Task.State.FROZEN),
    Job.Kind.RANDOMCHECK_DRAW: (services.draw_enterprises, "正在抽取企业", Task.State.DRAWN),
    Job.Kind.RANDOMCHECK_MATCH: (services.match_inspectors, "正在匹配检查人员", Task.State.MATCHED),
    Job.Kind.RANDOMCHECK_DISPATCH: (services.dispatch, "正在派发检查表", Task.State.DISPATCHED),
}


def runs_as_job(task, action):
    """A step runs as a job when the task's rows (the enterprises its scope selects today to freeze, frozen
    candidates to draw from, drawn enterprises to match and dispatch) reach settings.JOBS["RANDOMCHECK_ROWS"]."""
    if action not in STEP_KINDS:
        return False
    if action == "freeze":
        rows = services.candidate_queryset(task, timezone.localdate())
    else:
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
        # A step makes hundreds of thousands of objects that stay alive until it ends (rows, entries, model
        # instances): with the cyclic garbage collector on, each of its passes would walk them all again, about
        # a fifth of the steps' time at 20,000 drawn. They form no cycles that need collecting meanwhile.
        with acting_as(job.created_by), collector_paused():
            task = step(task, job.created_by)
    except ValidationError as exc:
        raise jobs.JobInputError([{"row": 0, "column": "", "message": m} for m in exc.messages]) from exc
    return {"task": task.pk, "state": task.get_state_display()}


def _back(task):
    return {"url": reverse("randomcheck:task_detail", args=[task.pk]), "link": f"返回任务：{task}"}


def export_items(user, task, kind):
    """The rows of export `kind` as `user` sees them: assignments for the match list, else drawn enterprises."""
    return selectors.match_rows(user, task) if kind == "match" else selectors.drawn_for(user, task)


def start_export(task, user, kind, fmt):
    return jobs.start(
        user, Job.Kind.RANDOMCHECK_EXPORT, input={"task": task.pk, "kind": kind, "fmt": fmt, **_back(task)}
    )


def run_export(job, progress):
    task, user, kind = Task.objects.get(pk=job.input["task"]), job.created_by, job.input["kind"]
    items = export_items(user, task, kind)
    progress(0, total=items.count(), phase="正在导出")
    name, content = exports.export(kind, job.input["fmt"], task, jobs.counting(items, progress))
    jobs.save_output(job, name, content)
    return {"rows": job.total}


def records_to_print(user, task):
    """The task's finished inspection records `user` may see, in the order of its drawn list."""
    drawn = selectors.drawn_for(user, task).filter(inspection__status=InspectionRecord.Status.FINISHED)
    return [d.inspection for d in drawn]


def start_print(task, user):
    """Queue printing the task's finished records; asked again while that job waits or runs, the same job."""
    waiting = Job.objects.filter(
        kind=Job.Kind.RANDOMCHECK_PRINT,
        input__task=task.pk,
        created_by=user,
        status__in=[Job.Status.PENDING, Job.Status.RUNNING],
    ).first()
    return waiting or jobs.start(user, Job.Kind.RANDOMCHECK_PRINT, input={"task": task.pk, **_back(task)})


def run_print(job, progress):
    """Every finished record of the task (一企两表 each, as printed one by one), page after page: one PDF, or
    from PRINT_PART_RECORDS records on a .zip of PDFs of that many records each (a laid-out page is held in
    memory until its PDF is written, so one part bounds what a worker holds)."""
    task = Task.objects.get(pk=job.input["task"])
    records = records_to_print(job.created_by, task)
    if not records:
        raise jobs.JobFailed("本任务还没有已完成的检查记录，没有可打印的内容。")
    progress(0, total=len(records), phase="正在生成 PDF")
    rendered = jobs.counting(records, progress, every=10)  # the bar moves as records are laid out
    starts = range(0, len(records), PRINT_PART_RECORDS)
    stem = f"{exports.task_number(task)}-检查记录"
    if len(starts) == 1:
        jobs.save_output(job, f"{stem}（{len(records)} 份）.pdf", _pdf(rendered))
        return {"rows": len(records)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for start in starts:
            end = min(len(records), start + PRINT_PART_RECORDS)
            archive.writestr(f"{stem}（第 {start + 1}–{end} 份）.pdf", _pdf(islice(rendered, end - start)))
    jobs.save_output(job, f"{stem}（{len(records)} 份，{len(starts)} 个 PDF）.zip", buffer.getvalue())
    return {"rows": len(records)}


def _pdf(records):
    documents = [printing.document(printing.print_context(r)) for r in records]
    return documents[0].copy([page for d in documents for page in d.pages]).write_pdf()


def done_by_earlier_attempt(task, job, reached):
    """Whether an earlier attempt of this job committed the step: the task reached the step's state as the job's
    user after the job first started."""
    return task.steps.filter(state=reached, by=job.created_by, at__gte=job.started_at).exists()
