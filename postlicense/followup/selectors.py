"""Reads of follow-up (orders, revisits, escalations): every list through the jurisdiction scope (for_user), the
to-do groups bounded (a count, an overdue count, the first items), overdue as a query on stored due dates."""

import uuid

from django.apps import apps
from django.db.models import Case, Count, DateField, Func, OuterRef, Q, Subquery, When
from django.db.models.functions import Least
from django.urls import reverse
from django.utils import timezone

from postlicense.core import todo
from postlicense.core.models import OrgUnit
from postlicense.inspections.models import InspectionRecord, Problem

from .models import Escalation, OrderItem, RectificationOrder, Revisit

S = RectificationOrder.Status
OPEN_PROBLEM = (Problem.Status.OPEN, Problem.Status.PERSISTING)

# What falls to the county, as filters on orders (each with the date it is due by, and what "overdue" means).
TO_SERVE = Q(status=S.ISSUED, served_on__isnull=True)
REPORTED = Q(status=S.REPORTED)
EXPIRED = Q(status=S.ISSUED, served_on__isnull=False)  # with deadline < today: the term ran out, revisit due
AWAITING = Q(status=S.AWAITING_REVISIT)


def orders_for(user):
    return RectificationOrder.objects.for_user(user).select_related("enterprise", "unit")


def filter_orders(qs, *, status="", q="", overdue="", today=None):
    if status == "open":
        qs = qs.filter(status__in=RectificationOrder.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(enterprise__name__icontains=q) | Q(enterprise__credit_code=q))
    if overdue and today:
        qs = qs.filter(overdue_q(today))
    return qs


REVISIT_PENDING = Q(status__in=[S.ISSUED, S.REPORTED])  # with revisit_due < today: the revisit is overdue


def overdue_q(today):
    """Overdue orders: the term ran out without a report, or the revisit is due and not dispatched."""
    return (EXPIRED & Q(deadline__lt=today)) | (REVISIT_PENDING & Q(revisit_due__lt=today))


class NextDay(Func):
    """The day after a date column."""

    output_field = DateField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} + 1)", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '+1 day')", params


def overdue_from():
    """The first day `overdue_q(day)` holds for an order as its status and dates stand now — the day after its
    deadline or revisit date, whichever is earlier — or NULL: an expression, for counts kept by day (reports)."""
    term, revisit = EXPIRED & Q(deadline__isnull=False), REVISIT_PENDING & Q(revisit_due__isnull=False)
    deadline, revisit_due = NextDay("deadline"), NextDay("revisit_due")
    return Case(
        When(term & revisit, then=Least(deadline, revisit_due)),
        When(term, then=deadline),
        When(revisit, then=revisit_due),
        output_field=DateField(),
    )


def order_by_token(token):
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    return RectificationOrder.objects.filter(submission_token=token).first()


def issuable_problems(record):
    """The open problems of a finished record that no open order lists yet."""
    listed = Problem.objects.filter(order_items__order__status__in=RectificationOrder.OPEN_STATUSES).values("pk")
    return record.problems.filter(status__in=OPEN_PROBLEM).exclude(pk__in=listed).select_related("finding__item")


def order_source(record):
    """(issuing unit, source label) of an order for a finished record's problems: the enterprise's supervising unit
    and the record's kind and date, unless the app that dispatched the record names them through the AppConfig hook
    `order_source(record) -> (unit, label) | None` (planning: a city re-check is followed up by the city, 002
    第十条、第十九条; a cross audit by the audited branch, 000 三、2)."""
    for config in apps.get_app_configs():
        hook = getattr(config, "order_source", None)
        found = hook(record) if hook else None
        if found:
            return found
    return record.enterprise.supervising_unit, f"{record.get_kind_display()}（{record.inspection_date:%Y-%m-%d}）"


def may_issue(user, unit) -> bool:
    """Staff of the issuing unit or of a unit above it (a city for its counties, a 新区局 for its 分局)."""
    return user.is_superuser or (user.is_bureau_staff and OrgUnit.objects.for_user(user).filter(pk=unit.pk).exists())


