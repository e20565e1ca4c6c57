from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render

from . import history, selectors
from .workdays import add_working_days


@login_required
def org_unit_list(request):
    return render(request, "core/org_unit_list.html", {"org_units": selectors.org_units_for(request.user)})


@login_required
def record_history(request, label, pk):
    obj, entries = selectors.record_history(request.user, label, pk)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = history.describe(page.object_list, type(obj))
    return render(request, "core/record_history.html", {"obj": obj, "page": page, "rows": rows})


@login_required
def calendar(request):
    years = selectors.calendar_years()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else date.today().year
    context = {"years": years, "year": year, "days": selectors.calendar_days(year)}
    start, n = request.GET.get("start"), request.GET.get("n")
    if start and n:
        try:
            context["result"] = add_working_days(date.fromisoformat(start), int(n))
        except ValueError:
            context["error"] = "请输入有效的日期（YYYY-MM-DD）和正整数天数。"
        except ValidationError as exc:
            context["error"] = exc.messages[0]
    template = "core/calendar.html#result" if request.htmx else "core/calendar.html"
    return render(request, template, context)
