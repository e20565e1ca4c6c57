from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from postlicense.core.access import bureau_staff_required
from postlicense.registry.views import save_form

from . import exporting, selectors
from .forms import InspectorForm


def _filtered(request):
    return exporting.filtered(request.user, request.GET)


@bureau_staff_required("管理检查员名录")
def inspector_list(request):
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inspectors/inspector_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "rows": [(i, selectors.certificate_state(i, today)) for i in page],
        },
    )


@bureau_staff_required("管理检查员名录")
def inspector_export(request):
    return exporting.INSPECTORS.respond(request, _filtered(request)[1])


@bureau_staff_required("管理检查员名录")
def inspector_detail(request, pk):
    inspector = selectors.inspector_detail(request.user, pk)
    return render(
        request,
        "inspectors/inspector_detail.html",
        {
            "inspector": inspector,
            "state": selectors.certificate_state(inspector),
            "avoided": inspector.avoid_enterprises.for_user(request.user),
        },
    )


@bureau_staff_required("管理检查员名录")
def inspector_edit(request, pk=None):
    inspector = selectors.inspector_detail(request.user, pk) if pk else None
    form = InspectorForm(request.POST or None, instance=inspector, user=request.user)
    return save_form(
        request,
        form,
        "inspectors/inspector_form.html",
        {"inspector": inspector},
        lambda i: i.get_absolute_url(),
        "执法检查人员信息已保存。",
    )