def unlisted_problems(user):
    """Open problems of finished records, in the user's scope, that no order lists yet (orders still to issue): the
    stored marker `on_order` (set by issue_order), read from the partial index problem_unlisted_by_age. Problems of
    records whose orders a unit outside the user's jurisdiction issues (AppConfig hook
    `order_records_elsewhere(user) -> InspectionRecord ids | None`: a city re-check's, for the county) are not the
    user's to put on an order."""
    qs = Problem.objects.for_user(user).filter(status=Problem.Status.OPEN, on_order=False)
    for config in apps.get_app_configs():
        hook = getattr(config, "order_records_elsewhere", None)
        elsewhere = hook(user) if hook else None
        if elsewhere is not None:
            qs = qs.exclude(record__in=elsewhere)
    return qs


def pending_records(user):
    """The finished records with problems still to put on an order, oldest first, with how many."""
    ids = unlisted_problems(user).values("record")
    return (
        InspectionRecord.objects.filter(pk__in=ids)
        .select_related("enterprise")
        .annotate(unlisted=Count("problems", filter=Q(problems__status=Problem.Status.OPEN, problems__on_order=False)))
        .order_by("finished_at", "pk")
    )


def order_view(order, user):
    staff = user.is_bureau_staff
    revisits = order.revisits.select_related("record")
    return {
        "order": order,
        "items": order.items.select_related("problem__closed_via").annotate(
            # the order that follows the problem now (services.current_order_item): the last to take it up
            current_order=Subquery(
                OrderItem.objects.filter(problem=OuterRef("problem")).order_by("-pk").values("order")[:1]
            )
        ),
        "reports": order.reports.prefetch_related("attachments").select_related("submitted_by"),
        "revisits": revisits,
        "escalations": order.escalations.select_related("decided_by", "result_order", "proposal"),
        "escalated": order.escalated_orders.all(),
        "can_serve": staff and order.served_on is None,
        "can_report": order.served_on is not None and order.status in (S.ISSUED, S.REPORTED),
        "can_revisit": staff and order.served_on is not None and order.status in (S.ISSUED, S.REPORTED),
        "staff": staff,
        "today": timezone.localdate(),
    }


def revisits_for(user):
    return Revisit.objects.for_user(user).select_related("order__enterprise", "record")


# --- to-do ----------------------------------------------------------------------------------------------------


def _number_and_name(order):
    return f"{order.number} {order.enterprise.name}"


def _first(qs, order):
    """The group's first items: their keys picked from the scope's partial index alone (region range, sort of the
    index entries), then only those rows read; reading every row of the county's range to sort it cost ~15,000 pages
    at a million enterprises."""
    keys = qs.order_by(*order).values("pk")[: todo.ITEMS_PER_GROUP]
    return qs.model.objects.filter(pk__in=keys).order_by(*order)


def _staff_groups(user, today, url):
    orders = RectificationOrder.objects.for_user(user).select_related("enterprise")
    groups = []
    pending = unlisted_problems(user)
    total = pending.count()
    if total:
        first = _first(pending, ("opened_at", "pk")).select_related("enterprise")
        items = [
            todo.TodoItem(
                f"{p.enterprise.name}：{p.description[:40]}",
                reverse("followup:order_new", args=[p.record_id]),
                None,
                "检查发现的问题，尚未列入通知书",
            )
            for p in first
        ]
        groups.append(todo.TodoGroup("待下达责令改正通知书的问题", total, 0, items, reverse("followup:pending")))
    # the three order groups' totals and overdue counts in one aggregate over the orders still to act on
    n = orders.filter(status__in=[S.ISSUED, S.REPORTED]).aggregate(
        to_serve=Count("pk", filter=TO_SERVE),
        reported=Count("pk", filter=REPORTED),
        reported_late=Count("pk", filter=REPORTED & Q(revisit_due__lt=today)),
        expired=Count("pk", filter=EXPIRED & Q(deadline__lt=today)),
        expired_late=Count("pk", filter=EXPIRED & Q(deadline__lt=today, revisit_due__lt=today)),
    )
    specs = [
        (
            "待送达的责令改正通知书",
            "to_serve",
            None,
            orders.filter(TO_SERVE),
            None,
            "status=issued",
            _number_and_name,
            lambda o: f"签发于 {o.issued_on:%Y-%m-%d}，送达后起算整改期限",
        ),
        (
            "企业已报告整改，待审阅并安排复查",
            "reported",
            "reported_late",
            orders.filter(REPORTED),
            "revisit_due",
            "status=reported",
            _number_and_name,
            lambda o: o.revisit_due_text,
        ),
        (
            "整改期满，待派发复查",
            "expired",
            "expired_late",
            orders.filter(EXPIRED, deadline__lt=today),
            "revisit_due",
            "status=issued&overdue=1",
            lambda o: f"{_number_and_name(o)}（整改期满未报告）",
            lambda o: o.revisit_due_text,
        ),
    ]
    for label, total, late, qs, due, query, title, note in specs:
        if n[total]:
            first = _first(qs, (due or "issued_on", "pk")).select_related("enterprise")
            items = [
                todo.TodoItem(title(o), o.get_absolute_url(), getattr(o, due) if due else None, note(o)) for o in first
            ]
            groups.append(todo.TodoGroup(label, n[total], n[late] if late else 0, items, f"{url}?{query}"))
    escalations = Escalation.objects.for_user(user).filter(status=Escalation.Status.PROPOSED)
    first = list(_first(escalations, ("proposed_at", "pk")).select_related("order__enterprise"))
    if first:
        total = len(first) if len(first) < todo.ITEMS_PER_GROUP else escalations.count()
        items = [
            todo.TodoItem(
                f"{e.get_kind_display()}：{e.order.enterprise.name}（{e.order.number}）",
                e.order.get_absolute_url(),
                None,
                "系统根据复查结果提出，须经人员确认",
            )
            for e in first
        ]
        groups.append(todo.TodoGroup("待确认的升级建议", total, 0, items, f"{url}?status=persisting"))
    return groups


