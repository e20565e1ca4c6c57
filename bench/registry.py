"""Enterprise register at scale (issue 3 §10): list page times at 1,000,000 enterprises and a 100,000-row import.

    .venv/bin/python bench/registry.py                       # PostgreSQL (127.0.0.1:5432) and SQLite, 1M rows
    .venv/bin/python bench/registry.py --db sqlite --size 200000 --import-rows 20000

For each database: build `--size` enterprises (one license each; 90 % in 许昌市's six counties, the rest in the
other seed jurisdictions) with bulk inserts (no audit entries: this is a fixture, not user work), then time the
enterprise list page through the Django test client as the 许昌 city admin — median and p95 over `--requests`
requests per query, with the SQL statements one request runs — then import `--import-rows` new enterprises
from an .xlsx exactly as the page and `postlicense import-enterprises` do (read, validate every row, write,
audit), and time the list again (the newest rows now match none of the license filters). Targets: list p95 < 100 ms on
PostgreSQL at 1M; the 100,000-row import < 60 s. The database is kept (`--reuse` skips the build when it holds
the requested size): PostgreSQL database `--pg-db`, SQLite file `--sqlite`.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    ("首页（无筛选）", {}),
    ("拼音首字母 xcsn", {"q": "xcsn"}),
    ("名称 许昌 水泥 + 高风险", {"q": "许昌 水泥", "risk_level": "high"}),
    ("区县+类别+在产", {"region": "411082", "category": "CEMENT", "status": "producing"}),
    ("90天内到期", {"expiry": "expiring"}),
    ("已过期", {"expiry": "expired"}),
    ("许可证编号前缀", {"license_number": "豫XK08-005-1"}),
    ("编号前缀（同批建档 1 万家）", {"license_number": "豫XK08-005"}),
    ("信用代码片段", {"q": "10001234"}),
    ("第 200 页之后（keyset）", {"after": "AFTER"}),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="postlicense_bench")
    parser.add_argument("--sqlite", default=str(ROOT / "var" / "bench" / "registry.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the requested size")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    from _data import host_speed_line

    print(host_speed_line(), flush=True)
    targets = {"postgres": f"{args.pg_server}/{args.pg_db}", "sqlite": f"sqlite:///{args.sqlite}"}
    for name in ["postgres", "sqlite"] if args.db == "both" else [args.db]:
        if name == "postgres":
            prepare_postgres(args)
        elif not args.reuse:
            Path(args.sqlite).parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(args.sqlite + suffix).unlink(missing_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": targets[name],
            "DJANGO_SETTINGS_MODULE": "postlicense.settings",
            "ALLOWED_HOSTS": "testserver",
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-media-"),
        }
        subprocess.run([sys.executable, __file__, "--worker", *sys.argv[1:]], env=env, check=True)


def prepare_postgres(args):
    import psycopg

    with psycopg.connect(f"{args.pg_server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.pg_db]).fetchone()
        if exists and not args.reuse:
            conn.execute(f'DROP DATABASE "{args.pg_db}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.pg_db}"')


def _keys(rows):
    from postlicense.registry.models import Enterprise

    return [Enterprise.make_search_key(*row) for row in rows]


def _init_worker():
    import django

    django.setup()


def build(size, out):
    from django.db import connection, transaction

    from postlicense.core.models import OrgUnit
    from postlicense.registry.credit_code import make_credit_code
    from postlicense.registry.demo import BRANDS, NAME_PREFIX, ROADS, SUFFIXES, WORDS
    from postlicense.registry.license_number import make_license_number
    from postlicense.registry.models import Enterprise, License, ProductCategory

    rng = random.Random(42)
    categories = list(ProductCategory.objects.all())
    units = [u for u in OrgUnit.objects.select_related("region").exclude(kind=OrgUnit.Kind.CITY)]
    xuchang = [u for u in units if u.region_id.startswith("4110")]
    others = [u for u in units if not u.region_id.startswith("4110")]
    today, started, batch = date.today(), time.perf_counter(), 20_000
    with Pool(os.cpu_count(), initializer=_init_worker) as pool:
        for start in range(0, size, batch):
            plan = []
            for i in range(start, min(size, start + batch)):
                unit = rng.choice(xuchang) if rng.random() < 0.9 else rng.choice(others)
                category = rng.choice(categories)
                word = rng.choice(WORDS[category.name][0])
                prefix = NAME_PREFIX.get(unit.region_id, unit.region.name[:2])
                name = f"{prefix if rng.random() < 0.6 else rng.choice(['许昌', '中原', '河南'])}{rng.choice(BRANDS)}{rng.choice(BRANDS)}{word}{rng.choice(SUFFIXES)}"
                plan.append((i, unit, category, name, f"{rng.choice(ROADS)}{rng.randint(1, 999)}号"))
            keys = pool.map(
                _keys,
                [
                    [(p[3], "", make_credit_code(p[1].region_id, 10_000_000 + p[0])) for p in plan[k::4]]
                    for k in range(4)
                ],
            )
            keys = [keys[k % 4][k // 4] for k in range(len(plan))]
            enterprises = [
                Enterprise(
                    name=name,
                    credit_code=make_credit_code(unit.region_id, 10_000_000 + i),
                    legal_representative="张三",
                    address=f"{unit.region.name}{road}",
                    region_id=unit.region_id,
                    supervising_unit=unit,
                    product_category=category,
                    status=rng.choice(["producing"] * 9 + ["stopped"]),
                    risk_level=rng.choice(["low", "low", "medium", "medium_high", "high"]),
                    supervision_class=rng.choice("AABBCD"),
                    search_key=key,
                )
                for (i, unit, category, name, road), key in zip(plan, keys)
            ]
            with transaction.atomic():
                Enterprise.objects.bulk_create(enterprises, batch_size=5000)
                licenses = []
                for e in enterprises:
                    issue = today - timedelta(days=rng.randint(0, 5 * 365 + 300))
                    licenses.append(
                        License(
                            enterprise=e,
                            product_category=e.product_category,
                            issue_date=issue,
                            expiry_date=issue + timedelta(days=5 * 365),
                            issuing_authority="河南省市场监督管理局",
                            number=make_license_number(
                                "豫", e.product_category.code, f"{e.pk // 100_000 % 1000:03d}", e.pk % 100_000
                            ),
                        )
                    )
                License.objects.bulk_create(licenses, batch_size=5000)
            done = min(size, start + batch)
            out(f"  已生成 {done:>9,} 家企业  {time.perf_counter() - started:6.0f} s", end="\r")
    out("")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registry_enterprise")
            cursor.execute("VACUUM ANALYZE registry_license")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def time_list(args, out):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from postlicense.core.models import OrgUnit, User
    from postlicense.registry.models import Enterprise, ProductCategory

    user = User.objects.filter(username="bench-xuchang-admin").first() or User.objects.create_user(
        "bench-xuchang-admin", password="x", role=User.Role.CITY_ADMIN, org_unit=OrgUnit.objects.get(code="xuchang")
    )
    client = Client()
    client.force_login(user)
    cement = str(ProductCategory.objects.get(name="水泥").pk)
    deep = Enterprise.objects.order_by("-id").values_list("id", flat=True)[200 * 50]
    explain = connection.vendor == "postgresql"
    out(
        f"  {'查询':<24} {'中位数':>8} {'p95':>8} {'本页行数':>6} {'SQL 条数':>6}"
        + (f" {'名录 SQL 执行':>10} {'读取页数':>8}" if explain else "")
    )
    everything = []
    for label, params in QUERIES:
        params = {k: (cement if v == "CEMENT" else str(deep) if v == "AFTER" else v) for k, v in params.items()}
        times = []
        for n in range(args.requests + 3):
            t = time.perf_counter()
            response = client.get("/registry/enterprises/", params)
            elapsed = (time.perf_counter() - t) * 1000
            assert response.status_code == 200, response.status_code
            if n >= 3:  # warm-up requests are not counted
                times.append(elapsed)
        rows = response.content.decode().count('<tr><td><a href="/registry/enterprises/')
        with CaptureQueriesContext(connection) as queries:  # one more request, not timed: its SQL statements
            client.get("/registry/enterprises/", params)
        everything += times
        line = f"  {label:<24} {statistics.median(times):7.1f}ms {percentile(times, 95):7.1f}ms {rows:>6} {len(queries):>6}"
        if explain:
            ms, pages = explain_register_queries(queries)
            line += f" {ms:11.1f}ms {pages:>10,}"
        out(line)
    out(f"  {'全部查询':<24} {statistics.median(everything):7.1f}ms {percentile(everything, 95):7.1f}ms")


def explain_register_queries(queries):
    """EXPLAIN ANALYZE of the request's statements on the register's tables: their execution time and the pages
    (8 KB buffers) they touched — the second does not move with the machine's load."""
    from django.db import connection

    ms = pages = 0
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or not (
                'FROM "registry_enterprise"' in sql or 'FROM "registry_license"' in sql
            ):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0][0]
            ms += plan["Execution Time"]
            pages += plan["Plan"].get("Shared Hit Blocks", 0) + plan["Plan"].get("Shared Read Blocks", 0)
    return ms, pages


