"""Reads for supervision testing, complaints and notices; every list goes through the jurisdiction scope."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.urls import reverse

from postlicense.core.models import User
from postlicense.core.scoping import get_scoped_or_404

from .models import Complaint, LinkageNotice, NoticeEntry, TestingLab, TestOrder

S = TestOrder.Status
OPEN_TEST_STATUSES = [S.ORDERED, S.SAMPLED, S.SENT, S.RECEIVED, S.REPORTED, S.NOTIFIED, S.RETEST]


def tests_for(user):
    return TestOrder.objects.for_user(user).select_related("enterprise", "lab", "product_category")


def filter_tests(qs, status="", result="", q=""):
    if status == "open":
        qs = qs.filter(status__in=OPEN_TEST_STATUSES)
    elif status in S.values:
        qs = qs.filter(status=status)
    if result in TestOrder.Result.values:
        qs = qs.filter(result=result)
    if q:
        qs = qs.filter(Q(enterprise__name__contains=q) | Q(product__contains=q) | Q(number__icontains=q))
    return qs


def test_detail(user, pk):
    return get_scoped_or_404(tests_for(user), user, pk=pk)


def labs_for(user):
    """The register of the user's city (a lab's qualification is public: every logged-in user may read the
    register, a user with a unit sees their own city's)."""
    qs = TestingLab.objects.for_user(user)
    if user.org_unit_id:
        qs = qs.filter(region__code__startswith=user.org_unit.region_id[:4])
    return qs.prefetch_related("scopes__product_category")


def labs_for_order(order):
    """The labs of the city the tested enterprise lies in (a lab register is kept by the city)."""
    return TestingLab.objects.filter(region__code__startswith=order.enterprise.region_id[:4]).order_by("name")


def complaints_for(user):
    return Complaint.objects.for_user(user).select_related("enterprise", "assigned_unit", "inspection")


def notices_for(user):
    """The city's notices, and for a county those that list an enterprise or lead in its jurisdiction."""
    listed = NoticeEntry.objects.for_user(user).values("notice")
    return LinkageNotice.objects.filter(Q(pk__in=LinkageNotice.objects.for_user(user).values("pk")) | Q(pk__in=listed))


def leads_for(user, open_only=False):
    qs = NoticeEntry.objects.for_user(user).filter(enterprise__isnull=True).select_related("notice", "assigned_unit")
    return qs.filter(concluded_at__isnull=True) if open_only else qs


def failed_tests(enterprises=None):
    """Tests whose report found the product 不合格 (the follow-up app issues its rectification order from these)."""
    qs = TestOrder.objects.filter(result=TestOrder.Result.UNQUALIFIED).select_related("enterprise", "product_category")
    return qs if enterprises is None else qs.filter(enterprise__in=enterprises)


@dataclass(frozen=True)
class RaisingFactor:
    """Why an enterprise's inspection frequency rises (004 六: 举报投诉、监督抽查结果、通报)."""

    kind: str  # "failed_test" / "complaint" / "linkage_notice"
    label: str
    source: str  # what a person reads: the test, complaint or notice number
    on: date
    url: str


def raising_factors(enterprises, year):
    """{enterprise id: [RaisingFactor]} for events dated in `year` or the year before (a plan for `year` is drawn up
    near its start, from what happened in the year before and what happens during it)."""
    ids = [getattr(e, "pk", e) for e in enterprises]
    since, until = date(year - 1, 1, 1), date(year, 12, 31)
    factors = {pk: [] for pk in ids}
    for t in failed_tests(ids).filter(report_date__range=(since, until)):
        factors[t.enterprise_id].append(
            RaisingFactor(
                "failed_test", "监督检验不合格", f"{t.number} {t.product}", t.report_date, t.get_absolute_url()
            )
        )
    for c in Complaint.objects.filter(enterprise__in=ids, substantiated=True, answered_date__range=(since, until)):
        factors[c.enterprise_id].append(
            RaisingFactor("complaint", "举报投诉属实", c.number, c.answered_date, c.get_absolute_url())
        )
    for e in NoticeEntry.objects.filter(enterprise__in=ids, notice__received_date__range=(since, until)).select_related(
        "notice"
    ):
        factors[e.enterprise_id].append(
            RaisingFactor(
                "linkage_notice",
                e.notice.get_source_display() + "通报",
                e.notice.doc_no,
                e.notice.received_date,
                e.notice.get_absolute_url(),
            )
        )
    return factors


@dataclass(frozen=True)
class RiskItem:
    """A line of the risk problem list (风险问题清单): a failed supervision test."""

    enterprise: object
    product: str
    cause: str
    hazard_level: str
    measures: str
    on: date
    url: str


def risk_items(user, year=None):
    """The failed tests in the user's jurisdiction (optionally those reported in `year`), worst hazard first."""
    qs = failed_tests().filter(pk__in=TestOrder.objects.for_user(user).values("pk"))
    if year:
        qs = qs.filter(report_date__year=year)
    return risk_items_of(qs)


