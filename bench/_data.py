"""Bench data shared by bench/draw.py and bench/task_pipeline.py: a PostgreSQL database of its own and a national
scale register written with COPY (no audit entries: a fixture, not user work).

The register: `enterprises` enterprises in `units` county units of 许昌市 (region 魏都区), their risk levels
interleaved row by row in 40/30/20/10% low/medium/medium_high/high, optionally one valid license each, and
`inspectors` inspectors spread evenly over the units (certificates valid to the end of 2027).
"""

import os
import time
from datetime import date
from pathlib import Path

# 40/30/20/10% low/medium/medium_high/high, interleaved: the freeze stores a task's candidates in credit-code
# order, and an enterprise's risk level has nothing to do with its credit code.
STRATUM_CYCLE = ("low", "medium", "low", "medium_high", "low", "medium", "high", "low", "medium", "medium_high")
UNIT_PREFIX = "bench-"


def backend_cpu():
    """CPU seconds (user + system) used so far by the PostgreSQL backend of Django's connection, read from /proc
    when the server runs on this machine (nan otherwise): its work for us, which this process's CPU time omits."""
    from django.db import connection

    connection.ensure_connection()
    try:
        stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
    except OSError:
        return float("nan")
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


# At module level, as the figures in README and docs were taken: its names are a dict's, not a function's locals
# (which run the same loop about twice as fast).
SPEED_LOOP = compile("total = 0\nfor i in range(3_000_000):\n    total += i * 3\n", "speed-loop", "exec")


def host_speed():
    """Seconds a fixed pure-Python loop (3 million multiply-adds) takes, the best of three: this shared host's
    speed varies by up to about 2x within an evening, so the benches print it beside their figures (0.22-0.27 s
    is the host's usual speed)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        exec(SPEED_LOOP, {})
        best = min(best, time.perf_counter() - started)
    return best


def host_speed_line():
    """The line the Chinese-speaking benches print with their figures."""
    return f"主机速度：固定纯 Python 循环 {host_speed():.2f} s（通常 0.22–0.27 s）"


def server_and_name(url):
    server, name = url.rsplit("/", 1)
    return server, name


def ensure_database(url, rebuild=False):
    """Create the database `url` names (dropping it first with `rebuild`)."""
    import psycopg

    server, name = server_and_name(url)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')  # our own constant name, not input from a request
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url):
    import psycopg

    server, name = server_and_name(url)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_rows(model, rows, template):
    """COPY rows of `model`; each row is `template`'s field values with the given overrides (by column)."""
    from django.db import connection

    from postlicense.core.bulk import insert_rows

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    base = {f.column: f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields}
    columns = [f.column for f in fields]
    insert_rows(
        connection,
        model._meta.db_table,
        columns,
        ([overrides.get(column, base[column]) for column in columns] for overrides in rows),
    )


def build_register(enterprises, units, inspectors, licenses=False):
    """Write the register described in the module docstring; returns (org units, inspectors written)."""
    from django.db import connection, transaction

    from postlicense.core.models import OrgUnit, Region
    from postlicense.inspectors.models import Inspector
    from postlicense.registry.models import Enterprise, License, ProductCategory

    started = time.perf_counter()
    region = Region.objects.get(code="411002")
    category = ProductCategory.objects.get_or_create(code="13", defaults={"name": "水泥"})[0]
    with transaction.atomic():
        org_units = [
            OrgUnit.objects.get_or_create(
                code=f"{UNIT_PREFIX}{u:03d}",
                defaults={"name": f"基准测试单位{u:03d}", "kind": OrgUnit.Kind.COUNTY, "region": region},
            )[0]
            for u in range(units)
        ]
        template = Enterprise(
            name="",
            credit_code="",
            legal_representative="张三",
            address="许昌市",
            region=region,
            supervising_unit=org_units[0],
            product_category=category,
        )

        def enterprise_rows():
            for n in range(enterprises):
                # Strata alternate from row to row and, as n // units grows, within each unit too.
                yield {
                    "name": f"基准企业{n}",
                    "credit_code": f"91{n:016d}",
                    "risk_level": STRATUM_CYCLE[(n + n // units) % len(STRATUM_CYCLE)],
                    "supervising_unit_id": org_units[n % units].pk,
                }

        copy_rows(Enterprise, enterprise_rows(), template)
        if licenses:
            # Read before the COPY starts: the connection cannot fetch while it copies.
            ids = list(
                Enterprise.objects.filter(name__startswith="基准企业")
                .order_by("credit_code")
                .values_list("pk", flat=True)
            )
            license_template = License(
                enterprise_id=0,
                product_category=category,
                number="",
                issue_date=date(2023, 1, 1),
                expiry_date=date(2028, 12, 31),
                issuing_authority="河南省市场监督管理局",
            )
            copy_rows(
                License,
                (
                    {"enterprise_id": pk, "number": f"豫XK13-{n // 100_000:03d}-{n % 100_000:05d}"}
                    for n, pk in enumerate(ids)
                ),
                license_template,
            )
        per_unit = inspectors // units
        inspector_template = Inspector(
            name="", org_unit=org_units[0], certificate_no="", certificate_valid_until=date(2027, 12, 31)
        )
        copy_rows(
            Inspector,
            (
                {"name": f"检查员{n}", "certificate_no": f"豫B{n:08d}", "org_unit_id": org_units[n // per_unit].pk}
                for n in range(per_unit * units)
            ),
            inspector_template,
        )
    with connection.cursor() as cursor:
        for table in ("registry_enterprise", "registry_license", "inspectors_inspector"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"built {enterprises:,} enterprises{' with a license each' if licenses else ''}, {units} org units, "
        f"{per_unit * units:,} inspectors in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return org_units, per_unit * units