def write_import_workbook(path, rows, base, seed=7, representative="李四"):
    """An enterprise import .xlsx of `rows` 许昌 cement makers, credit codes from serial `base` on (bench/load.py
    reuses it for its import job; two workbooks that differ in `representative` make every re-import update each
    enterprise and audit it)."""
    from openpyxl import Workbook

    from postlicense.registry import importing
    from postlicense.registry.credit_code import make_credit_code

    rng = random.Random(seed)
    unit_code = f"{base // 100_000 % 1000:03d}"
    headers = [c.header for c in importing.COLUMNS]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    counties = ["魏都区", "建安区", "鄢陵县", "襄城县", "禹州市", "长葛市"]
    codes = {
        "魏都区": "411002",
        "建安区": "411003",
        "鄢陵县": "411024",
        "襄城县": "411025",
        "禹州市": "411081",
        "长葛市": "411082",
    }
    for i in range(rows):
        county = rng.choice(counties)
        row = {
            "企业名称": f"{county[:2]}导入{rng.choice(['恒达', '天瑞', '金龙', '宏源'])}水泥{i}有限公司",
            "统一社会信用代码": make_credit_code(codes[county], base + i),
            "法定代表人": representative,
            "住所": f"{county}建设路{i % 500}号",
            "所在区县": county,
            "产品类别": "水泥",
            "风险等级": rng.choice("低中高"),
            "监管分类": rng.choice("ABCD"),
            "许可证编号": f"豫XK08-{unit_code}-{i % 100_000:05d}",
            "产品单元": "通用硅酸盐水泥",
            "发证日期": "2023-01-01",
            "有效期至": "2028-01-01",
            "发证机关": "河南省市场监督管理局",
        }
        sheet.append([row.get(h, "") for h in headers])
    workbook.save(path)


