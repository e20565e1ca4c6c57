"""Bulk fixtures shared by benchmarks: the register comes from bench/registry.py's `build` (imported), the
inspection records are written here with COPY (no audit entries: a fixture, not user work)."""

import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from registry import build as build_register  # noqa: E402,F401  (bench/registry.py)
from registry import percentile  # noqa: E402,F401

KIND_WEIGHTS = {
    "patrol": 30,
    "periodic": 25,
    "random_check": 15,
    "revisit": 10,
    "special": 5,
    "unscheduled": 5,
    "flight": 3,
    "cross_audit": 2,
}
STATUS_WEIGHTS = {"finished": 85, "not_carried_out": 5, "assigned": 10}


def _constant(field, now):
    """The value a column takes in every fixture row: the field's default, or NULL."""
    if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
        return now
    if field.has_default():
        value = field.get_default()
        return json.dumps(value) if field.get_internal_type() == "JSONField" else value
    return None if field.null else ""


def build_records(count, years=(2025, 2026), out=print, seed=7):
    """`count` inspection records over the register's enterprises: kinds and statuses by the weights above,
    inspection dates spread over `years` (finished ones); several records may share an enterprise-day."""
    from django.db import connection

    from postlicense.core.bulk import insert_rows
    from postlicense.inspections.models import InspectionRecord
    from postlicense.inspections.selectors import current_template
    from postlicense.registry.models import Enterprise

    rng = random.Random(seed)
    template = current_template("production_conditions_004")
    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "supervising_unit_id", "region_id"))
    now = datetime.now(UTC)
    fields = [f for f in InspectionRecord._meta.concrete_fields if not f.primary_key]
    varying = {
        "enterprise",
        "region",
        "kind",
        "org_unit",
        "template_version",
        "status",
        "inspection_date",
        "conclusion",
        "finished_at",
        "due_date",
    }
    constants = {f.name: _constant(f, now) for f in fields if f.name not in varying}
    columns = [f.column for f in fields]
    kinds, kind_w = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    statuses, status_w = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    first = date(years[0], 1, 1)
    span = (date(years[-1], 11, 30) - first).days

    def rows():
        for _ in range(count):
            enterprise_id, unit_id, region_id = enterprises[rng.randrange(len(enterprises))]
            status = rng.choices(statuses, status_w)[0]
            day = first + timedelta(days=rng.randrange(span))
            varying_values = {
                "enterprise": enterprise_id,
                "region": region_id,
                "kind": rng.choices(kinds, kind_w)[0],
                "org_unit": unit_id,
                "template_version": template.pk,
                "status": status,
                "inspection_date": day if status == "finished" else None,
                "conclusion": ("qualified" if rng.random() < 0.9 else "unqualified") if status == "finished" else "",
                "finished_at": datetime.combine(day, datetime.min.time(), UTC) if status == "finished" else None,
                "due_date": day + timedelta(days=30),
            }
            yield [varying_values[f.name] if f.name in varying else constants[f.name] for f in fields]

    started = time.perf_counter()
    insert_rows(connection, InspectionRecord._meta.db_table, columns, rows())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {InspectionRecord._meta.db_table}")
    return time.perf_counter() - started
