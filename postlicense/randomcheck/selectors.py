"""Reads for random-check tasks. Lists go through the jurisdiction scope: a county sees the tasks it issued
and its share (the drawn enterprises it supervises) of the city's tasks."""
from collections import defaultdict
from datetime import date

from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse

from postlicense.core.navigation import HomeCard
from postlicense.core.workdays import CalendarMissing
from postlicense.inspections.models import InspectionRecord

from . import rules
from .draw import STRATA, STRATUM_LABELS, sample_size
from .models import Assignment, Disclosure, DrawnEnterprise, Swap, Task


def stratum_order(path="stratum"):
    """Orders rows low → medium → medium_high → high (the strings sort differently)."""
    return Case(*(When(**{path: stratum}, then=Value(i)) for i, stratum in enumerate(STRATA)))


def tasks_for(user):
    shared = DrawnEnterprise.objects.for_user(user).values("task")
    return Task.objects.filter(Q(pk__in=Task.objects.for_user(user).values("pk")) | Q(pk__in=shared)).select_related("issuing_unit")


def can_manage(user, task) -> bool:
    """Draw, match, dispatch, complete and publish belong to the issuing unit (and the units above it)."""
    return user.is_bureau_staff and Task.objects.for_user(user).filter(pk=task.pk).exists()


def step_bar(task):
    """Every state of the task in order, with the step that reached it (who, when) or None if not yet."""
    done = {step.state: step for step in task.steps.select_related("by")}
    return [(label, done.get(state)) for state, label in Task.State.choices]


def drawn_for(user, task):
    return (DrawnEnterprise.objects.for_user(user).filter(task=task)
            .select_related("enterprise__supervising_unit", "enterprise__region", "inspection", "disclosure")
            .prefetch_related("assignments__inspector", "swaps__removed", "swaps__added", "swaps__by")
            .order_by("enterprise__supervising_unit__region_id", stratum_order(), "rank"))


def strata_summary(task):
    """Each stratum's ratio, n (frozen candidates) and k (drawn) — what the public page shows."""
    counts = defaultdict(int)
    for stratum in task.candidates.order_by().values_list("stratum", flat=True).iterator():
        counts[stratum] += 1
    drawn = defaultdict(int)
    for stratum in task.drawn.order_by().values_list("stratum", flat=True):
        drawn[stratum] += 1
    return [
        {"stratum": s, "label": STRATUM_LABELS[s], "ratio": task.ratios[s], "n": counts[s],
         "k": sample_size(task.ratios[s], counts[s]), "drawn": drawn[s]}
        for s in STRATA
    ]


def row_status(drawn, today: date) -> dict:
    """What a drawn enterprise's row shows: outcome, dates and whether something is overdue."""
    result_day = rules.result_date(drawn)
    try:
        deadline, deadline_error = rules.disclosure_deadline(result_day), ""
    except CalendarMissing as exc:
        deadline, deadline_error = None, exc.messages[0]
    disclosed = hasattr(drawn, "disclosure")
    record = drawn.inspection
    return {
        "outcome": rules.outcome(drawn),
        "result": rules.result_label(drawn),
        "result_day": result_day,
        "disclosure_deadline": deadline,
        "deadline_error": deadline_error,
        "disclosed": disclosed,
        "disclosure_overdue": bool(deadline and not disclosed and deadline < today),
        "inspection_overdue": bool(record and not record.is_locked and not drawn.not_inspected_reason
                                   and drawn.task.deadline < today),
    }


def progress(rows) -> dict:
    """Completion rate = results / drawn; disclosure rate = published / results (003 七(三): both 100%)."""
    total = len(rows)
    done = sum(1 for _, status in rows if status["outcome"])
    disclosed = sum(1 for _, status in rows if status["disclosed"])
    return {"total": total, "done": done, "disclosed": disclosed,
            "completion_rate": rules.rate(done, total), "disclosure_rate": rules.rate(disclosed, done)}


