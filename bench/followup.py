"""Follow-up at scale (issue 13 §14): a county's to-do list and the city's overdue-by-county page at 1,000,000
enterprises, 2,000,000 problems and 500,000 rectification orders on PostgreSQL, and the daily reminder run.

    .venv/bin/python bench/followup.py                    # builds database bench_followup on 127.0.0.1:5432
    .venv/bin/python bench/followup.py --reuse            # keeps a database that already holds the data
    .venv/bin/python bench/followup.py --size 100000      # a tenth of everything, for a quick look

The enterprises and licenses come from bench/registry.py's build (imported). Then, in SQL (INSERT … SELECT over
generate_series; a fixture, not user work, so no audit entries): one finished inspection record per enterprise,
two problems per record, and an order for every second record listing both, as in a system that has run for years:
85 % of orders closed, the rest to serve, within term, term run out, reported, awaiting revisit or persisting (with a
proposed escalation); problems open while their order is, and one record in fifty still waiting for its order. Orders,
escalations and problems carry their enterprise's region (and the order its supervising unit), as the app copies
them. On a reused database the pending migrations are applied, then the tables VACUUM ANALYZEd.
Timed through the Django test client (median and p95 over `--requests` requests, after 3 warm-up requests):
/core/todo/ as a 魏都区 county staff (every app's to-do groups, follow-up's among them) and
/followup/orders/overdue/ as the 许昌 city admin. Beside each, a floor: the bare COUNT of the rows the page counts.
Then core.reminders.send_reminders for the demo-style users (one staff, admin and inspector login per unit).
Target: p95 < 100 ms for both pages.
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

from bench.registry import build, percentile, prepare_postgres  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="enterprises (problems: 2×, orders: size/2)")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="bench_followup")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the requested size")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    prepare_postgres(args)
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg_server}/{args.pg_db}",
        "DJANGO_SETTINGS_MODULE": "postlicense.settings",
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-media-"),
    }
    subprocess.run([sys.executable, __file__, "--worker", *sys.argv[1:]], env=env, check=True)


def _literal(field, value):
    import json

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return "now()"
    if value is None:
        return "NULL"
    if isinstance(value, (dict, list)):
        return f"'{json.dumps(value)}'::jsonb"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def insert_select(model, values, source):
    """INSERT INTO <model's table> (every concrete column) SELECT <values or the field default> FROM <source>."""
    from django.db import connection

    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            exprs.append(values[field.column])
        elif field.null:
            exprs.append("NULL")
        else:
            exprs.append(_literal(field, field.get_default()))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def build_followup(out):

    from postlicense.followup.models import Escalation, OrderItem, RectificationOrder
    from postlicense.inspections.models import InspectionRecord, Problem
    from postlicense.inspections.selectors import current_template

    started = time.perf_counter()
    version = current_template("production_conditions_004")
    n = insert_select(
        InspectionRecord,
        {
            "enterprise_id": "e.id",
            "region_id": "e.region_id",
            "kind": "'periodic'",
            "template_version_id": str(version.pk),
            "org_unit_id": "e.supervising_unit_id",
            "due_date": "DATE '2026-06-01' + (e.id % 150)::int",
            "inspection_date": "DATE '2026-05-25' + (e.id % 150)::int",
            "status": "'finished'",
            "conclusion": "'unqualified'",
            "finished_at": "TIMESTAMPTZ '2026-05-25 10:00+08' + make_interval(days => (e.id % 150)::int)",
        },
        "registry_enterprise e",
    )
    out(f"  检查记录 {n:,} 条  {time.perf_counter() - started:.0f} s")
    # an order for every second record; as in a system that has run for years, most are closed: by id, states
    # 0-1 to serve / within term, 2 term run out, 3 reported, 4 awaiting revisit, 5 persisting, 6-39 closed
    state = "(r.id / 2 % 40)"
    n = insert_select(
        RectificationOrder,
        {
            "number": "'许市监责改〔2026〕' || r.id || '号'",
            "unit_id": "r.org_unit_id",
            "year": "2026",
            "seq": "r.id",
            "enterprise_id": "r.enterprise_id",
            "source_kind": "'inspection'",
            "source_label": "'定期监督检查'",
            "source_record_id": "r.id",
            "measure": "'correct'",
            "legal_basis": "'白城事中事后监管办法 第十条'",
            "period_key": "'rectification'",
            "period_days": "30",
            "issued_on": "r.inspection_date + 3",
            "status": f"CASE WHEN {state} < 3 THEN 'issued' WHEN {state} = 3 THEN 'reported'"
            f" WHEN {state} = 4 THEN 'awaiting_revisit' WHEN {state} = 5 THEN 'persisting' ELSE 'closed' END",
            "served_on": f"CASE WHEN {state} = 0 THEN NULL ELSE r.inspection_date + 5 END",
            "service_method": f"CASE WHEN {state} = 0 THEN '' ELSE 'direct' END",
            "receiver": "'张三'",
            "deadline": f"CASE WHEN {state} = 0 THEN NULL WHEN {state} = 1 THEN DATE '2026-12-01' + (r.id % 20)::int"
            " ELSE r.inspection_date + 35 END",
            "deadline_text": "'整改期限（送达后30日）'",
            "revisit_due": f"CASE WHEN {state} = 0 THEN NULL WHEN {state} = 1 THEN DATE '2026-12-15' + (r.id % 15)::int"
            " ELSE r.inspection_date + 49 END",
            "revisit_due_text": "'复查期限（整改期满后10工作日）'",
            "region_id": "e.region_id",
            "supervising_unit_id": "e.supervising_unit_id",
        },
        "inspections_inspectionrecord r JOIN registry_enterprise e ON e.id = r.enterprise_id WHERE r.id % 2 = 0",
    )
    out(f"  通知书 {n:,} 份  {time.perf_counter() - started:.0f} s")
    # two problems per record: open or persisting while the record's order is open, closed with it; a record without
    # an order has closed problems, except one in fifty whose order is still to be issued
    n = insert_select(
        Problem,
        {
            "enterprise_id": "r.enterprise_id",
            "record_id": "r.id",
            "description": "'定期监督检查发现的问题 第' || g || '项'",
            "status": "CASE WHEN o.status = 'persisting' THEN 'persisting' WHEN o.status = 'closed' THEN 'closed'"
            " WHEN o.status IS NOT NULL THEN 'open' WHEN r.id % 50 = 1 THEN 'open' ELSE 'closed' END",
            "opened_at": "r.finished_at",
            "on_order": "o.id IS NOT NULL",  # the order lists both (issue_order sets the marker)
            "region_id": "e.region_id",
        },
        "inspections_inspectionrecord r JOIN registry_enterprise e ON e.id = r.enterprise_id"
        " CROSS JOIN generate_series(1, 2) g LEFT JOIN followup_rectificationorder o ON o.source_record_id = r.id",
    )
    out(f"  问题 {n:,} 个  {time.perf_counter() - started:.0f} s")
    insert_select(
        OrderItem,
        {
            "order_id": "o.id",
            "position": "row_number() OVER (PARTITION BY o.id ORDER BY p.id)",
            "problem_id": "p.id",
            "description": "p.description",
            "requirement": "''",
        },
        "followup_rectificationorder o JOIN inspections_problem p ON p.record_id = o.source_record_id",
    )
    insert_select(
        Escalation,
        {
            "order_id": "o.id",
            "kind": "'stoppage'",
            "facts": "'复查仍存在问题'",
            "status": "'proposed'",
            "proposed_at": "now()",
            "region_id": "o.region_id",
        },
        "followup_rectificationorder o WHERE o.status = 'persisting'",
    )
    vacuum()
    return time.perf_counter() - started


