"""Inspection records: how long the user-visible steps take.

    .venv/bin/python bench/inspections.py [--records 20000] [--database-url postgres://postgres@127.0.0.1:5432/postlicense_bench_insp]

Builds a fresh database (a temporary SQLite file unless --database-url is given; a PostgreSQL database named there
is dropped and re-created), then prints medians/p95 of: dispatching a record (create_inspection), saving a full
draft of the 12-item 003 table with 20 key-equipment rows (and the queries of one such save), finishing
(two-inspector rule, conclusion, problems), the PDF of the 一企两表 (WeasyPrint, 4 A4 pages) and the Word file; and, with `--records` finished records bulk-inserted for one
county, the 检查记录 list page and 我的检查 through the test client.
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


def timed(fn, n):
    times, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times, result


def report(label, times):
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<40} median {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   (n={len(times)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-insp-")
    os.environ["POSTLICENSE_VAR"] = tmp
    os.environ["MEDIA_ROOT"] = str(Path(tmp) / "media")
    if args.database_url:
        server, name = args.database_url.rsplit("/", 1)
        subprocess.run(["psql", server + "/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
        subprocess.run(["psql", server + "/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
        os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "postlicense.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(args)


def run(args):
    from datetime import date, timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from postlicense.core.models import OrgUnit, User
    from postlicense.inspections import printing, services
    from postlicense.inspections.models import InspectionRecord
    from postlicense.inspections.tests.factories import make_enterprise, make_inspector
    from postlicense.inspections.tests.helpers import all_conforming, as_registered, new_record, signature_data_url
    from postlicense.registry.models import KeyEquipment

    db = os.environ.get("DATABASE_URL", "SQLite (temporary file)")
    print(f"database: {db.split('@')[-1]}")
    staff = User.objects.create_user(
        "bench-staff", password="pw", role=User.Role.COUNTY_STAFF, org_unit=OrgUnit.objects.get(code="xuchang-weidu")
    )
    inspector_user = User.objects.create_user(
        "bench-inspector", password="pw", role=User.Role.INSPECTOR, org_unit=staff.org_unit
    )
    enterprise = make_enterprise()
    for i in range(18):
        KeyEquipment.objects.create(
            enterprise=enterprise, kind="production", name=f"生产设备{i}", model=f"M-{i}", quantity=2
        )
    crew = [make_inspector(user=inspector_user), make_inspector()]

    times, _ = timed(lambda: new_record(enterprise=enterprise, inspectors=crew), 30)
    report("派发一条检查（create_inspection）", times)
    records = list(InspectionRecord.objects.order_by("id"))
    findings = all_conforming(records[0])
    it = iter(records)
    times, _ = timed(
        lambda: services.save_draft(
            (r := next(it)),
            revision=r.revision,
            fields={"inspection_date": date(2026, 5, 1), "problems_summary": ""},
            findings=findings,
            equipment=as_registered(r),
        ),
        30,
    )
    report("保存草稿（12 项全部填写）", times)
    again = InspectionRecord.objects.get(pk=records[0].pk)
    edits = {pk: (option, conclusion, "复核") for pk, (option, conclusion, _) in findings.items()}
    rows = {pk: (qty, model, "复核") for pk, (qty, model, _) in as_registered(again).items()}
    with CaptureQueriesContext(connection) as queries:
        services.save_draft(again, revision=again.revision, findings=edits, equipment=rows)
    print(f"{'':<40} queries of a draft save changing 12 items and {len(rows)} equipment rows: {len(queries)}")
    for r in records:
        for link in r.crew.all():
            services.sign_as_inspector(r, link.inspector, signature_data_url())
        services.record_refusal(r, note="拒绝签字")
    it = iter(records)
    times, _ = timed(lambda: services.finish(next(it), by=staff), 30)
    report("完成检查（规则校验、结论、问题移交）", times)
    record = InspectionRecord.objects.get(pk=records[0].pk)
    times, pdf = timed(lambda: printing.pdf(record), 10)
    report("PDF 一企两表（4 页 A4）", times)
    print(f"{'':<40} PDF size {len(pdf) / 1024:.0f} KiB")
    times, _ = timed(lambda: printing.docx(record), 10)
    report("Word（docxtpl）", times)

    # Volume: finished records for the county (bulk fixture, not user work: no audit entries).
    template = record.template_version
    now = timezone.now()
    batch = [
        InspectionRecord(
            enterprise=enterprise,
            region_id=enterprise.region_id,
            kind="periodic",
            template_version=template,
            org_unit=staff.org_unit,
            due_date=date(2026, 1, 1) + timedelta(days=i % 300),
            inspection_date=date(2026, 1, 1),
            status="finished",
            conclusion="qualified" if i % 4 else "unqualified",
            finished_at=now,
        )
        for i in range(args.records)
    ]
    InspectionRecord.objects.bulk_create(batch, batch_size=2000)
    through = InspectionRecord.inspectors.through
    open_ids = list(InspectionRecord.objects.order_by("-id").values_list("id", flat=True)[:200])
    InspectionRecord.objects.filter(id__in=open_ids).update(status="assigned", conclusion="")
    through.objects.bulk_create([through(record_id=i, inspector=crew[0]) for i in open_ids], ignore_conflicts=True)
    print(f"records in database: {InspectionRecord.objects.count()}  (open for the inspector: {len(open_ids)})")
    client = Client()
    client.force_login(staff)
    for label, url in (
        ("检查记录列表（第1页）", "/inspections/"),
        ("检查记录列表 不合格筛选", "/inspections/?conclusion=unqualified"),
        ("检查记录列表 第 100 页", "/inspections/?page=100"),
    ):
        times, response = timed(lambda url=url: client.get(url), 20)
        assert response.status_code == 200
        report(label, times)
    client.force_login(inspector_user)
    times, response = timed(lambda: client.get("/inspections/mine/"), 20)
    assert response.status_code == 200
    report("我的检查（200 条未完成）", times)


if __name__ == "__main__":
    main()
