"""Reads for random-check tasks. Lists go through the jurisdiction scope: a county sees the tasks it issued
and its share (the drawn enterprises it supervises) of the city's tasks."""

from collections import defaultdict
from datetime import date

from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from postlicense.core.navigation import HomeCard
from postlicense.core.workdays import CalendarMissing
from postlicense.inspections.models import InspectionRecord
from postlicense.registry.models import Enterprise

from . import rules
from .draw import STRATA, STRATUM_LABELS, sample_size
from .models import Assignment, Disclosure, DrawnEnterprise, Swap, Task


def stratum_order(path="stratum"):
    """Orders rows low → medium → medium_high → high (the strings sort differently)."""
    return Case(*(When(**{path: stratum}, then=Value(i)) for i, stratum in enumerate(STRATA)))


def tasks_for(user):
    shared = DrawnEnterprise.objects.for_user(user).values("task")
    return Task.objects.filter(Q(pk__in=Task.objects.for_user(user).values("pk")) | Q(pk__in=shared)).select_related(
        "issuing_unit"
    )


def open_tasks(user):
    """Tasks not yet published nor cancelled (the home card and the list's 未完成 filter)."""
    return tasks_for(user).exclude(state__in=(Task.State.PUBLISHED, Task.State.CANCELLED))


def can_manage(user, task, owner) -> bool:
    """Draw, match, dispatch, complete and publish belong to the issuing unit (and the units above it); a task
    another app owns (owners.py: a city re-check, a cross-audit visit) to the unit that owner names, so the audited
    county or branch only reads it."""
    if owner:
        return owner.can_manage(user)
    return user.is_bureau_staff and Task.objects.for_user(user).filter(pk=task.pk).exists()


def step_bar(task):
    """Every state of the task in order, with the step that reached it (who, when) or None if not yet; 已取消 only
    for a cancelled task."""
    done = {step.state: step for step in task.steps.select_related("by")}
    return [
        (label, done.get(state))
        for state, label in Task.State.choices
        if state != Task.State.CANCELLED or state in done
    ]


def drawn_for(user, task):
    return (
        DrawnEnterprise.objects.for_user(user)
        .filter(task=task)
        .select_related("enterprise__supervising_unit", "enterprise__region", "inspection", "disclosure")
        .prefetch_related("assignments__inspector", "swaps__removed", "swaps__added", "swaps__by")
        .order_by("enterprise__supervising_unit__region_id", stratum_order(), "rank")
    )


def strata_summary(task):
    """Each stratum's ratio, n (frozen candidates) and k (drawn) — what the public page shows; None before the
    freeze (tasks drawn before the freeze was its own step have a seed but no freeze time)."""
    if task.frozen_at is None and not task.seed:
        return None
    counts = defaultdict(int)
    for stratum in task.candidates.order_by().values_list("stratum", flat=True).iterator():
        counts[stratum] += 1
    drawn = defaultdict(int)
    for stratum in task.drawn.order_by().values_list("stratum", flat=True):
        drawn[stratum] += 1
    return [
        {
            "stratum": s,
            "label": STRATUM_LABELS[s],
            "ratio": task.ratios[s],
            "n": counts[s],
            "k": sample_size(task.ratios[s], counts[s]),
            "drawn": drawn[s],
        }
        for s in STRATA
    ]


def row_status(drawn, today: date) -> dict:
    """What a drawn enterprise's row shows: outcome, dates and whether something is overdue."""
    result_day = rules.result_date(drawn)
    try:
        deadline, deadline_error = rules.disclosure_deadline(result_day, drawn.task.deadline), ""
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
        "inspection_overdue": bool(
            record and not record.is_locked and not drawn.not_inspected_reason and drawn.task.deadline < today
        ),
    }


def progress(rows) -> dict:
    """Completion rate = results / drawn; disclosure rate = published / drawn, as the national platform counts
    them (003 七(三): both 100% by the task's deadline)."""
    total = len(rows)
    done = sum(1 for _, status in rows if status["outcome"])
    disclosed = sum(1 for _, status in rows if status["disclosed"])
    return {
        "total": total,
        "done": done,
        "disclosed": disclosed,
        "completion_rate": rules.rate(done, total),
        "disclosure_rate": rules.rate(disclosed, total),
    }


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
    later = InspectionRecord.objects.filter(
        enterprise=OuterRef("enterprise"),
        status=InspectionRecord.Status.FINISHED,
        finished_at__gt=OuterRef("not_inspected_at"),
    )
    return (
        DrawnEnterprise.objects.for_user(user)
        .exclude(not_inspected_reason="")
        .filter(~Exists(later))
        .select_related("task", "enterprise__supervising_unit")
        .order_by("-not_inspected_at")
    )


def public_tasks():
    """Every task whose candidate list is frozen: from the freeze on, its digest and time, the seed contributions
    and, once cancelled, the reason are public (DESIGN "The draw must be verifiable")."""
    return Task.objects.filter(frozen_at__isnull=False).select_related("issuing_unit").order_by("-year", "-id")


