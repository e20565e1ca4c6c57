"""Pages of rectification orders, revisits and escalations (thin: forms parse, services write, selectors read)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from postlicense.core import exports
from postlicense.core.access import require_bureau_staff
from postlicense.core.audit import record_export
from postlicense.core.http import attachment
from postlicense.core.jobs.services import export_runs_as_job
from postlicense.core.scoping import get_scoped_or_404
from postlicense.inspections.models import InspectionRecord, Problem

from . import printing, selectors, services
from .forms import IssueForm, ReasonForm, ReportForm, RevisitForm, ServeForm, add_errors
from .models import Escalation, RectificationOrder, ReportAttachment


def _order(request, pk):
    return get_scoped_or_404(selectors.orders_for(request.user), request.user, pk=pk)


@login_required
def order_list(request):
    today = timezone.localdate()
    filters = {k: request.GET.get(k, "") for k in ("status", "q", "overdue")}
    qs = selectors.filter_orders(selectors.orders_for(request.user), today=today, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "followup/order_list.html",
        {
            "page": page,
            "filters": filters,
            "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
            "statuses": [("open", "未办结")] + RectificationOrder.Status.choices,
            "today": today,
        },
    )


ORDER_EXPORT_HEADER = [
    "文号",
    "企业名称",
    "统一社会信用代码",
    "监管单位",
    "来源",
    "处理措施",
    "签发日期",
    "送达日期",
    "整改期限",
    "复查期限",
    "状态",
]


@login_required
def order_list_export(request):
    """The list as filtered, as an .xlsx (core.exports); from settings.JOBS["EXPORT_ROWS"] rows the user narrows it."""
    require_bureau_staff(request.user, "导出")
    filters = {k: request.GET.get(k, "") for k in ("status", "q", "overdue")}
    qs = selectors.filter_orders(selectors.orders_for(request.user), today=timezone.localdate(), **filters)
    qs = qs.select_related("enterprise__supervising_unit")
    count = qs.count()
    if export_runs_as_job(count):
        messages.error(request, f"共 {count} 份通知书，超过一次导出的上限，请先筛选缩小范围。")
        return redirect(f"{reverse('followup:order_list')}?{request.GET.urlencode()}")
    rows = (
        [
            o.number,
            o.enterprise.name,
            o.enterprise.credit_code,
            o.enterprise.supervising_unit.name,
            o.source_label,
            o.get_measure_display(),
            o.issued_on,
            o.served_on,
            o.deadline,
            o.revisit_due,
            o.get_status_display(),
        ]
        for o in qs.iterator(chunk_size=1000)
    )
    record_export(request, "责令改正通知书", rows=count, target=RectificationOrder)
    name = f"责令改正通知书-{timezone.localdate():%Y%m%d}.xlsx"
    statuses = dict([("open", "未办结")] + RectificationOrder.Status.choices)
    preamble = exports.list_preamble(
        "责令改正通知书台账",
        request.user,
        [
            ("状态", statuses.get(filters["status"], "")),
            ("关键词", filters["q"]),
            ("逾期", "是" if filters["overdue"] else ""),
        ],
        timezone.localtime(),
    )
    widths = [22, 30, 21, 28, 30, 10, 11, 11, 11, 11, 12]
    sheet = exports.Sheet("责令改正通知书", ORDER_EXPORT_HEADER, rows, widths, preamble)
    return exports.download(name, [sheet], "orders.xlsx")


@login_required
def pending(request):
    require_bureau_staff(request.user, "办理")
    page = Paginator(selectors.pending_records(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "followup/order_pending.html", {"page": page, "query": ""})


@login_required
def order_new(request, record_pk):
    require_bureau_staff(request.user, "办理")
    record = get_scoped_or_404(InspectionRecord, request.user, pk=record_pk, status=InspectionRecord.Status.FINISHED)
    unit, source_label = selectors.order_source(record)
    if not selectors.may_issue(request.user, unit):
        raise PermissionDenied(f"该检查记录发现的问题由{unit.name}下达责令改正通知书。")
    form = IssueForm(selectors.issuable_problems(record), request.POST or None)
    done = selectors.order_by_token(request.POST.get("token")) if request.method == "POST" else None
    if done:
        return redirect(done)  # the same form posted twice: its problems are on the order issued the first time
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.issue_order(
                enterprise=record.enterprise,
                unit=unit,
                by=request.user,
                source_kind=RectificationOrder.SourceKind.INSPECTION,
                source_label=source_label,
                problems=data["problems"],
                items=data["item_list"],
                source_record=record,
                period_key=data["period_key"],
                measure=data["measure"],
                legal_basis=data["legal_basis"],
                requirement=data["requirement"],
                submission_token=data["token"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已签发 {order.number}，请打印送达并登记送达回证。")
            return redirect(order)
    return render(
        request, "followup/order_new.html", {"form": form, "record": record, "unit": unit, "source_label": source_label}
    )


@login_required
def order_detail(request, pk):
    order = _order(request, pk)
    context = selectors.order_view(order, request.user)
    context.update(
        serve_form=ServeForm(initial={"served_on": timezone.localdate(), "method": "direct"}),
        report_form=ReportForm(initial={"completed_on": timezone.localdate()}),
        revisit_form=RevisitForm(request.user, initial={"due_date": order.revisit_due})
        if context["can_revisit"]
        else None,
        reason_form=ReasonForm(),
    )
    return render(request, "followup/order_detail.html", context)


def _redisplay(request, order, **forms):
    context = selectors.order_view(order, request.user)
    context.update(
        serve_form=ServeForm(),
        report_form=ReportForm(),
        revisit_form=RevisitForm(request.user) if context["can_revisit"] else None,
        reason_form=ReasonForm(),
    )
    context.update(forms)
    return render(request, "followup/order_detail.html", context, status=400)


@login_required
@require_POST
def order_serve(request, pk):
    require_bureau_staff(request.user, "办理")
    order = _order(request, pk)
    form = ServeForm(request.POST)
    if form.is_valid():
        try:
            services.serve_order(order, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已登记送达，整改期限自送达之日起算。")
            return redirect(order)
    return _redisplay(request, order, serve_form=form)


@login_required
@require_POST
def order_report(request, pk):
    order = _order(request, pk)
    if not (request.user.is_bureau_staff or request.user.role == request.user.Role.ENTERPRISE):
        raise PermissionDenied("只有企业用户或监管部门人员可以提交整改报告。")
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_report(
                order,
                by=request.user,
                text=data["text"],
                completed_on=data["completed_on"],
                files=data["files"],
                from_paper=request.user.is_bureau_staff,
                submission_token=data["token"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "整改报告已提交。")
            return redirect(order)
    return _redisplay(request, order, report_form=form)


@login_required
@require_POST
def revisit_new(request, pk):
    require_bureau_staff(request.user, "办理")
    order = _order(request, pk)
    form = RevisitForm(request.user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            revisit = services.dispatch_revisit(
                order,
                by=request.user,
                inspectors=data["inspectors"],
                due_date=data["due_date"],
                submission_token=data["token"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "复查已派发。")
            return redirect(revisit)
    return _redisplay(request, order, revisit_form=form)


@login_required
@require_POST
def escalation_decide(request, pk, action):
    require_bureau_staff(request.user, "办理")
    escalation = get_scoped_or_404(Escalation, request.user, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        decide = services.confirm_escalation if action == "confirm" else services.dismiss_escalation
        try:
            decide(escalation, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已确认升级。" if action == "confirm" else "已决定不予升级。")
            return redirect(escalation.order)
    return _redisplay(request, escalation.order, reason_form=form)


@login_required
@require_POST
def problem_close(request, pk, problem_pk):
    require_bureau_staff(request.user, "办理")
    order = _order(request, pk)
    problem = get_scoped_or_404(Problem.objects.filter(order_items__order=order), request.user, pk=problem_pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.close_problem_by_decision(
                    problem, order=order, by=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "问题已经决定关闭。")
            return redirect(order)
    return _redisplay(request, order, reason_form=form)


@login_required
def order_pdf(request, pk):
    order = _order(request, pk)
    record_export(request, f"{order.title}（PDF）", rows=1, target=order)
    response = HttpResponse(printing.pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="order-{order.pk}.pdf"'
    return response


@login_required
def order_docx(request, pk):
    order = _order(request, pk)
    record_export(request, f"{order.title}（Word）", rows=1, target=order)
    return attachment(
        printing.docx(order),
        f"{order.title}{order.number}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        fallback=f"order-{order.pk}.docx",
    )


@login_required
def report_file(request, pk):
    file = get_scoped_or_404(ReportAttachment, request.user, pk=pk)
    image = file.content_type.startswith("image/")
    return FileResponse(
        file.file.open("rb"), content_type=file.content_type, filename=file.original_name, as_attachment=not image
    )


@login_required
def revisit_list(request):
    qs = selectors.revisits_for(request.user).order_by("-dispatched_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "followup/revisit_list.html", {"page": page, "query": ""})


@login_required
def revisit_detail(request, pk):
    revisit = get_scoped_or_404(selectors.revisits_for(request.user), request.user, pk=pk)
    rows = [
        {"item": item, "problem": item.problem}
        for item in revisit.order.items.select_related("problem__finding__item", "problem__closed_via")
    ]
    return render(request, "followup/revisit_detail.html", {"revisit": revisit, "record": revisit.record, "rows": rows})


@login_required
def overdue_by_county(request):
    require_bureau_staff(request.user, "办理")
    today = timezone.localdate()
    return render(
        request,
        "followup/order_overdue.html",
        {"rows": selectors.overdue_by_county(request.user, today), "today": today},
    )