def todo_groups(user, today):
    url = reverse("followup:order_list")
    if user.is_bureau_staff:
        return _staff_groups(user, today, url)
    if user.role == user.Role.INSPECTOR:
        revisits = Revisit.objects.for_user(user).filter(record__status__in=InspectionRecord.OPEN_STATUSES)
        total = revisits.count()
        if not total:
            return []
        overdue = revisits.filter(record__due_date__lt=today).count()
        first = revisits.select_related("order__enterprise", "record").order_by("record__due_date", "pk")[
            : todo.ITEMS_PER_GROUP
        ]
        items = [
            todo.TodoItem(
                f"复查 {r.order.enterprise.name}（{r.order.number}）",
                r.record.get_fill_url(),
                r.record.due_date,
                f"复查完成期限 {r.record.due_date:%Y-%m-%d}",
            )
            for r in first
        ]
        return [todo.TodoGroup("待完成的回访/复查", total, overdue, items, reverse("followup:revisit_list"))]
    if user.role == user.Role.ENTERPRISE:
        orders = RectificationOrder.objects.for_user(user).filter(status=S.ISSUED, served_on__isnull=False)
        total = orders.count()
        if not total:
            return []
        first = orders.order_by("deadline", "pk")[: todo.ITEMS_PER_GROUP]
        items = [
            todo.TodoItem(f"{o.number}（{o.title}）", o.get_absolute_url(), o.deadline, o.deadline_text) for o in first
        ]
        overdue = orders.filter(deadline__lt=today).count()
        return [todo.TodoGroup("待整改并报告的通知书", total, overdue, items, url)]
    return []


def overdue_by_county(user, today):
    """各县逾期情况: per supervising unit in the user's scope, the orders to serve, terms run out, revisits overdue and
    escalations waiting (one grouped query over the orders' copy of the enterprise's unit, then the units)."""
    orders = RectificationOrder.objects.for_user(user).filter(
        status__in=[*RectificationOrder.OPEN_STATUSES, S.PERSISTING]
    )
    rows = {
        r["supervising_unit"]: r
        for r in orders.values("supervising_unit").annotate(
            open=Count("pk", filter=Q(status__in=RectificationOrder.OPEN_STATUSES)),
            to_serve=Count("pk", filter=TO_SERVE),
            expired=Count("pk", filter=EXPIRED & Q(deadline__lt=today)),
            revisit_overdue=Count("pk", filter=Q(status__in=[S.ISSUED, S.REPORTED], revisit_due__lt=today)),
            persisting=Count("pk", filter=Q(status=S.PERSISTING)),
        )
    }
    units = OrgUnit.objects.in_bulk([k for k in rows if k])
    table = [dict(rows[k], unit=units[k]) for k in rows if k in units]
    table.sort(key=lambda r: (-r["revisit_overdue"] - r["expired"], r["unit"].name))
    return table
