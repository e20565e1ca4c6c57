"""The completion summary's maintained counts (docs/reports.md "Counts"): per (region, supervising unit, class, year,
day, metric) what the summary counts, so a province reads a few thousand rows instead of its millions of records.

Exactness rests on one rule: an enterprise's contribution is a function of its own rows (the enterprise, its records,
problems, orders, tests, cases, escalations and plan entries), computed by the same queries whether for one
enterprise or all (SPECS). Whatever writes such a row marks the enterprise stale in the same transaction (the model
signals in apps.py, the bulk writers through the core.changes hooks); `settle` then takes each stale enterprise's
last contribution (EnterpriseCount) back out of CompletionCount and adds the one it has now. Every reader settles
first, so what it reads is the from-scratch count of the committed data (tests/test_counts.py compares them).

A dated metric counts for a period of year Y cut on C when its row has year Y and day <= C: the period starts on
1 January (the summary's parts are 上半年 and 全年), so the day is the first cut at which the thing counts —
the record's date, the later of a problem's record date and its closing date, the enterprise's first finished
record of the year.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import ExtractYear, Greatest, TruncDate

from postlicense.core.bulk import insert_rows
from postlicense.core.scoping import unit_q
from postlicense.followup.models import Case, Escalation, RectificationOrder
from postlicense.followup.selectors import overdue_from
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.planning.models import PlanEntry
from postlicense.planning.selectors import completion_aggregates
from postlicense.registry.models import Enterprise
from postlicense.supervision.models import TestOrder
from postlicense.supervision.selectors import failed_tests

from .models import CompletionCount, EnterpriseCount, Metric, StaleEnterprise


# What the summary counts, shared by the plain computation (completion.recompute) and the counts.
def licensed_enterprises():
    return Enterprise.objects.exclude(status=Enterprise.Status.CANCELLED)


def finished_records():
    return InspectionRecord.objects.filter(status=InspectionRecord.Status.FINISHED)


def counted_problems():
    """The problems of finished records, less those a later edit of the record superseded."""
    return Problem.objects.filter(record__status=InspectionRecord.Status.FINISHED).exclude(
        status=Problem.Status.SUPERSEDED
    )


RECTIFIED = Q(status=Problem.Status.CLOSED)


@dataclass(frozen=True)
class Spec:
    metric: int
    queryset: object  # () -> QuerySet
    prefix: str  # the path to the enterprise
    n: object  # the aggregate counted
    year: object = None  # expression; None: every period (year 0)
    day: object = None  # expression; None: the whole year
    day_aggregate: bool = False  # `day` is an aggregate over the enterprise's rows of the year


PROBLEM_DAY = F("record__inspection_date")
PLAN = completion_aggregates()


def _dated(metric, queryset, field, prefix="enterprise__", n=None):
    return Spec(
        metric, queryset, prefix, n or Count("pk"), ExtractYear(field), F(field) if isinstance(field, str) else field
    )


def _specs():
    dated_records = lambda: finished_records().filter(inspection_date__isnull=False)  # noqa: E731
    dated_problems = lambda: counted_problems().filter(record__inspection_date__isnull=False)  # noqa: E731
    orders = RectificationOrder.objects.all
    S = RectificationOrder.Status
    escalated = TruncDate("proposed_at")
    return [
        Spec(Metric.ENTERPRISES, licensed_enterprises, "", Count("pk")),
        *(
            Spec(metric, PlanEntry.objects.all, "enterprise__", PLAN[name], F("year"))
            for metric, name in [
                (Metric.ENTERED, "enterprises"),
                (Metric.REQUIRED, "required"),
                (Metric.FINISHED, "finished"),
                (Metric.BEHIND, "behind"),
            ]
        ),
        Spec(
            Metric.INSPECTED,
            dated_records,
            "enterprise__",
            Count("enterprise_id", distinct=True),
            ExtractYear("inspection_date"),
            Min("inspection_date"),
            day_aggregate=True,
        ),
        _dated(Metric.RECORDS, dated_records, "inspection_date"),
        Spec(Metric.FOUND, dated_problems, "enterprise__", Count("pk"), ExtractYear(PROBLEM_DAY), PROBLEM_DAY),
        Spec(
            Metric.RECTIFIED,
            lambda: dated_problems().filter(RECTIFIED, closed_at__isnull=False),
            "enterprise__",
            Count("pk"),
            ExtractYear(PROBLEM_DAY),
            Greatest(PROBLEM_DAY, TruncDate("closed_at")),
        ),
        _dated(Metric.ORDERS, orders, "issued_on"),
        _dated(Metric.ORDERS_OPEN, lambda: orders().filter(status__in=RectificationOrder.OPEN_STATUSES), "issued_on"),
        _dated(Metric.ORDERS_PERSISTING, lambda: orders().filter(status=S.PERSISTING), "issued_on"),
        _dated(Metric.ORDERS_CLOSED, lambda: orders().filter(status=S.CLOSED), "issued_on"),
        Spec(
            Metric.ORDERS_OVERDUE,
            lambda: (
                orders()
                .filter(status__in=RectificationOrder.OPEN_STATUSES)
                .alias(overdue=overdue_from())
                .filter(overdue__isnull=False)
            ),
            "enterprise__",
            Count("pk"),
            ExtractYear("issued_on"),
            Greatest("issued_on", overdue_from()),
        ),
        _dated(Metric.TESTS, lambda: TestOrder.objects.filter(sampling_date__isnull=False), "sampling_date"),
        _dated(Metric.FAILED, lambda: failed_tests().filter(report_date__isnull=False), "report_date"),
        _dated(Metric.CASES, Case.objects.all, "referred_on"),
        Spec(
            Metric.ESCALATIONS,
            Escalation.objects.all,
            "order__enterprise__",
            Count("pk"),
            ExtractYear(escalated),
            escalated,
        ),
    ]


SPECS = _specs()
KEY_COLUMNS = "region_id, unit_id, supervision_class, year, day, metric"


def _contribution_sql(spec, ids):
    """SELECT (enterprise_id, region_id, unit_id, supervision_class, year, day, metric, n) of the enterprises `ids`
    (None: all) for one metric, grouped per enterprise and key."""
    p = spec.prefix
    qs = spec.queryset()
    if ids is not None:
        qs = qs.filter(**{f"{p}pk__in": ids})
    keys = {
        "k_enterprise": F(f"{p}pk"),
        "k_region": F(f"{p}region_id"),
        "k_unit": F(f"{p}supervising_unit_id"),
        "k_class": F(f"{p}supervision_class"),
    }
    if spec.year is not None:
        keys["k_year"] = spec.year
    if spec.day is not None and not spec.day_aggregate:
        keys["k_day"] = spec.day
    per_group = {"k_day": spec.day} if spec.day_aggregate else {}
    sql, params = qs.values(**keys).annotate(**per_group, k_n=spec.n).order_by().query.sql_with_params()
    year = "q.k_year" if spec.year is not None else "0"
    day = "q.k_day" if spec.day is not None else "CAST(NULL AS date)"
    select = (
        f"SELECT q.k_enterprise, q.k_region, q.k_unit, q.k_class, {year}, {day}, {int(spec.metric)}, q.k_n "
        f"FROM ({sql}) q WHERE q.k_n <> 0"
    )
    return select, params


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _count(cursor, ids, sign):
    """Add (sign 1) or take back (-1) the stored contributions of the enterprises `ids` (None: all) to the counts."""
    where, params = ("", []) if ids is None else (f"WHERE enterprise_id IN ({', '.join(['%s'] * len(ids))})", ids)
    cursor.execute(
        f"INSERT INTO {_table(CompletionCount)} ({KEY_COLUMNS}, n) SELECT {KEY_COLUMNS}, {sign} * SUM(n) "
        f"FROM {_table(EnterpriseCount)} {where} GROUP BY {KEY_COLUMNS} HAVING SUM(n) <> 0",
        params,
    )


def _contribute(cursor, ids):
    """Store the contributions of the enterprises `ids` (None: all) as they are now: one statement."""
    selects = [_contribution_sql(spec, ids) for spec in SPECS]
    cursor.execute(
        f"INSERT INTO {_table(EnterpriseCount)} (enterprise_id, {KEY_COLUMNS}, n) "
        + " UNION ALL ".join(sql for sql, _ in selects),
        [param for _, params in selects for param in params],
    )


def _lock(cursor):
    """One settle, rebuild or fold at a time (SQLite's IMMEDIATE transactions already serialise writers)."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('postlicense.reports.counts'))")


def mark_stale(enterprise_ids):
    """The enterprises whose rows changed in this transaction (any iterable of ids; repeats are fine)."""
    rows = [(pk,) for pk in set(enterprise_ids) if pk is not None]
    if rows:
        insert_rows(connection, StaleEnterprise._meta.db_table, ["enterprise_id"], rows)


BATCH = 5000


def settle():
    """Bring the counts up to the committed data: recount the stale enterprises. Returns how many."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        cursor.execute(f"DELETE FROM {_table(StaleEnterprise)} RETURNING enterprise_id")
        ids = sorted({row[0] for row in cursor.fetchall()})
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            _count(cursor, chunk, -1)
            cursor.execute(
                f"DELETE FROM {_table(EnterpriseCount)} WHERE enterprise_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            _contribute(cursor, chunk)
            _count(cursor, chunk, 1)
    return len(ids)


def rebuild():
    """The counts from scratch (after data written around the services, e.g. a bench's SQL fixtures)."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        for model in (StaleEnterprise, EnterpriseCount, CompletionCount):
            cursor.execute(f"DELETE FROM {_table(model)}")
        _contribute(cursor, None)
        _count(cursor, None, 1)


def fold():
    """Fold the appended rows into one per key (the daily run): reads stay a scan of distinct keys."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        cursor.execute(
            f"SELECT {KEY_COLUMNS}, SUM(n) FROM {_table(CompletionCount)} GROUP BY {KEY_COLUMNS} HAVING SUM(n) <> 0"
        )
        rows = cursor.fetchall()
        cursor.execute(f"DELETE FROM {_table(CompletionCount)}")
        insert_rows(connection, CompletionCount._meta.db_table, [*KEY_COLUMNS.split(", "), "n"], rows)
    return len(rows)


def read(unit, period, cut):
    """{metric: {(supervising unit name, class): n}} for the unit's jurisdiction, the period and the cut."""
    if period.start != date(period.year, 1, 1):
        raise ValueError("the counts serve periods that start on 1 January")
    settle()
    this_year = Q(year=period.year) & (Q(day__isnull=True) | Q(day__lte=cut))
    rows = (
        CompletionCount.objects.filter(unit_q(CompletionCount, unit))
        .filter(Q(year=0) | this_year)
        .values("unit__name", "supervision_class", "metric")
        .annotate(n=Sum("n"))
        .order_by()
    )
    counted = {metric: {} for metric in Metric}
    for row in rows:
        if row["n"]:
            counted[row["metric"]][(row["unit__name"], row["supervision_class"])] = row["n"]
    return counted