def time_import(args, out):

    from postlicense.core.audit import acting_as
    from postlicense.core.models import User
    from postlicense.registry import importing
    from postlicense.registry.models import Enterprise
    from postlicense.registry.xlsx import open_rows

    # New credit codes and license numbers on every run, so that the import creates rows (not a no-op re-import).
    path = Path(tempfile.mkdtemp(prefix="bench-import-")) / "import.xlsx"
    t = time.perf_counter()
    write_import_workbook(path, args.import_rows, 20_000_000 + Enterprise.objects.count())
    out(
        f"  生成 {args.import_rows:,} 行 .xlsx（{path.stat().st_size / 1e6:.1f} MB）用时 {time.perf_counter() - t:.1f} s（不计入）"
    )
    user = User.objects.get(username="bench-xuchang-admin")
    t = time.perf_counter()
    with open(path, "rb") as fh:
        total, cells = open_rows(fh, importing.COLUMNS)
        rows, errors = importing.validate(cells, user)
    validated = time.perf_counter() - t
    assert not errors, errors[:5]
    with acting_as(user):
        created, updated = importing.apply(rows)
    elapsed = time.perf_counter() - t
    out(
        f"  导入 {args.import_rows:,} 行：读取+校验 {validated:.1f} s，写入+审计 {elapsed - validated:.1f} s，合计 {elapsed:.1f} s"
        f"（新增 {created:,}，更新 {updated:,}）"
    )


def worker(args):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from postlicense.registry.models import Enterprise

    def out(text, end="\n"):
        print(text, end=end, flush=True)

    out(f"== {connection.vendor} ({connection.settings_dict['NAME']}) ==")
    call_command("migrate", verbosity=0)
    have = Enterprise.objects.count()
    if not (args.reuse and have >= args.size):
        out(f"  构建 {args.size:,} 家企业（批量插入）…")
        out(f"  构建用时 {build(args.size - have, out):.0f} s")
    out(
        f"  企业 {Enterprise.objects.count():,} 家；列表页（许昌市局管理员，Django 测试客户端，每个查询 {args.requests} 次）："
    )
    time_list(args, out)
    if args.import_rows:
        time_import(args, out)
        out(
            f"  导入后 {Enterprise.objects.count():,} 家（最新的 {args.import_rows:,} 家均为同一区县的水泥企业、无即将到期的许可证）："
        )
        time_list(args, out)


if __name__ == "__main__":
    main()
