from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from postlicense.core import exports
from postlicense.core.access import bureau_staff_required
from postlicense.core.audit import record_export
from postlicense.core.http import next_url
from postlicense.core.models import User
from postlicense.core.scoping import get_scoped_or_404
from postlicense.followup.models import RectificationOrder
from postlicense.inspections.forms import parse_revision
from postlicense.inspections.selectors import awaiting_crew_ids
from postlicense.registry.views import save_form

from . import forms, notice_import, printing, selectors, services
from .models import Complaint, LabScope, NoticeEntry, SamplePhoto, Sampler, TestingLab, TestOrder


def city_admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_superuser or user.role == User.Role.CITY_ADMIN) or user.org_unit is None:
            raise PermissionDenied("只有市局管理员可以进行此操作。")
        return view(request, *args, **kwargs)

    return wrapped


def _errors_to(form, exc):
    """A service's ValidationError shown at the form's fields (unknown keys at the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- tests ----------------------------------------------------------------------------------------------------


@login_required
def test_list(request):
    filters = {k: request.GET.get(k, "") for k in ("status", "result", "q")}
    qs = selectors.filter_tests(selectors.tests_for(request.user), **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "supervision/test_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "statuses": [("open", "未处理完毕")] + TestOrder.Status.choices,
            "results": TestOrder.Result.choices,
        },
    )


@bureau_staff_required("进行此操作")
def test_new(request):
    form = forms.TestOrderForm(request.user, request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.create_test(
                enterprise=data["license"].enterprise,
                license=data["license"],
                product=data["product"],
                trigger=data["trigger"],
                trigger_note=data["trigger_note"],
                samplers=list(data["samplers"]),
                org_unit=data["license"].enterprise.supervising_unit,
                created_by=request.user,
                source_record=data["source_record"],
                source_notice=data["source_notice"],
                source_order=data["source_order"],
                submission_token=data["token"],
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, f"监督检验已下达，抽样单编号 {order.number}。")
            return redirect(order)
    return render(request, "supervision/test_new.html", {"form": form}, status=400 if form.errors else 200)


def _may_sample(user, order):
    return user.is_bureau_staff or order.crew.filter(inspector__user=user).exists()


STEP_FORMS = {
    # step: (form, service, label, statuses it applies to)
    "not_sampled": (forms.NotSampledForm, "record_not_sampled", "登记抽样未果", [TestOrder.Status.ORDERED]),
    "send": (forms.SendingForm, "record_sending", "登记送样", [TestOrder.Status.SAMPLED]),
    "receive": (forms.ReceiptForm, "record_receipt", "登记检验机构收样", [TestOrder.Status.SENT]),
    "report": (forms.ReportForm, "record_report", "登记检验报告", [TestOrder.Status.RECEIVED]),
    "notify": (forms.NotificationForm, "record_notification", "登记告知企业", [TestOrder.Status.REPORTED]),
    "retest": (forms.RetestForm, "record_retest_request", "登记复检申请", [TestOrder.Status.NOTIFIED]),
    "handle": (forms.HandledForm, "record_handled", "办结", [TestOrder.Status.NOTIFIED, TestOrder.Status.RETEST]),
}


def _step_form(step, order, data=None):
    form_class = STEP_FORMS[step][0]
    if form_class is forms.SendingForm:
        return form_class(selectors.labs_for_order(order), data, prefix=step)
    return form_class(data, prefix=step)


def _step_forms(order, user, bound=None):
    if not _may_sample(user, order):
        return []
    return [
        {"step": step, "label": label, "form": bound if bound and bound.prefix == step else _step_form(step, order)}
        for step, (_, _, label, statuses) in STEP_FORMS.items()
        if order.status in statuses and (step == "not_sampled" or user.is_bureau_staff or step == "send")
    ]


def _detail(request, order, bound=None, status=200):
    return render(
        request,
        "supervision/test_detail.html",
        {
            "order": order,
            "crew": order.crew.select_related("inspector"),
            "photos": order.photos.all(),
            "steps": _step_forms(order, request.user, bound),
            "may_sample": order.status == TestOrder.Status.ORDERED and _may_sample(request.user, order),
            "evidence_links": [r for r in (order.source_record, order.source_notice) if r],
            "may_order": request.user.is_bureau_staff
            and order.failed
            and order.rectification_order_id is None
            and order.source_order_id is None
            and order.status in (TestOrder.Status.NOTIFIED, TestOrder.Status.HANDLED),
            "recheck_order": _recheck_order(request.user, order),
        },
        status=status,
    )


def _recheck_order(user, order):
    """The order this failure produced, when a 复查 sampling may be ordered for it now (served and open)."""
    rectification = order.rectification_order
    if not (user.is_bureau_staff and rectification and rectification.served_on):
        return None
    open_ = (RectificationOrder.Status.ISSUED, RectificationOrder.Status.REPORTED)
    return rectification if rectification.status in open_ else None


@bureau_staff_required("进行此操作")
@require_POST
def test_rectify(request, pk):
    """下达责令改正通知书 for a failed test (抽查办法 第四十六条); a double click returns the same order."""
    order = selectors.test_detail(request.user, pk)
    try:
        rectification = services.order_rectification(order, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return _detail(request, order, status=400)
    messages.success(request, f"已下达{rectification.title} {rectification.number}，请登记送达。")
    return redirect(rectification)


@login_required
def test_detail(request, pk):
    return _detail(request, selectors.test_detail(request.user, pk))


@login_required
@require_POST
def test_step(request, pk, step):
    order = selectors.test_detail(request.user, pk)
    if step not in STEP_FORMS or not any(s["step"] == step for s in _step_forms(order, request.user)):
        raise PermissionDenied("当前状态下不能进行此操作，或您无权操作。")
    form = _step_form(step, order, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if step == "not_sampled":
            data = {"sampling_date": data["sampling_date"], "reason": data["reason"]}
        try:
            getattr(services, STEP_FORMS[step][1])(order, **data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, f"已{STEP_FORMS[step][2].removeprefix('登记')}。")
            return redirect(order)
    return _detail(request, order, bound=form, status=400)


def _fillable(request, pk):
    order = selectors.test_detail(request.user, pk)
    if not _may_sample(request.user, order):
        raise PermissionDenied("只有本次抽样的抽样人员或监管部门人员可以填写抽样单。")
    return order


@login_required
def test_fill(request, pk):
    order = _fillable(request, pk)
    if order.status != TestOrder.Status.ORDERED:
        messages.info(request, f"抽样单已{order.get_status_display()}。")
        return redirect(order)
    form = forms.SamplingForm(request.POST or None, instance=order)
    finish_errors = {}
    if request.method == "POST" and form.is_valid():
        try:
            order = services.save_sampling(order, revision=parse_revision(request.POST), fields=_all_fields(form))
            if request.POST.get("then") == "finish":
                order = services.finish_sampling(order)
        except ValidationError as exc:
            finish_errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            _errors_to(form, ValidationError({k: v for k, v in finish_errors.items() if k in form.fields}))
        else:
            if order.status == TestOrder.Status.SAMPLED:
                messages.success(request, f"抽样完成，送检期限 {order.sending_due_text}。")
                return redirect(order)
            messages.success(request, "已保存。")
            return redirect("supervision:test_fill", pk=pk)
    order.refresh_from_db()
    return render(
        request,
        "supervision/test_fill.html",
        {
            "order": order,
            "form": form,
            "crew": order.crew.select_related("inspector"),
            "photos": order.photos.all(),
            "other_errors": {k: v for k, v in finish_errors.items() if k not in form.fields},
            "revision": request.POST.get("revision", order.revision) if request.method == "POST" else order.revision,
        },
        status=400 if form.errors or finish_errors else 200,
    )


def _all_fields(form):
    return {name: form.cleaned_data[name] for name in form.fields}


@login_required
@require_POST
def test_draft(request, pk):
    """Autosave of the 抽样单 (inspections/record.js posts the whole form; the answer carries the new revision)."""
    order = _fillable(request, pk)
    form = forms.SamplingForm(request.POST, instance=order)
    if not form.is_valid():
        return JsonResponse({"ok": False, "errors": {k: " ".join(v) for k, v in form.errors.items()}}, status=400)
    try:
        order = services.save_sampling(order, revision=parse_revision(request.POST), fields=_all_fields(form))
    except ValidationError as exc:
        return JsonResponse({"ok": False, "errors": {"form": " ".join(exc.messages)}}, status=409)
    return JsonResponse({"ok": True, "revision": order.revision})


@login_required
@require_POST
def test_sign(request, pk):
    order = _fillable(request, pk)
    who = request.POST.get("who", "")
    try:
        if who == "enterprise":
            services.sign_enterprise(
                order, signer=request.POST.get("signer", ""), data_url=request.POST.get("image", "")
            )
        elif who == "refuse":
            services.record_refusal(order, note=request.POST.get("note", ""))
        else:
            link = get_object_or_404(Sampler, order=order, inspector_id=who if who.isdigit() else 0)
            services.sign_sampler(order, link.inspector, request.POST.get("image", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "已记录企业拒绝签字。" if who == "refuse" else "签名已保存。")
    return redirect(f"{next_url(request, order.get_absolute_url())}#signatures")


@login_required
@require_POST
def test_photo(request, pk):
    order = _fillable(request, pk)
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, "请选择封样照片。")
    for upload in files:
        try:
            services.add_photo(order, upload, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect(f"{next_url(request, order.get_absolute_url())}#photos")


@login_required
def photo_file(request, pk):
    photo = get_scoped_or_404(SamplePhoto, request.user, pk=pk)
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type, filename=photo.original_name)


@login_required
def signature_image(request, pk, who):
    order = selectors.test_detail(request.user, pk)
    if who == "enterprise":
        image = order.enterprise_signature
    else:
        image = get_object_or_404(Sampler, order=order, inspector_id=who if who.isdigit() else 0).signature
    if not image:
        raise PermissionDenied("尚未签名。")
    return FileResponse(image.open("rb"), content_type="image/png")


@login_required
def test_pdf(request, pk):
    order = selectors.test_detail(request.user, pk)
    record_export(request, "抽样单（PDF）", rows=1, target=order)
    response = HttpResponse(printing.pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sampling-{order.pk}.pdf"'
    return response


# --- labs -----------------------------------------------------------------------------------------------------


@bureau_staff_required("进行此操作")
def lab_list(request):
    return render(
        request, "supervision/lab_list.html", {"labs": selectors.labs_for(request.user), "today": timezone.localdate()}
    )


@city_admin_required
def lab_edit(request, pk=None):
    lab = (
        get_scoped_or_404(selectors.labs_for(request.user), request.user, pk=pk)
        if pk
        else TestingLab(region=request.user.org_unit.region)
    )
    form = forms.LabForm(request.POST or None, instance=lab)
    return save_form(
        request, form, "supervision/lab_form.html", {"lab": lab}, lambda lab: lab.get_absolute_url(), "检验机构已保存。"
    )


@bureau_staff_required("进行此操作")
def lab_detail(request, pk):
    lab = get_scoped_or_404(selectors.labs_for(request.user), request.user, pk=pk)
    is_admin = request.user.is_superuser or request.user.role == User.Role.CITY_ADMIN
    form = forms.LabScopeForm(request.POST or None, lab=lab) if is_admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("只有市局管理员可以修改检验范围。")
        if form.is_valid():
            form.save()
            messages.success(request, "检验范围已添加。")
            return redirect(lab)
    return render(
        request, "supervision/lab_detail.html", {"lab": lab, "form": form}, status=400 if form and form.errors else 200
    )


@city_admin_required
@require_POST
def lab_scope_remove(request, pk):
    scope = get_scoped_or_404(LabScope.objects.filter(lab__in=selectors.labs_for(request.user)), request.user, pk=pk)
    lab = scope.lab
    scope.delete()
    messages.success(request, f"已从检验范围中移除“{scope.product_category}”。")
    return redirect(lab)


# --- complaints -----------------------------------------------------------------------------------------------


@bureau_staff_required("进行此操作")
def complaint_list(request):
    qs = selectors.complaints_for(request.user)
    status = request.GET.get("status", "")
    if status == "open":
        qs = qs.exclude(status=Complaint.Status.ANSWERED)
    elif status in Complaint.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "supervision/complaint_list.html",
        {
            "page": Paginator(qs, 50).get_page(request.GET.get("page")),
            "status": status,
            "query": f"status={status}",
            "statuses": [("open", "未办结")] + Complaint.Status.choices,
        },
    )


@bureau_staff_required("进行此操作")
def complaint_new(request):
    form = forms.ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = forms.enterprise_lookup(request.user, data["enterprise_query"])
        try:
            complaint = services.register_complaint(
                unit=request.user.org_unit,
                source=data["source"],
                received_date=data["received_date"],
                content=data["content"],
                complainant=data["complainant"],
                enterprise=enterprise,
                enterprise_text="" if enterprise else data["enterprise_query"],
                created_by=request.user,
                submission_token=data["token"],
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, f"举报已登记，编号 {complaint.number}，办结期限 {complaint.answer_due_text}。")
            return redirect(complaint)
    return render(
        request,
        "supervision/form_page.html",
        {"form": form, "title": "登记举报投诉"},
        status=400 if form.errors else 200,
    )


@bureau_staff_required("进行此操作")
def complaint_detail(request, pk):
    complaint = get_scoped_or_404(selectors.complaints_for(request.user), request.user, pk=pk)
    assign = forms.AssignForm(request.user, prefix="assign")
    answer = forms.AnswerForm(request.user, prefix="answer")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign":
                assign = forms.AssignForm(request.user, request.POST, prefix="assign")
                if assign.is_valid():
                    services.assign_complaint(complaint, unit=assign.cleaned_data["unit"])
                    messages.success(request, "已交办。")
                    return redirect(complaint)
            elif action == "answer":
                answer = forms.AnswerForm(request.user, request.POST, prefix="answer")
                if answer.is_valid():
                    inspection = answer.inspection() if answer.cleaned_data["substantiated"] else None
                    if not answer.errors:
                        services.answer_complaint(
                            complaint,
                            substantiated=answer.cleaned_data["substantiated"],
                            answer=answer.cleaned_data["answer"],
                            answered_date=answer.cleaned_data["answered_date"],
                            inspection=inspection,
                            by=request.user,
                        )
                        messages.success(request, "举报已办结。")
                        return redirect(complaint)
        except ValidationError as exc:
            _errors_to(assign if action == "assign" else answer, exc)
        status = 400
    return render(
        request,
        "supervision/complaint_detail.html",
        {
            "complaint": complaint,
            "assign": assign,
            "answer": answer,
            "awaits_crew": bool(awaiting_crew_ids([complaint.inspection_id] if complaint.inspection_id else [])),
        },
        status=status,
    )


@bureau_staff_required("进行此操作")
def special_new(request):
    """A special inspection with its trigger's evidence (002 第七条)."""
    form = forms.SpecialInspectionForm(request.user, request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.create_special_inspection(
                enterprise=data["enterprise"],
                trigger=data["trigger"],
                reference=data["reference"],
                link=data["link"],
                description=data["description"],
                template_version=data["template_version"],
                inspectors=list(data["inspectors"]),
                due_date=data["due_date"],
                created_by=request.user,
                submission_token=data["token"],
            )
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            if awaiting_crew_ids([record.pk]):
                messages.warning(request, "专项检查已派发，尚未指派检查组（不少于2名检查人员）：请指派检查组。")
            else:
                messages.success(request, "专项检查已派发。")
            return redirect(record)
    return render(
        request,
        "supervision/form_page.html",
        {"form": form, "title": "派发专项检查"},
        status=400 if form.errors else 200,
    )


# --- linkage notices and leads --------------------------------------------------------------------------------


@bureau_staff_required("进行此操作")
def notice_list(request):
    qs = selectors.notices_for(request.user)
    return render(
        request,
        "supervision/notice_list.html",
        {"page": Paginator(qs, 50).get_page(request.GET.get("page")), "query": ""},
    )


@city_admin_required
def notice_new(request):
    form = forms.NoticeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["file"]:
            rows, errors = notice_import.read_file(data["file"])
            field = "file"
        else:
            rows, errors = notice_import.read_text(data["credit_codes"])
            field = "credit_codes"
        if errors:
            form.add_error(field, notice_import.errors_message(errors))
        else:
            try:
                notice = services.register_notice(
                    region=request.user.org_unit.region,
                    source=data["source"],
                    doc_no=data["doc_no"],
                    doc_date=data["doc_date"],
                    received_date=data["received_date"],
                    product=data["product"],
                    failed_items=data["failed_items"],
                    rows=rows,
                    created_by=request.user,
                    submission_token=data["token"],
                )
            except ValidationError as exc:
                _errors_to(form, exc)
            else:
                messages.success(request, "通报已登记，已为所列获证企业派发专项检查。")
                return redirect(notice)
    return render(request, "supervision/notice_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def notice_template(request):
    return exports.download("通报企业名单模板.xlsx", notice_import.template_sheets(), "notice-template.xlsx")


@bureau_staff_required("进行此操作")
def notice_detail(request, pk):
    notice = get_object_or_404(selectors.notices_for(request.user), pk=pk)  # notices_for is the scope
    entries = (
        NoticeEntry.objects.for_user(request.user)
        .filter(notice=notice)
        .select_related("enterprise", "inspection", "assigned_unit", "rectification_order")
    )
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "notice": notice,
            "entries": entries,
            "to_order": services.notice_entries_to_order(notice, request.user),
            "awaiting_crew": awaiting_crew_ids([e.inspection_id for e in entries if e.inspection_id]),
        },
    )


