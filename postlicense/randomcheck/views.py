from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from postlicense.core import exports as files
from postlicense.core.access import require_bureau_staff
from postlicense.core.audit import record_export
from postlicense.core.concurrency import StaleEdit
from postlicense.core.jobs import services as core_jobs
from postlicense.core.scoping import get_scoped_or_404
from postlicense.inspectors.models import Inspector

from . import exports, jobs, selectors, services
from .draw import candidates_csv_bytes
from .forms import CancelForm, ContributionForm, NotInspectedForm, SwapForm, TaskForm
from .models import DrawnEnterprise, Task
from .owners import task_owner, task_owners


def _task(request, pk, manage=False):
    require_bureau_staff(request.user, "使用双随机抽查")
    try:
        task = selectors.tasks_for(request.user).get(pk=pk)
    except Task.DoesNotExist:
        raise Http404("未找到该任务，或不在您的管辖范围内。") from None
    task.owner = task_owner(task)
    if manage and not selectors.can_manage(request.user, task, task.owner):
        raise PermissionDenied("只有下达任务的单位可以执行此操作。")
    return task


def _drawn(request, pk):
    """A drawn enterprise to act on; on a task another app owns only its managers act (the county whose enterprise
    a city re-check drew reads it)."""
    require_bureau_staff(request.user, "使用双随机抽查")
    drawn = get_scoped_or_404(
        DrawnEnterprise.objects.select_related("task", "enterprise", "inspection"), request.user, pk=pk
    )
    owner = task_owner(drawn.task)
    if owner and not owner.can_manage(request.user):
        raise PermissionDenied(f"该企业属于{owner.label}的抽取，由组织单位办理。")
    return drawn


