"""Public search of published random-check results by enterprise name or credit code, and an enterprise's public
result history (no login). Only results of published tasks appear; an enterprise without one has no public page
(the register itself is not public). The legal representative is masked; no phone or inspector is shown."""

from django.http import Http404
from django.shortcuts import render

from postlicense.randomcheck.models import Disclosure, Task
from postlicense.registry.credit_code import normalize_credit_code
from postlicense.registry.models import Enterprise

from .masking import mask_person

MAX_QUERY = 50
MAX_RESULTS = 100


def published_results():
    return Disclosure.objects.filter(drawn__task__state=Task.State.PUBLISHED).select_related(
        "drawn__task__issuing_unit"
    )


def search_results(q):
    """Enterprises with published results matching `q`: an 18-character credit code exactly, else the name."""
    q = q.strip()[:MAX_QUERY]
    if not q:
        return []
    code = normalize_credit_code(q)
    results = published_results()
    if len(code) == 18 and code.isalnum():
        results = results.filter(drawn__credit_code=code)
    else:
        results = results.filter(enterprise_name__icontains=q)
    found = {}
    for d in results.order_by("-published_at")[: MAX_RESULTS * 5]:
        entry = found.setdefault(
            d.drawn.credit_code, {"name": d.enterprise_name, "code": d.drawn.credit_code, "n": 0, "latest": d}
        )
        entry["n"] += 1
    return list(found.values())[:MAX_RESULTS]


def search(request):
    q = request.GET.get("q", "")
    return render(
        request, "portal/search.html", {"q": q[:MAX_QUERY], "results": search_results(q), "searched": bool(q.strip())}
    )


def enterprise(request, credit_code):
    results = list(published_results().filter(drawn__credit_code=credit_code).order_by("-published_at"))
    if not results:
        raise Http404("该企业没有已公示的检查结果。")
    company = Enterprise.objects.filter(credit_code=credit_code).select_related("region").first()
    return render(
        request,
        "portal/enterprise.html",
        {
            "name": results[0].enterprise_name,
            "credit_code": credit_code,
            "legal_representative": mask_person(company.legal_representative) if company else "",
            "region": company.region.full_name if company else "",
            "results": results,
        },
    )
