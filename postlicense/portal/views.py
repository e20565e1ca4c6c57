"""Public disclosure pages (公众, no login): random checks from the freeze of their candidate list on, with their
seed contributions, their drawn list and results once published, and how to verify the draw.
No inspector names, phones or other personal data appear here."""

from django.http import Http404
from django.shortcuts import redirect, render

from postlicense.randomcheck import selectors
from postlicense.randomcheck.draw import SEED_SEPARATOR, STRATA, STRATUM_LABELS
from postlicense.randomcheck.models import Task
from postlicense.randomcheck.views import candidates_file


def _public(pk):
    try:
        return selectors.public_tasks().get(pk=pk)
    except Task.DoesNotExist:
        raise Http404("未找到该公示。") from None


def _task_context(task):
    return {
        "task": task,
        "published": selectors.drawn_list_public(task),
        "cancellation": selectors.cancellation(task),
        "strata": selectors.strata_summary(task),
        "contributions": task.contributions.all(),
        "separator": SEED_SEPARATOR,
    }


def index(request):
    return render(request, "portal/index.html", {"sections": selectors.public_sections()})


def random_check_list(request):
    return redirect("portal:index", permanent=True)


def random_check_detail(request, pk):
    task = _public(pk)
    context = _task_context(task)
    return render(
        request,
        "portal/random_check_detail.html",
        {
            **context,
            "scope": selectors.scope_text(task),
            "ratios": selectors.ratios_text(task),
            "results": selectors.public_results(task),
            "drawn": selectors.public_drawn(task) if context["published"] else (),
        },
    )


def random_check_verify(request, pk):
    """如何验证: the method in words, the exact hash input, the candidate list and the ranks once published."""
    task = _public(pk)
    context = _task_context(task)
    drawn = list(selectors.public_drawn(task)) if context["published"] else []
    return render(
        request,
        "portal/random_check_verify.html",
        {
            **context,
            "drawn": drawn,
            "example": drawn[0] if drawn else None,
            "codes": [(STRATUM_LABELS[s], s) for s in STRATA],
        },
    )


def random_check_candidates(request, pk):
    task = _public(pk)
    if not selectors.drawn_list_public(task):
        raise Http404("候选名单在检查结果公示时公布。")
    return candidates_file(task)