def _errors(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


@login_required
def task_list(request):
    require_bureau_staff(request.user, "使用双随机抽查")
    only_open = request.GET.get("open") == "1"
    tasks = list(selectors.open_tasks(request.user) if only_open else selectors.tasks_for(request.user))
    owners = task_owners(task.pk for task in tasks)
    for task in tasks:
        task.owner = owners.get(task.pk)  # a re-check or cross audit: read-only here, run on its owner's page
    return render(request, "randomcheck/task_list.html", {"tasks": tasks, "only_open": only_open})


@login_required
def task_create(request):
    require_bureau_staff(request.user, "使用双随机抽查")
    form = TaskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        task = services.create_task(form, request.user)
        messages.success(request, "抽查任务已创建。")
        return redirect("randomcheck:task_detail", task.pk)
    return render(request, "randomcheck/task_form.html", {"form": form})


@login_required
def task_edit(request, pk):
    task = _task(request, pk, manage=True)
    form = TaskForm(request.POST or None, instance=task, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(form, request.user)
        except StaleEdit as exc:
            form.refuse(exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "任务参数已保存。")
            return redirect("randomcheck:task_detail", task.pk)
    return render(request, "randomcheck/task_form.html", {"form": form, "task": task})


def _detail(request, task, contribution_form=None, status=200):
    context = {
        "task": task,
        "manage": selectors.can_manage(request.user, task, task.owner),
        "steps": selectors.step_bar(task),
        "cancellation": selectors.cancellation(task),
        "strata": selectors.strata_summary(task),
        "contributions": task.contributions.select_related("recorded_by"),
        "contribution_form": contribution_form or ContributionForm(),
        **selectors.task_overview(request.user, task),
    }
    return render(request, "randomcheck/task_detail.html", context, status=status)


@login_required
def task_detail(request, pk):
    return _detail(request, _task(request, pk))


@login_required
@require_POST
def task_contribute(request, pk):
    task = _task(request, pk, manage=True)
    form = ContributionForm(request.POST)
    if form.is_valid():
        try:
            services.add_contribution(
                task,
                form.cleaned_data["contributor"],
                form.cleaned_data["contributor_unit"],
                form.cleaned_data["value"],
                request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                _errors(request, exc)  # the task's state: shown above the page, the form keeps what was typed
        else:
            messages.success(request, "贡献值已录入。")
            return redirect("randomcheck:task_detail", task.pk)
    task.refresh_from_db()
    return _detail(request, task, contribution_form=form, status=400)


@login_required
def task_cancel(request, pk):
    task = _task(request, pk, manage=True)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_task(task, form.cleaned_data["reason"], request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "任务已取消，取消原因已记录。")
            return redirect("randomcheck:task_detail", task.pk)
    return render(request, "randomcheck/cancel.html", {"task": task, "form": form}, status=400 if form.errors else 200)


STEP_ACTIONS = {
    "freeze": (services.freeze_candidates, "候选名单已冻结，摘要和冻结时间已在公示页面公开。请录入随机种子贡献值。"),
    "draw": (services.draw_enterprises, "已完成企业抽取，抽取结果已固定。"),
    "match": (services.match_inspectors, "检查人员已匹配。"),
    "dispatch": (services.dispatch, "已派发“一企两表”至各检查人员。"),
    "complete": (services.complete_task, "任务已确认完成。"),
    "publish": (services.publish_task, "检查结果已公示。"),
}


@login_required
@require_POST
def task_step(request, pk, action):
    task = _task(request, pk, manage=True)
    if action not in STEP_ACTIONS:
        raise Http404
    if task.owner and action in ("match", "dispatch"):
        messages.error(request, task.owner.own_steps_refused)
        return redirect(task.owner.url)
    if jobs.runs_as_job(task, action):  # a large task's step runs in the job worker; its page shows progress
        return redirect(jobs.start_step(task, request.user, action))
    service, done = STEP_ACTIONS[action]
    try:
        service(task, request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("randomcheck:task_detail", task.pk)


@login_required
def drawn_swap(request, pk):
    drawn = _drawn(request, pk)
    task = drawn.task
    current = drawn.assignments.filter(removed_by=None).values("inspector")
    pool = Inspector.objects.filter(pk__in=[i.pk for i in services.swap_candidates(task, drawn)])
    form = SwapForm(request.POST or None, current=Inspector.objects.filter(pk__in=current), pool=pool)
    if request.method == "POST" and form.is_valid():
        try:
            services.swap_inspector(
                drawn,
                form.cleaned_data["removed"],
                form.cleaned_data["added"],
                form.cleaned_data["reason"],
                request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "检查人员已调整，调整原因已记录。")
            return redirect("randomcheck:task_detail", task.pk)
    return render(request, "randomcheck/swap.html", {"drawn": drawn, "task": task, "form": form})


@login_required
def drawn_not_inspected(request, pk):
    drawn = _drawn(request, pk)
    form = NotInspectedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_not_inspected(drawn, form.cleaned_data["reason"], form.cleaned_data["note"], request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已登记未检查原因，该企业列入跟踪名单。")
            return redirect("randomcheck:task_detail", drawn.task_id)
    return render(request, "randomcheck/not_inspected.html", {"drawn": drawn, "task": drawn.task, "form": form})


@login_required
@require_POST
def drawn_publish(request, pk):
    drawn = _drawn(request, pk)
    try:
        services.publish_result(drawn, request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"{drawn.enterprise.name}的检查结果已公示。")
    return redirect("randomcheck:task_detail", drawn.task_id)


def candidates_file(task) -> HttpResponse:
    """The frozen candidate list as the canonical CSV: its SHA-256 is the published digest."""
    rows = task.candidates.order_by().values_list("credit_code", "stratum")
    return files.respond_canonical_csv(candidates_csv_bytes(rows), f"{exports.task_number(task)}-候选名单.csv")


@login_required
def task_candidates(request, pk):
    task = _task(request, pk, manage=True)
    if task.frozen_at is None and not task.seed:
        raise Http404("候选名单尚未冻结。")
    return candidates_file(task)


@login_required
def task_export(request, pk, kind, fmt):
    task = _task(request, pk)
    if kind not in exports.EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    items = jobs.export_items(request.user, task, kind)
    count = items.count()
    if core_jobs.export_runs_as_job(count):
        return redirect(jobs.start_export(task, request.user, kind, fmt))
    name, content = exports.export(kind, fmt, task, items)
    record_export(request, name, rows=count, target=task)
    return files.respond(name, content)


@require_POST
@login_required
def task_print(request, pk):
    """Print the task's finished records as one PDF: a job, whose page offers the file when it is written."""
    return redirect(jobs.start_print(_task(request, pk), request.user))


@login_required
def task_report(request, pk):
    """The task's full record, for printing (浏览器打印或另存为PDF)."""
    task = _task(request, pk)
    context = {
        "task": task,
        "steps": task.steps.select_related("by"),
        "strata": selectors.strata_summary(task),
        "swaps": selectors.swaps_for(request.user, task),
        "contributions": task.contributions.select_related("recorded_by"),
        "task_no": exports.task_number(task),
        **selectors.task_overview(request.user, task),
    }
    return render(request, "randomcheck/report.html", context)


@login_required
def tracking(request):
    require_bureau_staff(request.user, "使用双随机抽查")
    return render(request, "randomcheck/tracking.html", {"rows": selectors.tracking_list(request.user)})