def vacuum():
    """VACUUM ANALYZE the tables the pages read: after the build's inserts, or after a migration rewrote their rows
    (on a reused database), so the index-only scans need no heap visits (what autovacuum does in production)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in [
            "inspections_inspectionrecord",
            "inspections_problem",
            "followup_rectificationorder",
            "followup_orderitem",
            "followup_escalation",
        ]:
            cursor.execute(f"VACUUM ANALYZE {table}")


def timed(client, url, requests):
    times = []
    for n in range(requests + 3):
        t = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - t) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if n >= 3:
            times.append(elapsed)
    return times


def floor(sql, params, requests):
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for n in range(requests + 3):
            t = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            if n >= 3:
                times.append((time.perf_counter() - t) * 1000)
    return times


def explain(sql):
    """EXPLAIN ANALYZE of one statement: execution time and the 8 KB pages it touched (the second does not move
    with the machine's load)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0][0]
    return plan["Execution Time"], plan["Plan"].get("Shared Hit Blocks", 0) + plan["Plan"].get("Shared Read Blocks", 0)


def explain_request(out, client, url):
    """The request's SELECT statements (every app's to-do groups, the page's own), each EXPLAIN ANALYZEd, slowest
    first: what the page's time is made of."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    rows = [(*explain(q["sql"]), q["sql"]) for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    rows.sort(reverse=True)
    out(
        f"    {len(queries)} 条 SQL，其中 SELECT {len(rows)} 条，EXPLAIN ANALYZE 合计 "
        f"{sum(r[0] for r in rows):.1f} ms、{sum(r[1] for r in rows):,} 页；最慢的："
    )
    for ms, pages, sql in rows[:5]:
        out(f"    {ms:8.1f} ms {pages:>9,} 页  {sql[:110]}")


def line(out, label, times):
    out(f"  {label:<40} {statistics.median(times):7.1f}ms {percentile(times, 95):7.1f}ms")


def worker(args):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from postlicense.core.models import OrgUnit, User
    from postlicense.core.reminders import send_reminders
    from postlicense.core.services import load_demo_users
    from postlicense.followup.models import RectificationOrder
    from postlicense.inspections.models import Problem
    from postlicense.registry.models import Enterprise

    def out(text, end="\n"):
        print(text, end=end, flush=True)

    out(f"== {connection.vendor} ({connection.settings_dict['NAME']}) ==")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    if pending and args.reuse:
        vacuum()
        out(f"  迁移 {len(pending)} 个（含 VACUUM ANALYZE）：{time.perf_counter() - t:.0f} s")
    have = Enterprise.objects.count()
    if not (args.reuse and have >= args.size):
        out(f"  构建 {args.size:,} 家企业（bench/registry.py 的批量插入）…")
        out(f"  构建用时 {build(args.size - have, out):.0f} s")
    if not (args.reuse and RectificationOrder.objects.exists()):
        out(f"  构建用时 {build_followup(out):.0f} s")
    out(
        f"  企业 {Enterprise.objects.count():,}；问题 {Problem.objects.count():,}；"
        f"通知书 {RectificationOrder.objects.count():,}"
    )
    load_demo_users()
    staff = User.objects.get(username="xuchang-weidu-staff")
    city = User.objects.get(username="xuchang-admin")
    out(f"  {'页面（Django 测试客户端）':<36} {'中位数':>8} {'p95':>8}")
    client = Client()
    client.force_login(staff)
    line(out, "县局待办 /core/todo/（魏都区）", timed(client, "/core/todo/", args.requests))
    explain_request(out, client, "/core/todo/")
    with CaptureQueriesContext(connection) as counted:
        Problem.objects.for_user(staff).filter(status=Problem.Status.OPEN, on_order=False).count()
    ms, pages = explain(counted.captured_queries[-1]["sql"])
    out(f"    待下达问题 COUNT（问题上的区划副本，部分索引）: {ms:.1f} ms, {pages:,} 页")
    weidu = OrgUnit.objects.get(code="xuchang-weidu")
    line(
        out,
        "  下限：该县未办结通知书 COUNT",
        floor(
            "SELECT count(*) FROM followup_rectificationorder o"
            " WHERE o.region_id LIKE %s AND o.status IN ('issued', 'reported', 'awaiting_revisit')",
            [weidu.region_id + "%"],
            args.requests,
        ),
    )
    client.force_login(city)
    line(out, "市局各县逾期情况 /followup/orders/overdue/", timed(client, "/followup/orders/overdue/", args.requests))
    explain_request(out, client, "/followup/orders/overdue/")
    line(
        out,
        "  下限：全市逾期通知书 COUNT",
        floor(
            "SELECT count(*) FROM followup_rectificationorder o"
            " WHERE o.region_id LIKE '4110%%' AND o.status IN ('issued', 'reported') AND o.revisit_due < CURRENT_DATE",
            [],
            args.requests,
        ),
    )
    users = list(User.objects.filter(username__regex=r"-(staff|admin|inspector)$").select_related("org_unit__region"))
    t = time.perf_counter()
    sent = send_reminders(users=users)
    out(f"  每日提醒 send_reminders（{len(users)} 个演示账号，发送 {sent} 条）：{time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
