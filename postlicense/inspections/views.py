from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from postlicense.core import exports
from postlicense.core.access import require_bureau_staff
from postlicense.core.audit import record_export
from postlicense.core.concurrency import StaleEdit
from postlicense.core.http import next_url
from postlicense.core.jobs.services import export_runs_as_job
from postlicense.core.scoping import get_scoped_or_404

from . import printing, selectors, services
from .forms import CrewForm, DispatchForm, add_errors, parse_revision, record_form
from .models import Attachment, Finding, InspectionRecord, RecordInspector
from .selectors import can_fill


def _record(request, pk):
    return get_scoped_or_404(selectors.records_for(request.user), request.user, pk=pk)


def _fillable(request, pk):
    record = _record(request, pk)
    if not can_fill(request.user, record):
        raise PermissionDenied("只有本记录的检查人员或监管部门人员可以填写。")
    if not record.crew.exists():
        raise PermissionDenied("本检查尚未指派检查组，指派检查人员后才能填写。")
    return record


RECORD_FILTERS = ("kind", "status", "conclusion", "q", "overdue", "crew")


@login_required
def record_list(request):
    qs = selectors.records_for(request.user)
    filters = {k: request.GET.get(k, "") for k in RECORD_FILTERS}
    qs = selectors.filter_records(qs, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "inspections/record_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "kinds": InspectionRecord.Kind.choices,
            "statuses": [(selectors.OPEN, "未完成（待检查、检查中）")] + InspectionRecord.Status.choices,
            "conclusions": InspectionRecord.Conclusion.choices,
            "crew_missing": selectors.CREW_MISSING,
        },
    )


RECORD_EXPORT_HEADER = [
    "检查类型",
    "企业名称",
    "统一社会信用代码",
    "监管单位",
    "检查单位",
    "完成期限",
    "检查日期",
    "状态",
    "检查结论",
]


@login_required
def record_list_export(request):
    """The list as filtered, as an .xlsx (core.exports); from settings.JOBS["EXPORT_ROWS"] rows the user narrows it."""
    require_bureau_staff(request.user, "导出")
    filters = {k: request.GET.get(k, "") for k in RECORD_FILTERS}
    qs = selectors.filter_records(selectors.records_for(request.user), **filters).select_related(
        "enterprise__supervising_unit", "org_unit"
    )
    count = qs.count()
    if export_runs_as_job(count):
        messages.error(request, f"共 {count} 条记录，超过一次导出的上限，请先筛选缩小范围。")
        return redirect(f"{reverse('inspections:record_list')}?{request.GET.urlencode()}")
    rows = (
        [
            r.get_kind_display(),
            r.enterprise.name,
            r.enterprise.credit_code,
            r.enterprise.supervising_unit.name,
            r.org_unit.name,
            r.due_date,
            r.inspection_date,
            r.get_status_display(),
            r.get_conclusion_display(),
        ]
        for r in qs.iterator(chunk_size=1000)
    )
    record_export(request, "检查记录", rows=count, target=InspectionRecord)
    name = f"检查记录-{timezone.localdate():%Y%m%d}.xlsx"
    choices = InspectionRecord.Kind.choices + InspectionRecord.Status.choices + InspectionRecord.Conclusion.choices
    shown = dict([(selectors.OPEN, "未完成（待检查、检查中）")] + choices)
    preamble = exports.list_preamble(
        "监督检查记录",
        request.user,
        [
            ("检查类型", shown.get(filters["kind"], "")),
            ("状态", shown.get(filters["status"], "")),
            ("检查结论", shown.get(filters["conclusion"], "")),
            ("关键词", filters["q"]),
            ("逾期", "是" if filters["overdue"] else ""),
        ],
        timezone.localtime(),
    )
    widths = [14, 30, 21, 28, 28, 11, 11, 10, 10]
    sheet = exports.Sheet("检查记录", RECORD_EXPORT_HEADER, rows, widths, preamble)
    return exports.download(name, [sheet], "records.xlsx")


