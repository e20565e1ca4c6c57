"""A random check at national scale, end to end on PostgreSQL (issue 12 item 5): 100,000 of 1,000,000 enterprises
drawn, matched and dispatched through the services and the background jobs, as production runs them.

    .venv/bin/python bench/task_pipeline.py [--database-url postgres://postgres@127.0.0.1:5432/postlicense_bench_pipeline]
                                            [--enterprises 1000000] [--rebuild] [--keep]

The register (bench/_data.py: 1,000,000 enterprises with a valid license each in 200 county units, 20,000
inspectors, 100 a unit) is built once into the database `<name>_base` and reused on later runs (--rebuild
builds it afresh). Each run copies it into `<name>` (CREATE DATABASE … TEMPLATE), so every run starts from the
same state, and drops the copy at the end (--keep keeps it). In the copy, as the issuing unit's user would:
the task is created with 10% in every stratum (100,000 drawn) and a load cap of 12, its candidate list is
frozen, two seed contributions are entered, then the draw, the matching and the dispatch: each of the four
steps runs as a job (`randomcheck.jobs.start_step`, then the worker's `core.jobs.services.execute`).
It prints each step's seconds and the machine's load average, the host's speed (bench/_data.host_speed), the total against the 60 s target, and a floor:
COPY of the same number of rows the three steps write (drawn enterprises, assignments, records, crews, and
as many audit entries as the steps append), values computed beforehand, rolled back.
"""

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._data import backend_cpu, build_register, drop_database, ensure_database, host_speed, server_and_name  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postlicense_bench_pipeline"
TARGET_SECONDS = 60


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--inspectors", type=int, default=20_000)
    parser.add_argument("--ratio", default="10", help="percent drawn in every stratum (10: 100,000 of 1,000,000)")
    parser.add_argument("--load-cap", type=int, default=12)
    parser.add_argument("--rebuild", action="store_true", help="build the base database afresh")
    parser.add_argument("--keep", action="store_true", help="keep the run's database afterwards")
    return parser.parse_args()


class Clock:
    """Wall seconds, and the CPU seconds of this process and of its PostgreSQL backend (read from /proc when the
    server runs on this machine): on a shared machine the wall time grows with the load, the CPU time hardly."""

    def start(self):
        self.started = (time.perf_counter(), time.process_time(), backend_cpu())

    def stop(self):
        wall, python, backend = (now - then for now, then in zip(self.read(), self.started))
        return wall, f"{wall:6.1f} s (CPU: this process {python:5.1f} s, its PostgreSQL backend {backend:5.1f} s)"

    def read(self):
        return time.perf_counter(), time.process_time(), backend_cpu()


def load():
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def prepare(args):
    """Make sure `<name>_base` holds the register, then copy it into `<name>` for this run."""
    import psycopg

    server, name = server_and_name(args.database_url)
    base_url = f"{server}/{name}_base"
    ensure_database(base_url, rebuild=args.rebuild)
    with psycopg.connect(base_url) as conn:
        built = (
            conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'registry_enterprise'"
            ).fetchone()[0]
            and conn.execute("SELECT count(*) FROM registry_enterprise WHERE name LIKE '基准企业%%'").fetchone()[0]
        )
    if built != args.enterprises:
        if built:
            raise SystemExit(f"{name}_base holds {built:,} enterprises; run with --rebuild")
        import subprocess

        subprocess.run(
            [sys.executable, __file__, "--build-base", base_url, *sys.argv[1:]],
            check=True,
            env={**os.environ, "DATABASE_URL": base_url, "DJANGO_SETTINGS_MODULE": "postlicense.settings"},
        )
    drop_database(args.database_url)
    started = time.perf_counter()
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_base"')  # our own constant names
    print(f"copied {name}_base into {name} in {time.perf_counter() - started:.1f} s", flush=True)


def build_base(args):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build_register(args.enterprises, args.units, args.inspectors, licenses=True)


