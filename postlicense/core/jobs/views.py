import mimetypes
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from postlicense.core.audit import record_export
from postlicense.core.http import attachment

from . import selectors, services


@login_required
def job_list(request):
    page = Paginator(selectors.jobs_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page})


@login_required
def job_detail(request, pk):
    job = selectors.job_for(request.user, pk)
    template = "core/job_detail.html#progress" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk):
    """The file an export or a batch print wrote, for the user who started it (an export of personal data)."""
    job = selectors.job_for(request.user, pk)
    if job.created_by_id != request.user.pk:
        raise PermissionDenied("只有发起该任务的用户可以下载其结果文件。")
    if job.status != job.Status.DONE or not job.output:
        raise Http404("该任务没有可下载的文件（未完成，或文件已过保存期被删除）。")
    with job.output.open("rb") as fh:
        content = fh.read()
    record_export(request, job.output_name, rows=job.processed, target=job.__class__)
    content_type = mimetypes.guess_type(job.output_name)[0] or "application/octet-stream"
    return attachment(content, job.output_name, content_type, f"job-{job.pk}{PurePosixPath(job.output.name).suffix}")


@require_POST
@login_required
def job_retry(request, pk):
    job = selectors.job_for(request.user, pk)
    try:
        again = services.retry(job, request.user)
    except services.JobFailed as exc:
        messages.error(request, str(exc))
        return redirect(job)
    return redirect(again)


@login_required
def daily_runs(request):
    user = request.user
    if not (user.is_superuser or user.role == user.Role.CITY_ADMIN):
        raise PermissionDenied("只有系统管理员和市局管理员可以查看每日任务。")
    tasks, runs = selectors.daily_overview()
    return render(request, "core/job_daily.html", {"tasks": tasks, "runs": runs})


@never_cache
def healthz(request):
    """For a load balancer: 200 when the database answers, its schema is current and a job worker is alive."""
    checks = {}
    try:
        selectors.ping_database()
        checks["database"] = {"ok": True}
        pending = selectors.unapplied_migrations()
        checks["migrations"] = {"ok": not pending, "unapplied": pending}
        worker = selectors.live_worker()
        checks["worker"] = {
            "ok": worker is not None,
            "last_heartbeat": worker.seen_at.isoformat() if worker else None,
        }
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database is the answer, not an error page
        checks["database"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    ok = all(check["ok"] for check in checks.values()) and len(checks) == 3
    body = {"status": "ok" if ok else "fail", "time": timezone.now().isoformat(), "checks": checks}
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})