@login_required
def my_inspections(request):
    return render(request, "inspections/my_inspections.html", selectors.my_inspections(request.user))


@login_required
def record_new(request):
    require_bureau_staff(request.user, "派发检查")
    form = DispatchForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.create_inspection(
                enterprise=data["enterprise"],
                kind=data["kind"],
                special_trigger=data["special_trigger"],
                template_version=data["template_version"],
                org_unit=data["enterprise"].supervising_unit,
                inspectors=data["inspectors"],
                due_date=data["due_date"],
                created_by=request.user,
                submission_token=data["token"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "检查任务已派发。")
            return redirect("inspections:record_detail", pk=record.pk)
    return render(request, "inspections/record_new.html", {"form": form})


@login_required
def record_detail(request, pk):
    record = _record(request, pk)
    return render(request, "inspections/record_detail.html", selectors.record_view(record, request.user))


@login_required
def record_crew(request, pk):
    """指派检查组: bureau staff give a record dispatched without its crew ≥2 inspectors, by hand or 随机匹配."""
    require_bureau_staff(request.user, "指派检查组")
    record = _record(request, pk)
    form = CrewForm(
        request.user,
        request.POST or None,
        initial={"inspectors": list(record.inspectors.all()), "version": services.crew_version(record)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matched = request.POST.get("action") == "random"
        try:
            seed = services.crew_match_seed(record, data["token"]) if matched else ""
            record = services.assign_crew(
                record,
                inspectors=services.match_crew(record, seed=seed) if matched else data["inspectors"],
                by=request.user,
                version=data["version"],
                token=data["token"],
                match_seed=seed,
            )
        except StaleEdit as exc:
            form.refuse(exc)
        except ValidationError as exc:
            form.add_error("inspectors" if hasattr(exc, "error_dict") else None, exc.messages)
        else:
            names = "、".join(i.name for i in record.inspectors.all())
            messages.success(request, f"已{'随机匹配' if matched else '指派'}检查组：{names}。")
            return redirect(record)
    return render(
        request,
        "inspections/record_crew.html",
        {"record": record, "form": form, "awaits_crew": selectors.awaits_crew(record)},
        status=400 if form.errors else 200,
    )


@login_required
def record_fill(request, pk):
    record = _fillable(request, pk)
    if record.is_locked:
        messages.warning(request, "本记录已完成并锁定；如需修改请使用“更正”。")
        return redirect("inspections:record_detail", pk=pk)
    if not record.is_open:
        messages.warning(request, services.NotCarriedOut(record).message)
        return redirect("inspections:record_detail", pk=pk)
    form = record_form(record, request.POST if request.method == "POST" else None)
    revision = request.POST.get("revision", record.revision) if request.method == "POST" else record.revision
    if request.method == "POST" and form.is_valid:
        try:
            record = services.save_draft(record, revision=parse_revision(request.POST), **form.draft)
            revision = record.revision  # saved: finishing may still be refused below
            if request.POST.get("then") == "finish":
                record = services.finish(record, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if record.is_locked:
                messages.success(request, f"检查记录已完成并锁定，检查结论：{record.get_conclusion_display()}。")
                return redirect("inspections:record_detail", pk=pk)
            messages.success(request, "已保存。")
            return redirect("inspections:record_fill", pk=pk)
    record.refresh_from_db()
    return render(
        request,
        "inspections/record_fill.html",
        {
            "record": record,
            "form": form,
            "crew": record.crew.select_related("inspector"),
            "revision": revision,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def record_draft(request, pk):
    """Autosave: the page posts the whole form; the answer carries the new revision."""
    record = _fillable(request, pk)
    if record.is_locked:
        return JsonResponse({"ok": False, "errors": {"form": services.RecordLocked().message}}, status=409)
    form = record_form(record, request.POST, page=False)
    if not form.is_valid:
        return JsonResponse({"ok": False, "errors": form.errors}, status=400)
    try:
        record = services.save_draft(record, revision=parse_revision(request.POST), **form.draft)
    except ValidationError as exc:
        add_errors(form, exc)
        return JsonResponse({"ok": False, "errors": form.errors}, status=400 if hasattr(exc, "error_dict") else 409)
    return JsonResponse({"ok": True, "revision": record.revision})


@login_required
@require_POST
def attachment_upload(request, pk, item_id):
    record = _fillable(request, pk)
    item = get_object_or_404(record.template_version.items, pk=item_id)
    finding, _ = Finding.objects.get_or_create(record=record, item=item)
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, "请选择要上传的照片或 PDF 文件。")
    for upload in files:
        try:
            services.add_attachment(finding, upload, by=request.user)
        except ValidationError as exc:
            messages.error(request, f"第{item.number}项：{' '.join(exc.messages)}")
    return redirect(f"{next_url(request, record.get_fill_url())}#item-{item.pk}")


@login_required
def attachment_file(request, pk):
    attachment = get_scoped_or_404(Attachment, request.user, pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.original_name,
        as_attachment=not attachment.is_image,
    )


@login_required
def signature_image(request, pk, who):
    record = _record(request, pk)
    if who == "enterprise":
        image = record.enterprise_signature
    else:
        image = get_object_or_404(RecordInspector, record=record, inspector_id=who).signature
    if not image:
        raise PermissionDenied("尚未签名。")
    return FileResponse(image.open("rb"), content_type="image/png")


@login_required
@require_POST
def record_sign(request, pk):
    record = _fillable(request, pk)
    who = request.POST.get("who", "")
    try:
        if who == "enterprise":
            services.sign_as_enterprise(
                record, signer=request.POST.get("signer", ""), data_url=request.POST.get("image", "")
            )
        elif who == "refuse":
            services.record_refusal(record, note=request.POST.get("note", ""))
        else:
            link = get_object_or_404(
                RecordInspector.objects.select_related("inspector"), record=record, inspector_id=who
            )
            services.sign_as_inspector(record, link.inspector, request.POST.get("image", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "已记录企业拒绝签字。" if who == "refuse" else "签名已保存。")
    return redirect(f"{record.get_fill_url()}#signatures")


@login_required
@require_POST
def equipment_add(request, pk):
    record = _fillable(request, pk)
    qty = request.POST.get("quantity", "").strip()
    try:
        if not qty.isdigit():
            raise ValidationError("现场数量应为非负整数。")
        services.add_equipment_found(
            record,
            kind=request.POST.get("kind", "production"),
            name=request.POST.get("name", ""),
            model=request.POST.get("model", ""),
            quantity=int(qty),
        )
    except ValidationError as exc:
        messages.error(request, "新增设备：" + " ".join(exc.messages))
    return redirect(f"{record.get_fill_url()}#equipment")


@login_required
def record_amend(request, pk):
    record = _fillable(request, pk)
    if not record.is_locked:
        return redirect("inspections:record_fill", pk=pk)
    form = record_form(record, request.POST if request.method == "POST" else None)
    reason = request.POST.get("reason", "")
    if request.method == "POST" and form.is_valid:
        try:
            services.amend(
                record,
                by=request.user,
                reason=reason,
                fields=form.fields,
                findings=form.findings,
                equipment=form.equipment_found,
                confirmations=form.confirmations,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "更正已保存，原记录内容保留在更正记录中。")
            return redirect("inspections:record_detail", pk=pk)
    return render(
        request,
        "inspections/record_amend.html",
        {"record": record, "form": form, "reason": reason},
        status=400 if form.errors else 200,
    )


@login_required
def record_pdf(request, pk):
    record = _record(request, pk)
    response = HttpResponse(printing.pdf(record), content_type="application/pdf")
    record_export(request, "检查记录（PDF）", rows=1, target=record)
    response["Content-Disposition"] = f'inline; filename="inspection-{record.pk}.pdf"'
    return response


@login_required
def record_docx(request, pk):
    record = _record(request, pk)
    record_export(request, "检查记录（Word）", rows=1, target=record)
    response = HttpResponse(
        printing.docx(record), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="inspection-{record.pk}.docx"'
    return response