def task_overview(user, task, today: date | None = None) -> dict:
    today = today or date.today()
    rows = [(drawn, row_status(drawn, today)) for drawn in drawn_for(user, task)]
    by_unit = defaultdict(list)
    for drawn, status in rows:
        by_unit[drawn.enterprise.supervising_unit].append((drawn, status))
    return {
        "rows": rows,
        "progress": progress(rows),
        "units": [{"unit": unit, **progress(unit_rows)} for unit, unit_rows in by_unit.items()],
        "overdue": [(d, s) for d, s in rows if s["disclosure_overdue"] or s["inspection_overdue"]],
        "not_inspected": [(d, s) for d, s in rows if d.not_inspected_reason],
    }


def active_assignments(drawn):
    return [a for a in drawn.assignments.all() if a.removed_by_id is None]


def tracking_list(user):
    """003 七(五): enterprises not inspected for 停产/转产 stay listed until a later inspection is finished."""
    later = InspectionRecord.objects.filter(enterprise=OuterRef("enterprise"), status=InspectionRecord.Status.FINISHED,
                                            finished_at__gt=OuterRef("not_inspected_at"))
    return (DrawnEnterprise.objects.for_user(user).exclude(not_inspected_reason="").filter(~Exists(later))
            .select_related("task", "enterprise__supervising_unit").order_by("-not_inspected_at"))


def public_tasks():
    """Tasks with at least one published (公示) result: their draw, candidate list and results are public."""
    published = Disclosure.objects.filter(drawn__task=OuterRef("pk"))
    return (Task.objects.filter(Q(state=Task.State.PUBLISHED) | Exists(published))
            .select_related("issuing_unit").order_by("-year", "-id"))


def public_results(task):
    return (Disclosure.objects.filter(drawn__task=task).select_related("drawn")
            .order_by(stratum_order("drawn__stratum"), "drawn__rank"))


def public_drawn(task):
    return task.drawn.select_related("enterprise").order_by(stratum_order(), "rank")


def swaps_for(user, task):
    return Swap.objects.for_user(user).filter(drawn__task=task).select_related("drawn__enterprise", "removed", "added", "by")


def match_rows(user, task):
    return (Assignment.objects.for_user(user).filter(drawn__task=task)
            .select_related("drawn__enterprise__supervising_unit", "inspector__org_unit", "removed_by")
            .order_by("drawn__enterprise__supervising_unit__region_id", "drawn__credit_code", "rank"))


def archive_events(enterprise):
    """质量档案: drawn in a random check, not inspected (停产/转产), result published."""
    from postlicense.registry.archive import ArchiveEvent

    events = []
    for drawn in enterprise.random_draws.select_related("task", "disclosure").prefetch_related("task__steps"):
        task = drawn.task
        url = reverse("randomcheck:task_detail", args=[task.pk])
        drawn_step = next((step for step in task.steps.all() if step.state == Task.State.DRAWN), None)
        if drawn_step:
            events.append(ArchiveEvent(drawn_step.at, "双随机", f"抽中：{task.name}",
                                       f"{drawn.get_stratum_display()}，排序值 {drawn.rank[:12]}…", url))
        if drawn.not_inspected_reason:
            events.append(ArchiveEvent(drawn.not_inspected_at, "双随机",
                                       f"因{drawn.get_not_inspected_reason_display()}未检查", drawn.not_inspected_note, url))
        if hasattr(drawn, "disclosure"):
            events.append(ArchiveEvent(drawn.disclosure.published_at, "公示", f"结果公示：{drawn.disclosure.result}",
                                       drawn.disclosure.problems_summary, url))
    return events


def home_cards(user):
    if not user.is_bureau_staff:
        return []
    tasks = tasks_for(user)
    open_tasks = tasks.exclude(state=Task.State.PUBLISHED).count()
    tracking = tracking_list(user).count()
    return [
        HomeCard("双随机抽查任务", open_tasks, reverse("randomcheck:task_list"), "未公示的任务"),
        HomeCard("停产/转产跟踪", tracking, reverse("randomcheck:tracking"), "因停产、转产未检查的企业（003 七(五)）"),
    ]
