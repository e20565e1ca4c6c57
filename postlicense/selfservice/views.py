"""Pages of enterprise self-service: the enterprise's own pages (an enterprise user, its enterprise only) and the
bureau's (county staff: accounts, review, late filing, corrections, import; the city: feedback)."""

from functools import wraps

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from postlicense.core import deadlines
from postlicense.core.access import bureau_staff_required
from postlicense.core.audit import record_export
from postlicense.core.http import content_disposition
from postlicense.core.jobs import services as jobs
from postlicense.core.jobs.models import Job
from postlicense.core.scoping import get_scoped_or_404
from postlicense.core.todo import todo_for
from postlicense.inspections.models import InspectionRecord
from postlicense.registry.models import Enterprise
from postlicense.registry.selectors import license_state
from postlicense.registry.services import SYNC_IMPORT_BYTES

from . import forms, importing, rules, selectors, services
from .models import AccountProfile, CorrectionRequest, SelfReport


def enterprise_required(view):
    """An enterprise user's page: anyone else gets 404 (the page does not exist for them)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        enterprise = selectors.enterprise_of(request.user)
        if enterprise is None:
            raise Http404("该页面仅供企业用户使用。")
        return view(request, enterprise, *args, **kwargs)

    return wrapped


def _fail(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error.messages[0])
    else:
        form.add_error(None, " ".join(exc.messages))


def enterprise_sections(user, enterprise):
    """Sections other apps add to the enterprise's home page: AppConfig `enterprise_sections(user, enterprise)` ->
    [{"title", "template", "context"}] (round 2: rectification orders, sampling results)."""
    sections = []
    for config in apps.get_app_configs():
        if hasattr(config, "enterprise_sections"):
            sections.extend(config.enterprise_sections(user, enterprise))
    return sections


# --- the enterprise's own pages ---


@enterprise_required
def home(request, enterprise):
    today = timezone.localdate()
    licenses = enterprise.licenses.select_related("product_category").prefetch_related("product_units", "annual_stamps")
    year = today.year - 1
    may_file, filing_note = selectors.filing_state(enterprise, year, today)
    return render(
        request,
        "selfservice/home.html",
        {
            "enterprise": enterprise,
            "licenses": [(lic, license_state(lic, today)) for lic in licenses],
            "todo": todo_for(request.user, today),
            "reports": enterprise.self_reports.all()[:5],
            "current": enterprise.self_reports.filter(year=year).first(),
            "year": year,
            "may_file": may_file,
            "filing_note": filing_note,
            "records": selectors.records_of(enterprise)[:10],
            "corrections": enterprise.correction_requests.all()[:5],
            "correction_form": forms.CorrectionRequestForm(),
            "sections": enterprise_sections(request.user, enterprise),
        },
    )


@enterprise_required
@require_POST
def correction_request(request, enterprise):
    form = forms.CorrectionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_correction(
                request.user, message=form.cleaned_data["message"], token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "更正申请已提交给监管部门，处理结果会显示在本页。")
            return redirect("selfservice:home")
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("selfservice:home")


@enterprise_required
def report_list(request, enterprise):
    return render(request, "selfservice/report_list.html", {"reports": enterprise.self_reports.all()})


@enterprise_required
@require_POST
def report_start(request, enterprise, year):
    try:
        report = services.start_report(request.user, enterprise, year, timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("selfservice:home")
    return redirect("selfservice:report", pk=report.pk)


def _parse_revision(request):
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1


@login_required
def report(request, pk):
    """The report: its form while the enterprise edits it, otherwise the filed report (and the review for staff)."""
    report = selectors.report_for(request.user, pk)
    is_owner = selectors.enterprise_of(request.user) == report.enterprise
    if is_owner and report.is_editable and "imported" not in report.content:
        return _report_form(request, report)
    if request.method == "POST":
        raise PermissionDenied("本报告已提交，不能再修改。" if is_owner else "自查报告只能由企业本身填写。")
    review_form = None
    if request.user.is_bureau_staff and report.status == SelfReport.Status.SUBMITTED:
        review_form = forms.ReviewForm(user=request.user)
    return _report_page(request, report, review_form, is_owner=is_owner)


def _report_page(request, report, review_form, is_owner=False, status=200):
    checks = report.content.get("self_check", {})
    context = {
        "report": report,
        "is_owner": is_owner,
        "checks": [(label, checks.get(key, {})) for key, label in rules.SELF_CHECK_ITEMS],
        "stamps": report.stamps.select_related("license"),
        "attachments": report.attachments.all(),
        "review_form": review_form,
    }
    return render(request, "selfservice/report_detail.html", context, status=status)


def _report_form(request, report):
    form = forms.SelfReportForm(request.POST or None, report=report)
    revision = request.POST.get("revision", report.revision) if request.method == "POST" else report.revision
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("then") == "submit":
                report = services.submit(
                    report,
                    by=request.user,
                    revision=_parse_revision(request),
                    content=form.content(),
                    declarant=data["declarant"],
                    declarant_position=data["declarant_position"],
                    today=timezone.localdate(),
                )
                messages.success(request, f"{report.year}年度自查报告已提交，等待监管部门审查。")
            else:
                services.save_draft(
                    report,
                    revision=_parse_revision(request),
                    content=form.content(),
                    declarant=data["declarant"],
                    declarant_position=data["declarant_position"],
                )
                messages.success(request, "草稿已保存。")
            return redirect("selfservice:report", pk=report.pk)
        except ValidationError as exc:
            _fail(form, exc)
    may, note = selectors.filing_state(report.enterprise, report.year, timezone.localdate())
    return render(
        request,
        "selfservice/report_form.html",
        {
            "report": report,
            "form": form,
            "revision": revision,
            "filing_note": note,
            "may_file": may,
            "attachment_form": forms.AttachmentForm(),
            "attachments": report.attachments.all(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def report_draft(request, pk):
    """Autosave (inspections' record.js posts the whole form): the answer carries the new revision."""
    report = selectors.report_for(request.user, pk)
    if selectors.enterprise_of(request.user) != report.enterprise:
        raise Http404("未找到该记录，或不在您的管辖范围内。")
    form = forms.SelfReportForm(request.POST, report=report)
    if not form.is_valid():
        return JsonResponse({"ok": False, "errors": form.errors}, status=400)
    data = form.cleaned_data
    try:
        report = services.save_draft(
            report,
            revision=_parse_revision(request),
            content=form.content(),
            declarant=data["declarant"],
            declarant_position=data["declarant_position"],
        )
    except ValidationError as exc:
        return JsonResponse({"ok": False, "errors": {"form": " ".join(exc.messages)}}, status=409)
    return JsonResponse({"ok": True, "revision": report.revision})


@enterprise_required
def report_amend(request, enterprise, pk):
    report = get_object_or_404(SelfReport.objects.filter(enterprise=enterprise), pk=pk)
    if not report.is_filed or "imported" in report.content:
        messages.warning(request, "只有在线提交的报告可以在此更正；导入的报告请在公示系统中更正后重新导入。")
        return redirect("selfservice:report", pk=pk)
    form = forms.AmendForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.amend(report, by=request.user, reason=form.cleaned_data["reason"], content=form.content())
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "更正已保存，原报告内容保留在更正记录中。")
            return redirect("selfservice:report", pk=pk)
    return render(
        request, "selfservice/report_amend.html", {"report": report, "form": form}, status=400 if form.errors else 200
    )