def floor(task, drawn_count, audit_count):
    """Seconds to COPY the rows the three steps write, their values made beforehand, foreign keys checked;
    rolled back."""
    from django.db import connection, transaction

    from postlicense.core.bulk import insert_rows
    from postlicense.core.models import AuditEntry
    from postlicense.inspections.models import InspectionRecord, RecordInspector
    from postlicense.randomcheck.models import Assignment, DrawnEnterprise, Task

    def rows(model, template, overrides):
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.name in overrides[0]]
        base = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
        return [f.column for f in fields], [[row.get(f.attname, base[f.attname]) for f in fields] for row in overrides]

    drawn = list(task.drawn.order_by("pk")[:drawn_count])
    assignments = list(Assignment.objects.filter(drawn__task=task)[: 2 * drawn_count])
    records = list(InspectionRecord.objects.filter(random_draw__task=task)[:drawn_count])
    crews = list(RecordInspector.objects.filter(record__random_draw__task=task)[: 2 * drawn_count])
    entries = list(AuditEntry.objects.order_by("-pk")[:audit_count])
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM randomcheck_drawnenterprise")
        drawn_start = cursor.fetchone()[0] + 1
        cursor.execute("SELECT max(id) FROM inspections_inspectionrecord")
        record_start = cursor.fetchone()[0] + 1
    twin = Task.objects.get(pk=task.pk)  # the floor's drawn rows belong to a copy of the task (unique per task)
    twin.pk = None
    tables = [
        (
            DrawnEnterprise,
            drawn[0],
            [
                {"id": drawn_start + n, "enterprise_id": d.enterprise_id, "inspection_id": None}
                for n, d in enumerate(drawn)
            ],
        ),
        (
            Assignment,
            assignments[0],
            [{"drawn_id": drawn_start + n // 2, "inspector_id": a.inspector_id} for n, a in enumerate(assignments)],
        ),
        (
            InspectionRecord,
            records[0],
            [
                {"id": record_start + n, "enterprise_id": r.enterprise_id, "region_id": r.region_id}
                for n, r in enumerate(records)
            ],
        ),
        (
            RecordInspector,
            crews[0],
            [{"record_id": record_start + n // 2, "inspector_id": c.inspector_id} for n, c in enumerate(crews)],
        ),
        (
            AuditEntry,
            entries[0],
            [
                {"changes": json.dumps(e.changes), "hash": f"{n:064x}", "prev_hash": f"{n + 1:064x}"}
                for n, e in enumerate(entries)
            ],
        ),
    ]
    prepared = [(model._meta.db_table, *rows(model, template, overrides)) for model, template, overrides in tables]
    clock = Clock()
    with transaction.atomic():
        twin.save()
        for _, columns, values in prepared[:1]:
            values[:] = [[twin.pk if c == "task_id" else v for c, v in zip(columns, row)] for row in values]
        clock.start()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys are checked, as at a commit
        for table, columns, values in prepared:
            insert_rows(connection, table, columns, values)
        seconds = clock.stop()
        transaction.set_rollback(True)
    return seconds


def create_task(args):
    """The issuing unit's user and its task in 草稿, as the task form saves it."""
    from postlicense.core.models import OrgUnit, User
    from postlicense.inspections.selectors import current_template
    from postlicense.randomcheck import services
    from postlicense.randomcheck.models import Task

    city = OrgUnit.objects.get(code="xuchang")
    user = User.objects.create_user("bench-pipeline", password="x", role=User.Role.CITY_ADMIN, org_unit=city)
    ratio = args.ratio
    task = services.save_new_task(
        Task(
            name="全国规模基准任务",
            year=date.today().year,
            issuing_unit=city,
            deadline=date(date.today().year, 12, 31),
            checklist=current_template("random_check_003"),
            ratio_low=ratio,
            ratio_medium=ratio,
            ratio_medium_high=ratio,
            ratio_high=ratio,
            ratio_reason="全国规模基准测试：各风险等级按同一比例抽取",
            load_cap=args.load_cap,
        ),
        user,
    )
    return task, user


def run(args):
    import django

    django.setup()
    from django.db import connection

    from postlicense.core.jobs import services as job_services
    from postlicense.core.jobs.models import Job
    from postlicense.core.models import AuditEntry
    from postlicense.inspections.models import InspectionRecord
    from postlicense.randomcheck import jobs, services
    from postlicense.randomcheck.models import Assignment

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"PostgreSQL {version}; {os.cpu_count()} CPUs; {load()}; speed loop {host_speed():.2f} s", flush=True)
    task, user = create_task(args)
    times = {}
    audit_before = AuditEntry.objects.count()

    clock = Clock()
    for action in ("freeze", "draw", "match", "dispatch"):
        task.refresh_from_db()
        assert jobs.runs_as_job(task, action), f"{action} would run in the request"
        clock.start()
        job = jobs.start_step(task, user, action)
        job = job_services.execute(job.pk)
        times[action], shown = clock.stop()
        assert job.status == Job.Status.DONE, (job.status, job.message, job.errors[:3])
        print(f"  {action:<8} (job {job.pk}): {shown}   {load()}", flush=True)
        if action == "freeze":
            for name, value in (("李明", "骰子 4 2 6 1 5 3"), ("赵敏", "20261130-见证")):
                services.add_contribution(task, name, "基准测试单位", value, user)

    task.refresh_from_db()
    drawn = task.drawn.count()
    assignments = Assignment.objects.filter(drawn__task=task).count()
    records = InspectionRecord.objects.filter(random_draw__task=task).count()
    audit_written = AuditEntry.objects.count() - audit_before
    total = times["draw"] + times["match"] + times["dispatch"]
    with_freeze = total + times["freeze"]
    the_floor, floor_shown = floor(task, drawn, audit_written)
    print(
        f"task {task.pk} {task.get_state_display()}: {drawn:,} drawn, {assignments:,} assignments, "
        f"{records:,} records, {audit_written:,} audit entries"
    )
    print(
        f"draw + match + dispatch: {total:6.1f} s   (target < {TARGET_SECONDS} s: {'met' if total < TARGET_SECONDS else 'NOT met'})"
    )
    print(f"with the freeze:         {with_freeze:6.1f} s")
    print(f"floor, COPY of the same rows and as many audit entries: {floor_shown}")
    print(f"draw + match + dispatch / floor = {total / the_floor:.1f}   {load()}; speed loop {host_speed():.2f} s")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--build-base":
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        return build_base(parse_args())
    args = parse_args()
    prepare(args)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postlicense.settings")
    try:
        run(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.database_url)


if __name__ == "__main__":
    main()
