from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from postlicense.core import exports
from postlicense.core.access import bureau_staff_required
from postlicense.core.scoping import get_scoped_or_404

from . import exporting, selectors, services
from .archive import timeline
from .forms import EnterpriseFilterForm, EnterpriseForm, ImportForm, KeyEquipmentForm, LicenseForm
from .models import KeyEquipment, License
from .xlsx import sheets


def _int(value):
    return int(value) if value and value.isdigit() else None


@login_required
def enterprise_list(request):
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    page = selectors.enterprise_list(
        request.user, form.to_filter(), after=_int(request.GET.get("after")), before=_int(request.GET.get("before"))
    )
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    context = {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()}
    template = "registry/enterprise_list.html#results" if request.htmx else "registry/enterprise_list.html"
    return render(request, template, context)


@bureau_staff_required("修改名录")
def enterprise_export(request):
    return exporting.ENTERPRISES.respond(request, exporting.enterprise_rows(request.user, request.GET))


@login_required
def enterprise_detail(request, pk):
    enterprise = selectors.enterprise_detail(request.user, pk)
    today = timezone.localdate()
    licenses = list(selectors.licenses_of(enterprise))
    marks = selectors.license_marks(licenses)
    licenses = [(lic, selectors.license_state(lic, today), marks.get(lic.pk, [])) for lic in licenses]
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "licenses": licenses,
            "equipment": selectors.equipment_of(enterprise),
            "events": timeline(enterprise, request.user),
            "can_edit": request.user.is_bureau_staff,
        },
    )


def save_form(request, form, template, context, success_url, message):
    """Shared by every create/edit page: a failed save re-renders with what the user typed and field errors; a stale
    edit (another person saved since the page was loaded, core.concurrency) is refused the same way."""
    if request.method == "POST" and form.is_valid() and form.save_checked() is not None:
        messages.success(request, message)
        return redirect(success_url(form.instance))
    return render(request, template, {**context, "form": form})


@bureau_staff_required("修改名录")
def enterprise_edit(request, pk=None):
    enterprise = selectors.enterprise_detail(request.user, pk) if pk else None
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    return save_form(
        request,
        form,
        "registry/enterprise_form.html",
        {"enterprise": enterprise},
        lambda e: e.get_absolute_url(),
        "企业信息已保存。",
    )


@bureau_staff_required("修改名录")
def license_edit(request, enterprise_pk, pk=None):
    enterprise = selectors.enterprise_detail(request.user, enterprise_pk)
    lic = (
        get_scoped_or_404(License.objects.filter(enterprise=enterprise), request.user, pk=pk)
        if pk
        else License(enterprise=enterprise, product_category=enterprise.product_category)
    )
    form = LicenseForm(request.POST or None, instance=lic)
    return save_form(
        request,
        form,
        "registry/child_form.html",
        {"enterprise": enterprise, "title": f"许可证 {lic.number}" if pk else "新增许可证"},
        lambda obj: enterprise.get_absolute_url(),
        "许可证已保存。",
    )


@bureau_staff_required("修改名录")
def equipment_edit(request, enterprise_pk, pk=None):
    enterprise = selectors.enterprise_detail(request.user, enterprise_pk)
    item = (
        get_scoped_or_404(KeyEquipment.objects.filter(enterprise=enterprise), request.user, pk=pk)
        if pk
        else KeyEquipment(enterprise=enterprise)
    )
    form = KeyEquipmentForm(request.POST or None, instance=item)
    return save_form(
        request,
        form,
        "registry/child_form.html",
        {"enterprise": enterprise, "title": f"设备 {item}" if pk else "新增关键设备"},
        lambda obj: enterprise.get_absolute_url(),
        "设备已保存。",
    )


IMPORT_PAGES = {
    services.ImportKind.ENTERPRISES: ("registry:enterprise_list", "企业名录"),
    services.ImportKind.INSPECTORS: ("inspectors:inspector_list", "执法人员"),
}


@bureau_staff_required("修改名录")
def import_upload(request, kind):
    if kind not in services.ImportKind.values:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.start_import(request.user, kind, form.cleaned_data["file"])
        return redirect("registry:import_job", pk=job.pk)
    return render(
        request,
        "registry/import_upload.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": services.ImportKind(kind).label,
            "back": IMPORT_PAGES[kind],
            "columns": services.import_kinds()[kind].COLUMNS,
        },
    )


@bureau_staff_required("修改名录")
def import_template(request, kind):
    if kind not in services.ImportKind.values:
        raise PermissionDenied
    module = services.import_kinds()[kind]
    notes = [
        "带 * 的列必填；第一行列标题请勿修改。",
        "任何一行有误时整个文件都不会导入，请按错误报告修改后重新上传。",
    ]
    return exports.download(
        f"{services.ImportKind(kind).label}导入模板.xlsx",
        sheets(module.COLUMNS, module.TEMPLATE_EXAMPLE, "导入数据", notes),
        f"import-template-{kind}.xlsx",
    )


@bureau_staff_required("修改名录")
def import_job(request, pk):
    job = selectors.import_job_for(request.user, pk)
    template = "registry/import_job.html#progress" if request.htmx else "registry/import_job.html"
    sheet = services.SHEET_OF_JOB[job.kind]
    return render(request, template, {"job": job, "sheet": sheet, "back": IMPORT_PAGES[sheet]})
