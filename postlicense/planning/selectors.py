"""Reads for planning: plans in scope, completion by unit and by class, behind-plan lists, to-do and archive."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Least
from django.urls import reverse

from postlicense.core.models import OrgUnit
from postlicense.followup.models import RectificationOrder
from postlicense.inspections.models import Problem
from postlicense.randomcheck.models import DrawnEnterprise
from postlicense.registry.models import Enterprise

from . import rules
from .models import Campaign, ClassChange, Plan, PlanEntry, Recheck

BEHIND = Q(done__lt=F("planned"))


def plans_for(user):
    return Plan.objects.for_user(user).select_related("org_unit", "approved_by")


def completion_aggregates():
    """Per group of plan entries: enterprises, required (planned) and finished inspections (done, capped at planned)
    and the enterprises behind plan (the reports' completion summary reads them too)."""
    return dict(
        enterprises=Count("pk"),
        required=Sum("planned"),
        finished=Sum(Least(F("done"), F("planned"))),
        behind=Count("pk", filter=BEHIND),
    )


def _row(row, **extra):
    row = {key: row.get(key) or 0 for key in ("enterprises", "required", "finished", "behind")}
    return {**row, **extra, "percent": rules.completion_percent(row["finished"], row["required"])}


def _totals(qs):
    return _row(qs.aggregate(**completion_aggregates()))


def plan_totals(plan):
    return totals_of(by_class(plan.entries.all()))


def totals_of(class_rows):
    """The plan's totals as the sum of its per-class rows (one aggregate for the page instead of two)."""
    keys = ("enterprises", "required", "finished", "behind")
    return _row({key: sum(row[key] for row in class_rows) for key in keys})


def by_class(entries):
    """Completion per supervision class (A–D) of the entries."""
    rows = {
        row["supervision_class"]: row
        for row in entries.order_by().values("supervision_class").annotate(**completion_aggregates())
    }
    return [_row(rows.get(cls, {}), cls=cls) for cls in Enterprise.SupervisionClass.values]


def completion(user, year):
    """(per plan (one per unit), per class) completion of the year's plans in the user's scope, from one
    GROUP BY (plan, class) over the entries' stored counts; both lists are sums of its rows."""
    plans = list(plans_for(user).filter(year=year).order_by("org_unit__region_id", "org_unit__name"))
    cells = (
        PlanEntry.objects.filter(plan__in=[plan.pk for plan in plans])
        .order_by()
        .values("plan", "supervision_class")
        .annotate(**completion_aggregates())
    )
    keys = ("enterprises", "required", "finished", "behind")
    per_plan, per_class = defaultdict(Counter), defaultdict(Counter)
    for cell in cells:
        counts = {key: cell[key] or 0 for key in keys}
        per_plan[cell["plan"]].update(counts)
        per_class[cell["supervision_class"]].update(counts)
    units = [_row(per_plan[plan.pk], plan=plan) for plan in plans]
    classes = [_row(per_class[cls], cls=cls) for cls in Enterprise.SupervisionClass.values]
    return units, classes


def behind_entries(plan):
    """The plan's enterprises with fewer inspections done than planned (the partial index plan_entry_behind)."""
    return plan.entries.filter(BEHIND).select_related("enterprise").order_by("enterprise_id")


def seek_entries(entries, after=None, before=None, size=50):
    """(rows, next_after, prev_before) of `entries` (ordered by enterprise_id) from `after` or `before`: a seek
    on (plan, enterprise) instead of OFFSET, so page 100 costs what page 1 does."""
    if before is not None:
        rows = list(entries.filter(enterprise_id__lt=before).order_by("-enterprise_id")[: size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return rows, rows[-1].enterprise_id if rows else None, rows[0].enterprise_id if more_before else None
    if after is not None:
        entries = entries.filter(enterprise_id__gt=after)
    rows = list(entries[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, rows[-1].enterprise_id if more else None, rows[0].enterprise_id if rows and after is not None else None


def entry_rows(plan):
    return plan.entries.select_related("enterprise").order_by("enterprise_id")


def expected_by(today: date, year: int) -> float:
    """The share of the year gone by `today` (the to-do list shows a deficit once the year is under way)."""
    if today.year != year:
        return 1.0 if today.year > year else 0.0
    return (today - date(year, 1, 1)).days / ((date(year + 1, 1, 1) - date(year, 1, 1)).days)


def todo_groups(user, today):
    """County staff (and the city): enterprises behind plan in the current year's approved plans of their units."""
    from postlicense.core.todo import ITEMS_PER_GROUP, TodoGroup, TodoItem

    if not user.is_bureau_staff:
        return []
    plans = plans_for(user).filter(year=today.year, status=Plan.Status.APPROVED)
    entries = PlanEntry.objects.filter(plan__in=plans).filter(BEHIND)
    total = entries.count()
    if not total:
        return []
    year_end = date(today.year, 12, 31)
    items = [
        TodoItem(
            title=f"{e.enterprise.name}：应检{e.planned}次，已检{e.done}次",
            url=reverse("planning:plan_detail", args=[e.plan_id]) + "?behind=1",
            due=year_end,
            note=f"年度计划 {year_end:%Y-%m-%d} 前完成",
        )
        for e in entries.select_related("enterprise").order_by("done", "enterprise_id")[:ITEMS_PER_GROUP]
    ]
    overdue = total if today > year_end else 0
    return [TodoGroup("年度检查计划未完成的企业", total, overdue, items, reverse("planning:completion"))]


def _rechecked_draws(enterprise):
    """The enterprise's draws in a re-check or campaign task (督查)."""
    return DrawnEnterprise.objects.filter(
        Q(task__recheck__isnull=False) | Q(task__campaign_visit__isnull=False), enterprise=enterprise
    )


def archive_sources(enterprise):
    """The rows archive_events reads (registry.archive: the archive skips it when none has a row)."""
    return [
        PlanEntry.objects.filter(enterprise=enterprise),
        ClassChange.objects.filter(enterprise=enterprise),
        _rechecked_draws(enterprise),
    ]


def archive_events(enterprise):
    from postlicense.registry.archive import ArchiveEvent

    events = []
    for entry in enterprise.plan_entries.select_related("plan__org_unit"):
        factors = "；".join(f["label"] for f in entry.factors)
        deficit = entry.planned - entry.done
        title = f"{entry.year}年度计划：应检{entry.planned}次，已检{entry.done}次" + (
            f"，尚差{deficit}次" if deficit > 0 else "，已完成"
        )
        events.append(
            ArchiveEvent(
                at=entry.plan.plan_date,
                kind="计划",
                title=title,
                detail=f"{entry.supervision_class}类" + (f"；提高频次因素：{factors}" if factors else ""),
                url=reverse("planning:plan_detail", args=[entry.plan_id]),
                link_if="is_bureau_staff",
            )
        )
    for change in enterprise.class_changes.all():
        events.append(
            ArchiveEvent(
                at=change.at,
                kind="分类",
                title=f"监管分类由{change.from_class}类调整为{change.to_class}类",
                detail=change.reason,
            )
        )
    for drawn in _rechecked_draws(enterprise).select_related("task"):
        events.append(
            ArchiveEvent(
                at=drawn.task.frozen_at or drawn.task.created_at, kind="督查", title=f"被抽中：{drawn.task.name}"
            )
        )
    return events


def is_city(user):
    return user.is_superuser or (
        user.is_bureau_staff and user.org_unit_id is not None and user.org_unit.kind == OrgUnit.Kind.CITY
    )


def with_orders(drawn):
    """The drawn rows of a re-check or cross-audit visit, each with `orders` (the 责令改正通知书 whose source is its
    record) and `unlisted` (its record's open problems not yet on an order): the pages show which findings have
    orders. Two queries whatever the number of rows."""
    drawn = list(drawn)
    ids = [d.inspection_id for d in drawn if d.inspection_id]
    orders = defaultdict(list)
    for order in RectificationOrder.objects.filter(source_record__in=ids).order_by("pk"):
        orders[order.source_record_id].append(order)
    unlisted = dict(
        Problem.objects.filter(record__in=ids, status=Problem.Status.OPEN, on_order=False)
        .order_by()
        .values("record")
        .annotate(n=Count("pk"))
        .values_list("record", "n")
    )
    for d in drawn:
        d.orders, d.unlisted = orders.get(d.inspection_id, []), unlisted.get(d.inspection_id, 0)
    return drawn


def rechecks_for(user):
    return Recheck.objects.for_user(user).select_related("county", "city", "task")


def campaigns_for(user):
    return Campaign.objects.for_user(user).select_related("organiser")


def home_cards(user, today):
    from postlicense.core.navigation import HomeCard

    if not user.is_bureau_staff:
        return []
    totals = _totals(PlanEntry.objects.filter(plan__in=plans_for(user).filter(year=today.year)))
    if not totals["enterprises"]:
        return []
    url = reverse("planning:completion")
    return [
        HomeCard("年度计划完成率", f"{totals['percent']}%", url, f"已完成{totals['finished']}/{totals['required']}次"),
        HomeCard("未完成计划企业", totals["behind"], url + "#by-unit"),
    ]
