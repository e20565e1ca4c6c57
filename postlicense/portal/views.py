"""Public disclosure pages (公众, no login): random checks from the freeze of their candidate list on, with their
seed contributions, their drawn list and results once published, and how to verify the draw.
No inspector names, phones or other personal data appear here."""

import hashlib
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.db.models import CharField, Count, Max, OuterRef, Subquery
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import condition

from postlicense.core.audit import model_label
from postlicense.core.models import AuditEntry
from postlicense.randomcheck import selectors
from postlicense.randomcheck.draw import SEED_SEPARATOR, STRATA, STRATUM_LABELS
from postlicense.randomcheck.models import Disclosure, SeedContribution, Task, TaskStep
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


def _latest(model, link, field):
    """(latest `field`, row count) of the task's `model` rows, as subqueries of one query."""
    rows = model.objects.filter(**{link: OuterRef("pk")}).order_by().values(link)
    return (
        Subquery(rows.annotate(v=Max(field)).values("v")),
        Subquery(rows.annotate(v=Count("pk")).values("v")),
    )


def task_version(pk):
    """When a public task page last changed, and a key of everything it shows that can change: every change of
    state (freeze, draw, publication, cancellation …) is a TaskStep, every seed contribution and published result
    a row with its time, and an edit in place of the task or of a published result (a cancellation's reason, an
    amended result) is an audit entry. Once published nothing else changes, so a browser that has the page
    revalidates it with one query and gets 304 Not Modified. None when the task is not public (the view then
    answers 404)."""
    disclosure_ids = Disclosure.objects.filter(drawn__task=OuterRef(OuterRef("pk"))).values(key=Cast("pk", CharField()))
    # Two lookups, not one with OR: each is a probe of the (model, object_id) index, where the OR made PostgreSQL
    # walk the whole audit table backwards from its newest entry (26 ms at 137,000 entries, growing with them).
    task_edits = AuditEntry.objects.filter(model=model_label(Task), object_id=Cast(OuterRef("pk"), CharField()))
    disclosure_edits = AuditEntry.objects.filter(model=model_label(Disclosure), object_id__in=disclosure_ids)
    step_at, steps = _latest(TaskStep, "task", "at")
    contribution_at, contributions = _latest(SeedContribution, "task", "entered_at")
    published_at, disclosures = _latest(Disclosure, "drawn__task", "published_at")
    row = (
        selectors.public_tasks()
        .filter(pk=pk)
        .annotate(
            step_at=step_at,
            step_count=steps,
            contribution_at=contribution_at,
            contribution_count=contributions,
            published_at=published_at,
            disclosure_count=disclosures,
            task_edit=Subquery(task_edits.order_by("-id").values("id")[:1]),
            disclosure_edit=Subquery(disclosure_edits.order_by("-id").values("id")[:1]),
        )
        .values(
            "state",
            "frozen_at",
            "step_at",
            "step_count",
            "contribution_at",
            "contribution_count",
            "published_at",
            "disclosure_count",
            "task_edit",
            "disclosure_edit",
        )
        .first()
    )
    if row is None:
        return None
    return max(t for t in (row["frozen_at"], row["step_at"], row["contribution_at"], row["published_at"]) if t), row


def _version(request, pk):
    """task_version, read once per request (condition() asks for the ETag and the Last-Modified time)."""
    if not hasattr(request, "_public_task_version"):
        request._public_task_version = task_version(pk)
    return request._public_task_version


def _last_modified(request, pk):
    """Only for visitors: a logged-in page shows who is logged in, which a time alone cannot tell apart."""
    version = None if request.user.is_authenticated else _version(request, pk)
    return version[0] if version else None


def _etag(request, pk):
    """The task's version, and for a logged-in user the session: the page then shows who is logged in and carries
    the CSRF token of the session's login (base.html's logout form), and a new login is a new session key."""
    version = _version(request, pk)
    if version is None:
        return None
    who = request.session.session_key if request.user.is_authenticated else ""
    return hashlib.sha256(f"{sorted(version[1].items())}|{who}".encode()).hexdigest()[:32]


def _kept_for_visitors(view):
    """A visitor's page is rendered once per version and process, then served from the cache (issue 12 item 7: the
    public read the result pages far more often than they change, and a browser that does not revalidate would
    otherwise cost the whole render each time). The key is the page's ETag, so any change the version sees is a
    new key; the copy is only a visitor's (no login, no pending message: base.html renders neither the user nor a
    CSRF token then), never a logged-in user's page."""

    @wraps(view)
    def wrapper(request, pk):
        etag = _etag(request, pk)
        if request.user.is_authenticated or etag is None or len(messages.get_messages(request)):
            return view(request, pk)
        key = f"portal:{view.__name__}:{pk}:{etag}"
        kept = cache.get(key)
        if kept is not None:
            return HttpResponse(kept, content_type="text/html; charset=utf-8")
        response = view(request, pk)
        if response.status_code == 200:
            cache.set(key, response.content, VISITOR_COPY_SECONDS)
        return response

    return wrapper


VISITOR_COPY_SECONDS = 600


def cached_task_page(view):
    return condition(etag_func=_etag, last_modified_func=_last_modified)(_kept_for_visitors(view))


def index(request):
    return render(request, "portal/index.html", {"sections": selectors.public_sections()})


def random_check_list(request):
    return redirect("portal:index", permanent=True)


@cached_task_page
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


@cached_task_page
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
