"""Planning at scale (issue 15 §9): required vs done for every enterprise of a province, and a county's
behind-plan page, on PostgreSQL with 1,000,000 enterprises and 5,000,000 inspection records.

    .venv/bin/python bench/planning.py                      # builds database bench_planning (kept; --reuse)
    .venv/bin/python bench/planning.py --size 200000 --records 1000000

Printed beside each figure: the floor, one `GROUP BY enterprise` over the year's finished records (the least
any computation of "done" must read), and the ratio (target ≤ 1.5×); the county page p95 (target < 200 ms).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

YEAR = 2026


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="bench_planning")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the requested size")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    from registry import prepare_postgres

    prepare_postgres(args)
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg_server}/{args.pg_db}",
        "DJANGO_SETTINGS_MODULE": "postlicense.settings",
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-media-"),
    }
    subprocess.run([sys.executable, __file__, "--worker", *sys.argv[1:]], env=env, check=True)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def worker(args):
    import django

    django.setup()
    from _bulk import build_records, build_register, percentile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from postlicense.core.models import OrgUnit, User
    from postlicense.inspections.models import InspectionRecord
    from postlicense.planning import selectors, services
    from postlicense.planning.models import Plan
    from postlicense.registry.models import Enterprise

    def out(text, end="\n"):
        print(text, end=end, flush=True)

    out(f"== {connection.vendor} ({connection.settings_dict['NAME']}) ==")
    call_command("migrate", verbosity=0)
    have = Enterprise.objects.count()
    if not (args.reuse and have >= args.size):
        out(f"  构建 {args.size:,} 家企业…")
        out(f"  用时 {build_register(args.size - have, out):.0f} s")
    if not (args.reuse and InspectionRecord.objects.count() >= args.records):
        out(f"  构建 {args.records:,} 条检查记录（COPY）…")
        out(f"  用时 {build_records(args.records - InspectionRecord.objects.count(), out=out):.0f} s")
    admin = User.objects.filter(username="bench-planner").first() or User.objects.create_user(
        "bench-planner", password="x", role=User.Role.CITY_ADMIN, org_unit=OrgUnit.objects.get(code="xuchang")
    )
    units = list(OrgUnit.objects.filter(region__code__startswith="41").exclude(kind=OrgUnit.Kind.CITY))
    if not Plan.objects.filter(year=YEAR).exists():
        t = time.perf_counter()
        from datetime import date

        for unit in units:
            services.generate_plan(unit, YEAR, date(YEAR, 1, 5), admin)
        out(f"  编制 {len(units)} 个单位的{YEAR}年度计划（含完成次数统计）：{time.perf_counter() - t:.1f} s")
    plans = list(Plan.objects.filter(year=YEAR, org_unit__in=units))
    entries = sum(p.entries.count() for p in plans)
    records = InspectionRecord.objects.count()
    out(f"  企业 {Enterprise.objects.count():,}，检查记录 {records:,}，河南省计划企业 {entries:,}")

    floor_sql = (
        "SELECT enterprise_id, COUNT(*) FROM inspections_inspectionrecord "
        "WHERE status = 'finished' AND inspection_date BETWEEN %s AND %s GROUP BY enterprise_id"
    )
    bounds = [f"{YEAR}-01-01", f"{YEAR}-12-31"]
    ours_sql, ours_params = services.completion_sql(plans, YEAR)
    # The previous form (before the one-aggregate rewrite): distinct enterprise-days, then a second aggregate.
    two_step_sql = (
        "SELECT e.id, e.enterprise_id, e.planned, COALESCE(d.n, 0) FROM planning_planentry e LEFT JOIN ("
        "SELECT enterprise_id, COUNT(*) AS n FROM (SELECT DISTINCT enterprise_id, inspection_date FROM "
        "inspections_inspectionrecord WHERE status = 'finished' AND inspection_date BETWEEN %s AND %s) days "
        "GROUP BY enterprise_id) d ON d.enterprise_id = e.enterprise_id WHERE e.plan_id IN ("
        + ", ".join(str(p.pk) for p in plans)
        + ")"
    )
    with connection.cursor() as cursor:
        # Index-only scans read the visibility map that autovacuum keeps in production; COPY leaves it unset.
        cursor.execute("VACUUM ANALYZE inspections_inspectionrecord")
        cursor.execute("VACUUM ANALYZE planning_planentry")

    def run(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    def explain(sql, params):
        """EXPLAIN (ANALYZE, BUFFERS): execution time and shared buffers, unaffected by fetching rows."""
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
        top = plan["Plan"]
        hit, read = top.get("Shared Hit Blocks", 0), top.get("Shared Read Blocks", 0)
        return f"EXPLAIN {plan['Execution Time']:7.0f} ms, buffers hit {hit:,} read {read:,}"

    floor = timed(lambda: run(floor_sql, bounds), args.repeat)
    ours = timed(lambda: run(ours_sql, ours_params), args.repeat)
    two_step = timed(lambda: run(two_step_sql, bounds), args.repeat)
    recount = timed(lambda: services.recount_plans(plans), args.repeat)
    out(
        f"  下限：一次 GROUP BY enterprise（{YEAR}年已完成记录）          {floor * 1000:8.0f} ms  {explain(floor_sql, bounds)}"
    )
    out(
        f"  全省每户应检与已检（计入类型、同日一次、与计划连接）{ours * 1000:8.0f} ms  = {ours / floor:.2f}× 下限  "
        + explain(ours_sql, ours_params)
    )
    out(
        f"  （改写前：先去重企业-日再计数，两次聚合）            {two_step * 1000:8.0f} ms  = {two_step / floor:.2f}× 下限  "
        + explain(two_step_sql, bounds)
    )
    out(
        f"  全省重算并写入已检次数（无变化时）                  {recount * 1000:8.0f} ms  = {recount / floor:.2f}× 下限"
    )

    county = OrgUnit.objects.get(code="xuchang-weidu")
    plan = Plan.objects.get(org_unit=county, year=YEAR)
    staff = User.objects.filter(username="bench-weidu").first() or User.objects.create_user(
        "bench-weidu", password="x", role=User.Role.COUNTY_STAFF, org_unit=county
    )
    client = Client()
    client.force_login(staff)
    behind = selectors.behind_entries(plan).count()
    out(f"  {county.name}：计划企业 {plan.entries.count():,}，未完成 {behind:,}")
    # Page 100 of the behind list: the seek link a reader reaches after 99 pages of 50.
    page_100 = selectors.behind_entries(plan).values_list("enterprise_id", flat=True)[99 * 50 - 1]
    for label, path in (
        ("未完成企业名单（第1页）", f"/planning/{plan.pk}/?behind=1"),
        ("未完成企业名单（第100页）", f"/planning/{plan.pk}/?behind=1&after={page_100}"),
        ("计划完成情况（全市按单位）", f"/planning/completion/?year={YEAR}"),
    ):
        times = []
        for n in range(args.requests + 3):
            t = time.perf_counter()
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            if n >= 3:
                times.append((time.perf_counter() - t) * 1000)
        out(
            f"  {label:<20} 中位数 {statistics.median(times):6.1f} ms  p95 {percentile(times, 95):6.1f} ms（目标 < 200 ms）"
        )
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        out(f"    {len(queries)} 条查询，最慢：{slowest['sql'][:90]}…  {explain(slowest['sql'], None)}")


if __name__ == "__main__":
    main()