@bureau_staff_required("进行此操作")
@require_POST
def notice_orders(request, pk):
    """The batch: a rectification order for each matched enterprise of a sampling-failure notice, confirmed."""
    notice = get_object_or_404(selectors.notices_for(request.user), pk=pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, "请勾选确认后再批量下达责令改正通知书。")
        return redirect(notice)
    try:
        orders = services.order_rectification_for_notice(notice, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(notice)
    if orders:
        messages.success(request, f"已下达责令改正通知书 {len(orders)} 份：{'、'.join(o.number for o in orders)}。")
    else:
        messages.info(request, "所列企业均已下达责令改正通知书，本次未重复下达。")
    return redirect(notice)


@bureau_staff_required("进行此操作")
def lead_list(request):
    qs = selectors.leads_for(request.user, open_only=request.GET.get("all") != "1")
    return render(
        request,
        "supervision/lead_list.html",
        {
            "leads": qs,
            "assign": forms.AssignForm(request.user, prefix="assign"),
            "show_all": request.GET.get("all") == "1",
            "can_assign": request.user.is_superuser or request.user.role == User.Role.CITY_ADMIN,
        },
    )


@bureau_staff_required("进行此操作")
@require_POST
def lead_action(request, pk):
    entry = get_scoped_or_404(selectors.leads_for(request.user), request.user, pk=pk)
    try:
        if request.POST.get("action") == "assign":
            form = forms.AssignForm(request.user, request.POST, prefix="assign")
            if not form.is_valid():
                raise ValidationError(" ".join(e for errs in form.errors.values() for e in errs))
            services.assign_lead(entry, unit=form.cleaned_data["unit"])
        else:
            services.conclude_lead(entry, by=request.user, conclusion=request.POST.get("conclusion", ""))
    except ValidationError as exc:
        messages.error(request, f"{entry.credit_code}：{' '.join(exc.messages)}")
    else:
        messages.success(request, f"{entry.credit_code}：已保存。")
    return redirect("supervision:lead_list")


@bureau_staff_required("进行此操作")
def risk_list(request):
    return render(request, "supervision/risk_list.html", {"items": selectors.risk_items(request.user)})