@enterprise_required
@require_POST
def report_attachment(request, enterprise, pk):
    report = get_object_or_404(SelfReport.objects.filter(enterprise=enterprise), pk=pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(request.user, upload=form.cleaned_data["file"], report=report)
            messages.success(request, "附件已上传。")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "请选择要上传的文件。")
    return redirect("selfservice:report", pk=pk)


@login_required
def attachment_file(request, pk):
    attachment = selectors.attachment_for(request.user, pk)
    record_export(request, f"下载附件 {attachment.name}", rows=1, target=attachment)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.name, "inline")
    return response


@enterprise_required
def record_list(request, enterprise):
    return render(request, "selfservice/record_list.html", {"records": selectors.records_of(enterprise)})


@enterprise_required
def feedback_list(request, enterprise):
    return render(
        request,
        "selfservice/feedback_list.html",
        {
            "feedback": selectors.feedback_for(request.user),
            "records": selectors.finished_records_for_feedback(enterprise),
        },
    )


@enterprise_required
def feedback_new(request, enterprise, record_pk):
    record = get_scoped_or_404(InspectionRecord, request.user, pk=record_pk)  # the enterprise's own records only
    if record.status != InspectionRecord.Status.FINISHED:
        raise Http404("该检查尚未完成，完成后才能反映检查人员的执法情况。")
    form = forms.FeedbackForm(request.POST or None, request.FILES or None, record=record)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.submit_feedback(
                request.user,
                record=record,
                inspector=form.crew[data["inspector"]],
                categories=data["categories"],
                text=data["text"],
                token=data["token"],
            )
            if data["file"] and not feedback.attachments.exists():
                services.add_attachment(request.user, upload=data["file"], feedback=feedback)
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, f"反馈已送达市局，将在 {feedback.ack_due_text} 前受理。")
            return redirect("selfservice:feedback", pk=feedback.pk)
    return render(
        request, "selfservice/feedback_form.html", {"record": record, "form": form}, status=400 if form.errors else 200
    )