def risk_items_of(qs):
    """The risk list lines of these failed tests (a queryset of failed_tests()), worst hazard first."""
    worst_first = {"serious": 0, "major": 1, "general": 2}
    items = []
    for t in sorted(qs, key=lambda t: (worst_first.get(t.hazard_level, 3), -t.report_date.toordinal(), t.pk)):
        measures = ["列入风险问题清单", "提高检查频次"]
        if t.stop_selling_date:
            measures.insert(0, f"{t.stop_selling_date:%Y-%m-%d} 责令停止销售同一产品（{t.stop_selling_method}）")
        items.append(
            RiskItem(
                t.enterprise,
                t.product,
                f"监督检验不合格：{t.failed_items}",
                t.get_hazard_level_display(),
                "；".join(measures),
                t.report_date,
                t.get_absolute_url(),
            )
        )
    return items


# --- to-do ----------------------------------------------------------------------------------------------------

TODO_STEPS = [
    # (label, statuses, due field, due text field, who: bureau / inspector / enterprise)
    ("待抽样的监督检验", [S.ORDERED], None, None, ("bureau", "inspector")),
    ("待送检的样品（抽样后7日内）", [S.SAMPLED], "sending_due", "sending_due_text", ("bureau", "inspector")),
    ("待检验机构出具报告", [S.RECEIVED], "report_due", "report_due_text", ("bureau",)),
    ("检验不合格：复检申请期限", [S.NOTIFIED], "retest_due", "retest_due_text", ("bureau", "enterprise")),
]


def _audience(user):
    if user.is_bureau_staff:
        return "bureau"
    return {User.Role.INSPECTOR: "inspector", User.Role.ENTERPRISE: "enterprise"}.get(user.role)


def todo_groups(user, today, limit):
    from postlicense.core.todo import TodoGroup, TodoItem

    audience = _audience(user)
    groups = []
    base = TestOrder.objects.for_user(user)
    steps = [step for step in TODO_STEPS if audience in step[4]]
    # every step's total and overdue count in one aggregate, then the first items of the steps with any
    counts = {}
    for n, (_, statuses, due_field, _, _) in enumerate(steps):
        counts[f"total{n}"] = Count("pk", filter=Q(status__in=statuses))
        if due_field:
            counts[f"overdue{n}"] = Count("pk", filter=Q(status__in=statuses, **{f"{due_field}__lt": today}))
    counts = base.aggregate(**counts) if counts else {}
    for n, (label, statuses, due_field, text_field, _) in enumerate(steps):
        total = counts[f"total{n}"]
        if not total:
            continue
        qs = base.filter(status__in=statuses)
        overdue = counts.get(f"overdue{n}", 0)
        first = qs.select_related("enterprise").order_by(due_field or "id", "id")[:limit]
        groups.append(
            TodoGroup(
                label,
                total,
                overdue,
                [
                    TodoItem(
                        f"{t.enterprise.name} · {t.product}",
                        t.get_absolute_url(),
                        getattr(t, due_field) if due_field else None,
                        getattr(t, text_field) if text_field else "",
                    )
                    for t in first
                ],
                reverse("supervision:test_list") + "?status=" + statuses[0],
            )
        )
    if audience == "bureau":
        # 抽查办法 第四十六条: a failure whose 复检 was concluded and that has no order yet (a 复查 sampling escalates)
        unordered = base.filter(
            status=S.HANDLED, result=TestOrder.Result.UNQUALIFIED, rectification_order__isnull=True
        ).filter(source_order__isnull=True)
        total = unordered.count()
        if total:
            groups.append(
                TodoGroup(
                    "检验不合格待责令改正",
                    total,
                    0,
                    [
                        TodoItem(f"{t.enterprise.name} · {t.product}", t.get_absolute_url(), t.handled_date)
                        for t in unordered.select_related("enterprise").order_by("handled_date", "id")[:limit]
                    ],
                    reverse("supervision:test_list") + "?result=unqualified",
                )
            )
        complaints = Complaint.objects.for_user(user).exclude(status=Complaint.Status.ANSWERED)
        total = complaints.count()
        if total:
            groups.append(
                TodoGroup(
                    "待办结的举报投诉",
                    total,
                    complaints.filter(answer_due__lt=today).count(),
                    [
                        TodoItem(f"{c.number} {c.target}", c.get_absolute_url(), c.answer_due, c.answer_due_text)
                        for c in complaints.select_related("enterprise").order_by("answer_due", "id")[:limit]
                    ],
                    reverse("supervision:complaint_list") + "?status=open",
                )
            )
        leads = leads_for(user, open_only=True)
        total = leads.count()
        if total:
            groups.append(
                TodoGroup(
                    "待核查的疑似无证生产线索",
                    total,
                    0,
                    [
                        TodoItem(f"{e.credit_code} {e.enterprise_name}", reverse("supervision:lead_list"))
                        for e in leads.order_by("id")[:limit]
                    ],
                    reverse("supervision:lead_list"),
                )
            )
    return groups
