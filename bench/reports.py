"""Reports at scale (issue 17 §5): the completion summary (工业产品生产企业监督检查完成情况汇总表) of a province and
of a county at 1,000,000 enterprises and 5,000,000 inspection records with their follow-up, on PostgreSQL.

    .venv/bin/python bench/reports.py                    # builds database bench_reports on 127.0.0.1:5432
    .venv/bin/python bench/reports.py --reuse            # keeps a database that already holds the data
    .venv/bin/python bench/reports.py --size 100000      # a tenth of everything, for a quick look

Data: the enterprises and licenses of bench/registry.py's build, one finished record per enterprise with two
problems and an order for every second one (bench/followup.py's build_followup), then four more finished records per
enterprise spread over 2025 and 2026 (patrols, revisits, unscheduled; one in ten unqualified) — all imported, not
copied; the data is written around the services, so the completion counts are then built from scratch
(reports.counts.rebuild, the same as migration reports 0002 does for an existing database), and timed.
Timed: reports.completion.compute (the maintained counts, settled first) for 河南省 (every county, region prefix
41) and for 魏都区, the year 2026 cut on 2026-10-30 (the summary's due date), median over `--requests` runs after
one warm-up; once after one enterprise changed (a settle of one enterprise before the read); and once
completion.recompute (the same tables from the records, which the counts must equal: checked). Beside them the
floor: one aggregate scan of the period's finished records grouped by (supervising unit, class) — the least a
summary computed from the records must read — and the ratio. Targets: a province < 2 s and <= 2x the floor, a
county < 200 ms.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.followup import build_followup, floor, insert_select  # noqa: E402
from bench.registry import build, prepare_postgres  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="enterprises (records: 5×)")
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="bench_reports")
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
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-media-"),
    }
    subprocess.run([sys.executable, __file__, "--worker", *sys.argv[1:]], env=env, check=True)


KINDS = ["patrol", "revisit", "unscheduled", "periodic"]


def more_records(out):
    """Four more finished records per enterprise, over 2025-01-01 … 2026-11-29 (SQL, a fixture: no audit)."""
    from django.db import connection

    from postlicense.inspections.models import InspectionRecord
    from postlicense.inspections.selectors import current_template

    started = time.perf_counter()
    version = current_template("production_conditions_004")
    day = "DATE '2025-01-01' + ((e.id * 7 + g * 131) % 698)::int"
    n = insert_select(
        InspectionRecord,
        {
            "enterprise_id": "e.id",
            "kind": f"(ARRAY{KINDS!r})[g]",
            "template_version_id": str(version.pk),
            "org_unit_id": "e.supervising_unit_id",
            "due_date": day,
            "inspection_date": day,
            "status": "'finished'",
            "conclusion": "CASE WHEN (e.id + g) % 10 = 0 THEN 'unqualified' ELSE 'qualified' END",
            "finished_at": f"({day})::timestamptz",
        },
        "registry_enterprise e CROSS JOIN generate_series(1, 4) g",
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE inspections_inspectionrecord")
    out(f"  另加检查记录 {n:,} 条  {time.perf_counter() - started:.0f} s")


def timed(fn, n):
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def worker(args):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from postlicense.core.models import OrgUnit, Region
    from postlicense.followup.models import RectificationOrder
    from postlicense.inspections.models import InspectionRecord
    from postlicense.registry.models import Enterprise
    from postlicense.reports import completion, counts
    from postlicense.reports.kinds import KINDS as REPORTS
    from postlicense.reports.models import CompletionCount, EnterpriseCount
    from postlicense.reports.periods import Period

    def out(text, end="\n"):
        print(text, end=end, flush=True)

    out(f"== {connection.vendor} ({connection.settings_dict['NAME']}) ==")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    out(f"  migrate {time.perf_counter() - started:.0f} s（数据库已有数据时，reports 0002 在此从头计算统计数）")
    have = Enterprise.objects.count()
    if not (args.reuse and have >= args.size):
        out(f"  构建 {args.size:,} 家企业（bench/registry.py 的批量插入）…")
        out(f"  构建用时 {build(args.size - have, out):.0f} s")
    if not (args.reuse and RectificationOrder.objects.exists()):
        out(f"  构建用时 {build_followup(out):.0f} s")
    built = InspectionRecord.objects.count() < 2 * Enterprise.objects.count()
    if built:
        more_records(out)
    if built or not CompletionCount.objects.exists():
        started = time.perf_counter()
        counts.rebuild()
        out(f"  统计数从头计算 {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_completioncount")
    out(f"  统计数：企业贡献 {EnterpriseCount.objects.count():,} 行，汇总 {CompletionCount.objects.count():,} 行")
    out(
        f"  企业 {Enterprise.objects.count():,}；检查记录 {InspectionRecord.objects.count():,}；"
        f"通知书 {RectificationOrder.objects.count():,}"
    )
    period = Period(2026, "Y")
    province = OrgUnit(
        code="bench-province", name="河南省", kind=OrgUnit.Kind.CITY, region=Region.objects.get(code="410000")
    )
    weidu = OrgUnit.objects.get(code="xuchang-weidu")
    cut = REPORTS["completion"].cut(weidu, period, date(2026, 11, 30))
    out(f"  2026年全年，数据截至 {cut}（报送日）")
    for label, unit in (("河南省（全部县区）", province), ("魏都区", weidu)):
        tables = completion.compute(unit, period, cut)
        total = tables[0].with_total()[-1]
        out(
            f"  {label}：{len(tables[0].rows)} 个监管单位，企业 {total[1]:,}，完成检查 {total[8]:,} 次，通知书 {total[12]:,}"
        )
        ms = timed(lambda unit=unit: completion.compute(unit, period, cut), args.requests)
        record = InspectionRecord.objects.filter(enterprise__region__code__startswith=unit.region.scope_prefix).first()
        record.save()  # one enterprise changed: the next read settles it first
        t = time.perf_counter()
        tables = completion.compute(unit, period, cut)
        after_edit = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        same = completion.recompute(unit, period, cut) == tables
        plain = (time.perf_counter() - t) * 1000
        sql = (
            "SELECT e.supervising_unit_id, e.supervision_class, count(*) FROM inspections_inspectionrecord r"
            " JOIN registry_enterprise e ON e.id = r.enterprise_id WHERE e.region_id LIKE %s"
            " AND r.status = 'finished' AND r.inspection_date BETWEEN %s AND %s GROUP BY 1, 2"
        )
        base = statistics.median(floor(sql, [unit.region.scope_prefix + "%", period.start, cut], args.requests))
        out(
            f"    汇总表 {ms:8.1f} ms（改动一户后 {after_edit:.1f} ms）   下限（一次聚合扫描本期检查记录）{base:8.1f} ms"
            f"   比值 {ms / base:4.2f}   从记录直接计算 {plain:8.1f} ms，与统计数{'一致' if same else '不一致！'}"
        )


if __name__ == "__main__":
    main()