@login_required
def feedback(request, pk):
    """One feedback: the enterprise sees its status; the city acknowledges and concludes it."""
    item = selectors.feedback_of(request.user, pk)
    is_city = item.enterprise not in (selectors.enterprise_of(request.user),)
    form = forms.ConcludeForm(request.POST or None) if is_city else None
    if request.method == "POST":
        if not is_city:
            raise PermissionDenied("企业用户不能办理反馈。")
        if request.POST.get("then") == "acknowledge":
            services.acknowledge_feedback(item, by=request.user)
            messages.success(request, "已受理。")
            return redirect("selfservice:feedback", pk=pk)
        if form.is_valid():
            try:
                services.conclude_feedback(
                    item,
                    by=request.user,
                    substantiated=form.cleaned_data["substantiated"],
                    action=form.cleaned_data["action"],
                )
            except ValidationError as exc:
                _fail(form, exc)
            else:
                messages.success(request, "已办结，企业可以看到办理结果。")
                return redirect("selfservice:feedback", pk=pk)
    return render(
        request,
        "selfservice/feedback_detail.html",
        {"item": item, "is_city": is_city, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def password_first(request):
    """The forced password change of a new or reset enterprise login (ForcePasswordChange middleware sends here)."""
    if not request.user.is_authenticated:
        return redirect("login")
    form = PasswordChangeForm(request.user, request.POST or None)
    form.fields["old_password"].label = "临时密码（监管部门告知的）"
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        services.password_changed(user)
        messages.success(request, "密码已修改，请牢记新密码。")
        return redirect("selfservice:home" if selectors.is_enterprise_user(user) else "home")
    return render(request, "selfservice/password_first.html", {"form": form})


# --- the bureau's pages ---


@bureau_staff_required()
def account_list(request):
    form = forms.AccountForm(request.POST or None, user=request.user)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.create_account(
                request.user,
                enterprise=form.enterprise,
                username=data["username"],
                display_name=data["display_name"],
                position=data["position"],
                is_legal_representative=data["is_legal_representative"],
            )
        except ValidationError as exc:
            _fail(form, exc)
        else:
            created = (user, password)
            form = forms.AccountForm(user=request.user)
    return render(
        request,
        "selfservice/account_list.html",
        {"accounts": selectors.accounts_for(request.user), "form": form, "created": created},
        status=400 if form.errors else 200,
    )


@bureau_staff_required()
@require_POST
def account_action(request, pk, action):
    profile = get_scoped_or_404(AccountProfile.objects.select_related("user", "enterprise"), request.user, pk=pk)
    shown = None
    if action == "reset":
        shown = (profile.user, services.reset_password(request.user, profile))
    elif action in ("disable", "enable"):
        services.set_account_active(request.user, profile, action == "enable")
        messages.success(request, f"账号 {profile.user.username} 已{'启用' if action == 'enable' else '停用'}。")
    else:
        raise Http404()
    return render(
        request,
        "selfservice/account_list.html",
        {
            "accounts": selectors.accounts_for(request.user),
            "form": forms.AccountForm(user=request.user),
            "created": shown,
            "reset": True,
        },
    )


def _year(request, today):
    try:
        year = int(request.GET.get("year", today.year - 1))
    except ValueError:
        year = today.year - 1
    return min(max(year, 2000), today.year - 1)


@bureau_staff_required()
def review_list(request):
    today = timezone.localdate()
    year = _year(request, today)
    status = request.GET.get("status", SelfReport.Status.SUBMITTED)
    reports = selectors.reports_for(request.user).filter(year=year)
    if status in SelfReport.Status.values:
        reports = reports.filter(status=status)
    window = deadlines.Deadlines(request.user.org_unit.region_id if request.user.org_unit else None)
    end = window.annual("self_report_window_end", year + 1)
    non_filers = list(selectors.non_filers(request.user, year)[:500]) if today > end.date else None
    orders = selectors.non_filer_orders(non_filers, year) if non_filers else {}
    return render(
        request,
        "selfservice/review_list.html",
        {
            "year": year,
            "years": range(today.year - 1, today.year - 6, -1),
            "status": status,
            "statuses": SelfReport.Status.choices,
            "reports": reports[:500],
            "end": end,
            "non_filers": [(e, orders.get(e.pk)) for e in non_filers] if non_filers is not None else None,
            "late_form": forms.LateFilingForm(initial={"year": year}),
            "order_form": forms.NonFilerOrderForm(initial={"year": year}, user=request.user),
        },
    )


@bureau_staff_required()
@require_POST
def review(request, pk):
    report = selectors.report_for(request.user, pk)
    form = forms.ReviewForm(request.POST, user=request.user)
    if form.is_valid():
        data, decision = form.cleaned_data, form.cleaned_data["decision"]
        try:
            if decision == SelfReport.Status.QUALIFIED:
                services.approve(report, by=request.user, note=data["note"])
                messages.success(request, "审查合格：已在企业各有效许可证上记录年度检查合格。")
            elif decision == SelfReport.Status.RETURNED:
                services.return_report(report, by=request.user, note=data["note"])
                messages.success(request, "已退回企业补正。")
            else:
                report = services.find_problems(
                    report,
                    by=request.user,
                    note=data["note"],
                    inspectors=list(data["inspectors"]),
                    due_date=data["due_date"],
                )
                messages.success(request, "已派发实地检查。")
            return redirect("selfservice:report", pk=pk)
        except ValidationError as exc:
            _fail(form, exc)
    return _report_page(request, report, form, status=400)


@bureau_staff_required()
@require_POST
def late_filing(request, enterprise_pk):
    enterprise = get_scoped_or_404(Enterprise, request.user, pk=enterprise_pk)
    form = forms.LateFilingForm(request.POST)
    if form.is_valid():
        try:
            services.grant_late_filing(request.user, enterprise=enterprise, **form.cleaned_data)
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, f"已准予{enterprise.name}逾期补报{form.cleaned_data['year']}年度自查报告。")
            return redirect(f"{reverse('selfservice:review_list')}?year={form.cleaned_data['year']}")
    messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("selfservice:review_list")


@bureau_staff_required()
@require_POST
def order_non_filers(request):
    """对未按时提交的企业下达限期改正通知 (条例 第五十三条): one order per selected non-filer, through follow-up."""
    form = forms.NonFilerOrderForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{reverse('selfservice:review_list')}?year={request.POST.get('year', '')}#non-filers")
    data = form.cleaned_data
    try:
        outcome = services.order_non_filers(
            request.user,
            enterprises=list(data["enterprises"]),
            year=data["year"],
            reason=data["reason"],
            today=timezone.localdate(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if outcome.issued:
            numbers = "、".join(order.number for order in outcome.issued)
            messages.success(request, f"已下达{len(outcome.issued)}份责令改正通知书：{numbers}。请送达后登记送达。")
        if outcome.existing:
            names = "、".join(f"{o.enterprise.name}（{o.number}）" for o in outcome.existing)
            messages.info(request, f"以下企业已下达过本年度的限期改正通知，未重复下达：{names}。")
        if outcome.refused:
            names = "；".join(f"{e.name}：{why}" for e, why in outcome.refused)
            messages.warning(request, f"以下企业未下达：{names}。")
    return redirect(f"{reverse('selfservice:review_list')}?year={data['year']}#non-filers")


@bureau_staff_required()
def correction_list(request):
    return render(request, "selfservice/correction_list.html", {"requests": selectors.corrections_for(request.user)})


@bureau_staff_required()
def correction_handle(request, pk):
    item = get_scoped_or_404(CorrectionRequest.objects.select_related("enterprise"), request.user, pk=pk)
    form = forms.CorrectionReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.handle_correction(request.user, item, reply=form.cleaned_data["reply"])
        except ValidationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "已处理，企业可以看到处理说明。")
            return redirect("selfservice:correction_list")
    return render(
        request, "selfservice/correction_handle.html", {"item": item, "form": form}, status=400 if form.errors else 200
    )


@bureau_staff_required()
def import_reports(request):
    """The upload: a core.jobs job (a small file runs within this request, as the register's import), then its page."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.start(
            request.user, Job.Kind.SELFREPORT_IMPORT, upload=upload, inline=upload.size <= SYNC_IMPORT_BYTES
        )
        return redirect("selfservice:import_job", pk=job.pk)
    return render(
        request,
        "selfservice/import.html",
        {"form": form, "columns": importing.COLUMNS},
        status=400 if form.errors else 200,
    )


@bureau_staff_required()
def import_job(request, pk):
    """The import's progress (polled while it runs), then its result or every bad row."""
    job = get_scoped_or_404(Job.objects.filter(kind=Job.Kind.SELFREPORT_IMPORT), request.user, pk=pk)
    template = "selfservice/import_job.html#progress" if request.htmx else "selfservice/import_job.html"
    return render(request, template, {"job": job})


@login_required
def feedback_manage(request):
    if selectors.city_prefix(request.user) is None and not request.user.is_superuser:
        raise Http404("执法行为反馈仅由市局办理。")
    return render(
        request,
        "selfservice/feedback_manage.html",
        {"feedback": selectors.feedback_for(request.user)[:500], "today": timezone.localdate()},
    )
