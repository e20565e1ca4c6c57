"""Public disclosure pages (公众, no login): published random checks with their verifiable draw and results.
No inspector names, phones or other personal data appear here."""
from django.http import Http404
from django.shortcuts import render

from postlicense.randomcheck import selectors
from postlicense.randomcheck.views import candidates_file


def _published(pk):
    try:
        return selectors.public_tasks().get(pk=pk)
    except selectors.Task.DoesNotExist:
        raise Http404("未找到该公示。") from None


def random_check_list(request):
    return render(request, "portal/random_check_list.html", {"tasks": selectors.public_tasks()})


def random_check_detail(request, pk):
    task = _published(pk)
    return render(request, "portal/random_check_detail.html", {
        "task": task, "strata": selectors.strata_summary(task), "results": selectors.public_results(task),
        "drawn": selectors.public_drawn(task),
    })


def random_check_candidates(request, pk):
    return candidates_file(_published(pk))