def public_sections():
    """The public landing page: published tasks, tasks under way (list frozen), cancelled tasks."""
    tasks = list(public_tasks())
    return [
        ("已公示结果", [t for t in tasks if t.state == Task.State.PUBLISHED]),
        (
            "正在进行（候选名单已冻结）",
            [t for t in tasks if t.state not in (Task.State.PUBLISHED, Task.State.CANCELLED)],
        ),
        ("已取消", [t for t in tasks if t.state == Task.State.CANCELLED]),
    ]


def drawn_list_public(task) -> bool:
    """The drawn list, its ranks and the candidate list (from which anyone could rank) are public with the results."""
    return task.state == Task.State.PUBLISHED


def public_results(task):
    return (
        Disclosure.objects.filter(drawn__task=task)
        .select_related("drawn")
        .order_by(stratum_order("drawn__stratum"), "drawn__rank")
    )


def public_drawn(task):
    return task.drawn.select_related("enterprise").order_by(stratum_order(), "rank")


def step_at(task, state):
    return task.steps.filter(state=state).values_list("at", flat=True).first()


def scope_text(task) -> str:
    """The task's object scope in words (public page, task notice)."""
    regions = "、".join(r.name for r in task.regions.all()) or f"{task.issuing_unit.region.name}全部辖区"
    categories = "、".join(c.name for c in task.product_categories.all()) or "全部产品类别"
    statuses = "、".join(Enterprise.Status(s).label for s in task.statuses)
    text = f"{regions}；{categories}；生产状态为{statuses}，且在候选名单冻结当日持有有效生产许可证的获证企业"
    if task.exclude_recent_months:
        text += f"；不含最近{task.exclude_recent_months}个月内已在双随机抽查中接受检查的企业"
    return text


def ratios_text(task) -> str:
    return "，".join(f"{STRATUM_LABELS[s]}{task.ratios[s].normalize():f}%" for s in STRATA)


def check_items(task) -> str:
    """The checklist's items (the task notice's 检查事项)."""
    items = task.checklist.items.exclude(text="").order_by("position")
    return f"{task.checklist.title}：" + "；".join(f"{i.number}. {i.text}" if i.number else i.text for i in items)


def check_period(task) -> str:
    start = step_at(task, Task.State.DRAWN) or task.frozen_at
    begin = f"{timezone.localdate(start):%Y-%m-%d}" if start else ""
    return f"{begin}至{task.deadline:%Y-%m-%d}"


def cancellation(task):
    """The cancel step (who, when) of a cancelled task, else None."""
    return task.steps.filter(state=Task.State.CANCELLED).select_related("by").first()


def swaps_for(user, task):
    return (
        Swap.objects.for_user(user)
        .filter(drawn__task=task)
        .select_related("drawn__enterprise", "removed", "added", "by")
    )


def match_rows(user, task):
    return (
        Assignment.objects.for_user(user)
        .filter(drawn__task=task)
        .select_related("drawn__enterprise__supervising_unit", "inspector__org_unit", "removed_by")
        .order_by("drawn__enterprise__supervising_unit__region_id", "drawn__credit_code", "rank")
    )


def archive_events(enterprise):
    """质量档案: drawn in a random check, not inspected (停产/转产), result published."""
    from postlicense.registry.archive import ArchiveEvent

    events = []
    for drawn in enterprise.random_draws.select_related("task", "disclosure").prefetch_related("task__steps"):
        task = drawn.task
        url = reverse("randomcheck:task_detail", args=[task.pk])
        drawn_step = next((step for step in task.steps.all() if step.state == Task.State.DRAWN), None)
        if drawn_step:
            events.append(
                ArchiveEvent(
                    drawn_step.at,
                    "双随机",
                    f"抽中：{task.name}",
                    f"{drawn.get_stratum_display()}，排序值 {drawn.rank[:12]}…",
                    url,
                )
            )
        if drawn.not_inspected_reason:
            events.append(
                ArchiveEvent(
                    drawn.not_inspected_at,
                    "双随机",
                    f"因{drawn.get_not_inspected_reason_display()}未检查",
                    drawn.not_inspected_note,
                    url,
                )
            )
        if hasattr(drawn, "disclosure"):
            events.append(
                ArchiveEvent(
                    drawn.disclosure.published_at,
                    "公示",
                    f"结果公示：{drawn.disclosure.result}",
                    drawn.disclosure.problems_summary,
                    url,
                )
            )
    return events


def home_cards(user):
    if not user.is_bureau_staff:
        return []
    tracking = tracking_list(user).count()
    return [
        HomeCard(
            "双随机抽查任务",
            open_tasks(user).count(),
            reverse("randomcheck:task_list") + "?open=1",
            "未公示、未取消的任务",
        ),
        HomeCard(
            "停产/转产跟踪",
            tracking,
            reverse("randomcheck:tracking"),
            "因停产、转产未检查的企业（许昌双随机实施方案 七(五)）",
        ),
    ]
