"""检查表 pages: the list of checklists and their versions, a draft's editor, previews. City admins and superusers
only; the writes are in checklist_editing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from . import checklist_editing as editing
from . import printing
from .forms import ItemRow as FillRow
from .models import ChecklistItem, ChecklistTemplate, ChecklistVersion, InspectionRecord


def _editor(request):
    if not editing.may_edit(request.user):
        raise PermissionDenied("只有市局管理员可以维护检查表。")


def _version(request, pk):
    _editor(request)
    return get_object_or_404(ChecklistVersion.objects.select_related("template"), pk=pk)


@login_required
def checklist_list(request):
    _editor(request)
    return render(
        request, "inspections/checklist_list.html", dict(editing.overview(), kinds=dict(InspectionRecord.Kind.choices))
    )


@login_required
@require_POST
def checklist_new_draft(request, pk):
    _editor(request)
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    try:
        draft = editing.new_draft(template)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("inspections:checklist_list")
    messages.success(request, f"已复制为{draft}（草稿）。修改后点“发布”即成为当前版本。")
    return redirect("inspections:checklist_edit", pk=draft.pk)


def _editor_context(version, draft, token):
    return {
        "version": version,
        "draft": draft,
        "token": token,
        "kinds": InspectionRecord.Kind.choices,
        "register_checks": ChecklistItem.RegisterCheck.choices,
        "field_types": editing.FIELD_TYPES.items(),
    }


@login_required
def checklist_edit(request, pk):
    version = _version(request, pk)
    if version.published:
        messages.info(request, f"{version}已发布，不能修改；如需修改请新建草稿版本。")
        return redirect("inspections:checklist_preview", pk=pk)
    if request.method != "POST":
        return render(
            request,
            "inspections/checklist_edit.html",
            _editor_context(version, editing.draft_of(version), editing.content_token(version)),
        )
    draft = editing.draft_from_post(request.POST)
    publish = request.POST.get("action") == "publish"
    try:
        editing.save_draft(version, draft, token=request.POST.get("token", ""), publish=publish)
    except editing.StaleDraft as exc:
        messages.error(request, exc.message)
        return render(
            request,
            "inspections/checklist_edit.html",
            _editor_context(version, draft, editing.content_token(version)),
            status=409,
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}
        draft.attach({name: " ".join(texts) for name, texts in errors.items()})
        messages.error(request, f"未保存：有{len(errors)}处需要修改，见下方标红的栏目。")
        return render(
            request,
            "inspections/checklist_edit.html",
            _editor_context(version, draft, request.POST.get("token", "")),
            status=400,
        )
    if publish:
        messages.success(request, f"{version}已发布，新派发的检查将使用此版本；已有检查记录仍使用填写时的版本。")
        return redirect("inspections:checklist_list")
    messages.success(request, "草稿已保存。")
    return redirect("inspections:checklist_edit", pk=pk)


@login_required
def checklist_item_row(request):
    """htmx: a blank item card (添加检查项) or a blank option row of an item (添加选项)."""
    _editor(request)
    context = {"register_checks": ChecklistItem.RegisterCheck.choices}
    item_key = request.GET.get("item", "")
    if item_key.isalnum():
        context.update(item=editing.ItemRow(item_key), option=editing.OptionRow(editing.new_key()))
        return render(request, "inspections/checklist_edit.html#option", context)
    if request.GET.get("extra"):
        context.update(extra=editing.ExtraRow(editing.new_key()), field_types=editing.FIELD_TYPES.items())
        return render(request, "inspections/checklist_edit.html#extra", context)
    context["item"] = editing.ItemRow(editing.new_key(), options=[editing.OptionRow(editing.new_key())])
    return render(request, "inspections/checklist_edit.html#item", context)


@login_required
def checklist_preview(request, pk):
    version = _version(request, pk)
    return render(
        request,
        "inspections/checklist_preview.html",
        {
            "version": version,
            "form": {"items": [FillRow(item) for item in version.items.all()], "errors": {}},
            "kinds": [label for value, label in InspectionRecord.Kind.choices if value in version.kinds],
        },
    )


@login_required
@xframe_options_sameorigin
def checklist_print(request, pk):
    """The print layout of the version as a blank form, framed in the preview page."""
    version = _version(request, pk)
    return render(request, "inspections/print.html", printing.blank_context(version))


@login_required
def checklist_pdf(request, pk):
    version = _version(request, pk)
    response = HttpResponse(printing.render_pdf(printing.blank_context(version)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="checklist-{version.pk}.pdf"'
    return response
