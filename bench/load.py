"""The served system under a deadline-week load (issue 12 §7): locust (headless, loopback only, bounded in time).

    make bench-load                                        # 10, 50, 100, 200 users on gunicorn; 100 on runserver
    .venv/bin/python bench/load.py --users 10,100 --duration 20 --server gunicorn

Builds (once; `--rebuild` starts again) the PostgreSQL database `--pg-db` (default bench_load) on
127.0.0.1:5432: migrate, `postlicense demo`, then enterprises added with bench/registry.py's builder up to
`--enterprises` (100,000). Each run then adds bench accounts, inspector crews with open records and ready
sessions (bench/load_locust.py reads them from a JSON file), and for each user count starts the system as in
production (`postlicense serve`: gunicorn with deploy/gunicorn.conf.py and a job worker; with `--server dev` the
development server instead), waits for /healthz, runs locust for `--duration` seconds after all users have
started (statistics reset then), and samples the CPU time of the web processes, the worker and the database's
backends from /proc (psutil) every second. Persistent connections are on for gunicorn (CONN_MAX_AGE=60,
CONN_HEALTH_CHECKS=1: a fixed pool of threads), off for the development server (a thread per request: each would
keep its connection open after the thread ended, until PostgreSQL refuses new clients). The worker runs niced
(`postlicense serve` starts it with `--nice 10`, as production's unit does with Nice=). `bench/request_cpu.py`
prints the CPU each of these requests costs, load-independent.

The mix (bench/load_locust.py): county staff listing, searching and opening enterprises and inspection records
(50 %), inspectors autosaving drafts and finishing records with a photo and signatures (30 %), the public reading
random-check result pages (20 %), and one city admin importing a 3,000-row .xlsx through the worker again and
again, following its progress page (two workbooks one field apart, in turn: every import writes and audits 3,000
enterprises). Targets at 100 users on gunicorn: p95 < 300 ms, p99 < 1 s, no errors.
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench" / "load"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

STAFF_SLOTS = 120  # sessions of county staff (read-only: reused by every run)
INSPECTOR_SLOTS = 200  # each run takes fresh inspectors (their records are finished during a run)
RECORDS_PER_INSPECTOR = 6
# The searches county staff run (bench/load_locust.py; bench/request_cpu.py times the same).
SEARCHES = [
    {"q": "水泥"},
    {"q": "xcsn"},
    {"q": "许昌 建材"},
    {"risk_level": "high"},
    {"expiry": "expiring"},
    {"status": "producing", "page": "2"},
]
IMPORT_ROWS = 3000


def inspectors_among(users):
    """At most how many of `users` locust makes inspectors (bench/load_locust.py's weights: staff 5, inspector 3,
    public 2, and one importer), so that each run starts with inspectors whose records no run has finished."""
    return -(-users * 3 // 10) + 1


# over the 256 KB under which an import runs in the request: the worker runs it


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", default="10,50,100,200", help="user counts on gunicorn (comma-separated)")
    parser.add_argument("--dev-users", default="100", help="user counts on the development server; 0: none")
    parser.add_argument(
        "--server",
        choices=["both", "gunicorn", "dev"],
        default="both",
        help="both: --users on gunicorn, then --dev-users on the development server; else --users on that one",
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds measured per user count")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="bench_load")
    parser.add_argument("--port", type=int, default=0, help="the servers' port (default: a free one)")
    parser.add_argument("--rebuild", action="store_true", help="drop and build the database again")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def environment(args):
    """The served system's environment: production settings on loopback, the bench database, its own media."""
    BENCH.mkdir(parents=True, exist_ok=True)
    key_file = BENCH / "secret_key"
    if not key_file.exists():  # sessions made by --prepare must stay valid for the servers: one key
        key_file.write_text(secrets.token_urlsafe(50))
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "postlicense.settings",
        "DATABASE_URL": f"{args.pg_server}/{args.pg_db}",
        "DEBUG": "0",
        "SECRET_KEY": key_file.read_text(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(BENCH / "media"),
        "CONN_MAX_AGE": "60",
        "CONN_HEALTH_CHECKS": "1",
        "GUNICORN_ACCESS_LOG": str(BENCH / "access.log"),
        "GUNICORN_ERROR_LOG": str(BENCH / "error.log"),
        "LOAD_FIXTURES": str(BENCH / "fixtures.json"),
    }


def main():
    args = parse_args()
    if args.prepare:
        return prepare(args)
    import registry  # bench/registry.py: its database helper and enterprise builder

    if args.rebuild:
        args.reuse = False
    else:
        args.reuse = True
    registry.prepare_postgres(args)
    env = environment(args)
    subprocess.run([sys.executable, __file__, "--prepare", *sys.argv[1:]], env=env, check=True)
    counts = [int(n) for n in args.users.split(",") if int(n)]
    plan = [("dev" if args.server == "dev" else "gunicorn", n) for n in counts]
    if args.server == "both":
        plan += [("dev", int(n)) for n in args.dev_users.split(",") if int(n)]
    if sum(inspectors_among(users) for _, users in plan) > INSPECTOR_SLOTS:
        raise SystemExit(f"这些用户数合计需要的检查人员多于 {INSPECTOR_SLOTS} 名：请分几次运行")
    from _data import host_speed_line

    print(host_speed_line(), flush=True)
    rows, offset = [], 0
    for server, users in plan:
        row = run(args, env, server, users, offset)
        offset += inspectors_among(users)  # the next run's inspectors start with untouched records
        rows.append(row)
        print_row(row)
    print()
    print_table(rows)
    print(host_speed_line())


# --- the database: demo, 100,000 enterprises, bench accounts, records and sessions ---------------------------


def prepare(args):
    import django

    django.setup()
    import registry
    from django.core.management import call_command

    from postlicense.core.models import User
    from postlicense.registry.models import Enterprise

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="xuchang-admin").exists():
        print("加载演示数据（postlicense demo）…", flush=True)
        call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    have = Enterprise.objects.count()
    if have < args.enterprises:
        print(f"补充企业 {have:,} → {args.enterprises:,}（bench/registry.py 的批量构建）…", flush=True)
        registry.build(args.enterprises - have, lambda text, end="\n": print(text, end=end, flush=True))
    fixtures = make_fixtures()
    Path(os.environ["LOAD_FIXTURES"]).write_text(json.dumps(fixtures))
    print(
        f"数据库：企业 {Enterprise.objects.count():,} 家；本次压测账号：县局人员会话 {len(fixtures['staff'])} 个，"
        f"检查人员 {len(fixtures['inspectors'])} 名（各 {RECORDS_PER_INSPECTOR} 条待检记录）",
        flush=True,
    )


def session_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def make_fixtures(
    staff_slots=STAFF_SLOTS, inspector_slots=INSPECTOR_SLOTS, records_per_inspector=RECORDS_PER_INSPECTOR
):
    """Sessions, the ids each user opens, and open records (with their filled-in form) for each inspector slot
    (bench/request_cpu.py makes a few with the same function)."""
    import io
    import random
    from datetime import date, timedelta

    from PIL import Image

    from postlicense.core.audit import acting_as
    from postlicense.core.models import OrgUnit, User
    from postlicense.inspections import services as inspections
    from postlicense.inspections.models import InspectionRecord
    from postlicense.inspections.tests.helpers import signature_data_url
    from postlicense.inspections.tests.test_views import fill_post
    from postlicense.inspectors.models import Inspector
    from postlicense.registry.models import Enterprise

    rng = random.Random()
    staff = list(
        User.objects.filter(role=User.Role.COUNTY_STAFF, org_unit__code__startswith="xuchang-", is_active=True)
    )
    fixtures = {"staff": [], "inspectors": [], "importer": session_for(User.objects.get(username="xuchang-admin"))}
    staff = staff[:staff_slots]
    per_user = {}
    for user in staff:
        ids = list(Enterprise.objects.for_user(user).values_list("id", flat=True))
        records = list(InspectionRecord.objects.for_user(user).values_list("id", flat=True)[:2000])
        per_user[user.pk] = (rng.sample(ids, min(300, len(ids))), rng.sample(records, min(100, len(records))))
    for i in range(staff_slots):
        user = staff[i % len(staff)]
        enterprises, records = per_user[user.pk]
        fixtures["staff"].append({"session": session_for(user), "enterprises": enterprises, "records": records})

    template = inspections.current_template("random_check_003")
    run = secrets.token_hex(3)
    units = [u for u in OrgUnit.objects.filter(code__startswith="xuchang-") if u.kind != OrgUnit.Kind.CITY]
    used = set(InspectionRecord.objects.values_list("enterprise_id", flat=True))
    with acting_as(None):
        for i in range(inspector_slots):
            unit = units[i % len(units)]
            user = User.objects.create_user(f"bench-{run}-inspector-{i}", role=User.Role.INSPECTOR, org_unit=unit)
            crew = [
                Inspector.objects.create(
                    name=f"压测检查员{i}-{k}",
                    org_unit=unit,
                    certificate_no=f"豫压测{run}{i:03d}{k}",
                    certificate_valid_until=date(2099, 12, 31),
                    user=user if k == 0 else None,
                )
                for k in (0, 1)
            ]
            # Enterprises whose license is valid for months yet: the finish refuses 在有效期 for an expired one.
            enterprises = [
                e
                for e in Enterprise.objects.filter(
                    supervising_unit=unit, licenses__expiry_date__gt=date.today() + timedelta(days=90)
                )
                .exclude(id__in=used)
                .distinct()[: records_per_inspector * 3]
                if e.id not in used
            ][:records_per_inspector]
            used.update(e.id for e in enterprises)
            records = inspections.create_inspections(
                [
                    {
                        "enterprise": e,
                        "kind": template.kinds[0],
                        "template_version": template,
                        "org_unit": unit,
                        "inspectors": crew,
                        "due_date": date.today() + timedelta(days=60),
                    }
                    for e in enterprises
                ]
            )
            fixtures["inspectors"].append(
                {
                    "session": session_for(user),
                    "records": [
                        {
                            "pk": r.pk,
                            "form": fill_post(r, inspection_date=date.today().isoformat()),
                            "photo_item": r.template_version.items.order_by("id").first().pk,
                            "crew": [c.pk for c in crew],
                        }
                        for r in InspectionRecord.objects.filter(pk__in=[r.pk for r in records])
                    ],
                }
            )
    BENCH.mkdir(parents=True, exist_ok=True)
    photo = io.BytesIO()
    Image.effect_noise((1024, 768), 60).convert("RGB").save(photo, "JPEG", quality=85)  # a phone photo's size
    (BENCH / "photo.jpg").write_bytes(photo.getvalue())
    fixtures["photo"] = str(BENCH / "photo.jpg")
    fixtures["signature"] = signature_data_url()
    fixtures["imports"] = []
    for representative in ("李四", "王五"):
        workbook = BENCH / f"import-{representative}.xlsx"
        if not workbook.exists():
            import registry

            registry.write_import_workbook(workbook, IMPORT_ROWS, 30_000_000, representative=representative)
        fixtures["imports"].append(str(workbook))
    return fixtures


# --- one run: serve, locust, CPU sampling ------------------------------------------------------------------------


def free_port():
    """A loopback port nobody listens on (other programs on this machine use the usual ones)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer 200 within {timeout} s")


class CpuSampler(threading.Thread):
    """Seconds of CPU used by each group of processes (web, worker, database backends of our database, locust),
    summed over per-process deltas every second, so processes that start or end during the run count too."""

    def __init__(self, server_pid, locust_pid, db_name):
        super().__init__(daemon=True)
        self.server_pid, self.locust_pid, self.db_name = server_pid, locust_pid, db_name
        self.last, self.used, self.stop = {}, {"web": 0.0, "worker": 0.0, "db": 0.0, "locust": 0.0}, threading.Event()

    def groups(self):
        import psutil

        found = {}
        try:
            for child in psutil.Process(self.server_pid).children(recursive=True):
                found[child.pid] = (
                    "worker" if "worker" in child.cmdline() else "web"
                )  # postlicense.cli worker --nice 10
        except psutil.Error:
            pass
        for proc in psutil.process_iter(["name", "cmdline"]):
            cmdline = " ".join(proc.info["cmdline"] or [])
            if proc.info["name"] == "postgres" and f" {self.db_name} " in cmdline:
                found[proc.pid] = "db"
        try:
            found[self.locust_pid] = "locust"
            for child in psutil.Process(self.locust_pid).children(recursive=True):
                found[child.pid] = "locust"
        except psutil.Error:
            pass
        return found

    def sample(self):
        import psutil

        for pid, group in self.groups().items():
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            total = times.user + times.system
            self.used[group] += total - self.last.get(pid, 0.0)
            self.last[pid] = total

    def run(self):
        import psutil

        for pid in self.groups():  # CPU spent before the measured window is not counted
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            self.last[pid] = times.user + times.system
        while not self.stop.wait(1.0):
            self.sample()

    def finish(self):
        self.stop.set()
        self.join()
        self.sample()
        return self.used


def run(args, env, server, users, offset):
    port = args.port or free_port()
    command = [sys.executable, "-m", "postlicense.cli", "serve", f"127.0.0.1:{port}"]
    if server == "dev":
        command.append("--dev")
        # The development server runs each request in a new thread: a persistent connection would outlive its
        # thread unused, and 100 users exhaust PostgreSQL's max_connections ("too many clients already").
        env = {**env, "CONN_MAX_AGE": "0"}
    log = open(BENCH / f"serve-{server}-{users}.log", "w")  # noqa: SIM115
    serve = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz")
        prefix = BENCH / f"locust-{server}-{users}"
        spawn = max(1, users // 5)  # every user started within about 5 s
        locust = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(Path(__file__).with_name("load_locust.py")),
                "--headless",
                "--host",
                f"http://127.0.0.1:{port}",
                "-u",
                str(users),
                "-r",
                str(spawn),
                "-t",
                f"{args.duration + users // spawn + 1}s",
                "--reset-stats",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**env, "LOAD_SLOT_OFFSET": str(offset)},
            stdout=subprocess.DEVNULL,
            stderr=open(f"{prefix}.stderr", "w"),  # noqa: SIM115
        )
        time.sleep(users // spawn + 1)  # measure from the statistics reset on
        sampler = CpuSampler(serve.pid, locust.pid, args.pg_db)
        sampler.start()
        started = time.monotonic()
        locust.wait()
        elapsed = time.monotonic() - started
        cpu = sampler.finish()
        load = os.getloadavg()
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(30)
        log.close()
    with open(f"{prefix}_stats.csv", newline="") as fh:
        total = next(row for row in csv.DictReader(fh) if row["Name"] == "Aggregated")
    return {
        "server": server,
        "users": users,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "median": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "cpu": {group: seconds / elapsed for group, seconds in cpu.items()},
        "load": load,
        "csv": f"{prefix}_stats.csv",
    }


def print_row(row):
    print(
        f"{row['server']:>8} {row['users']:>4} 用户：{row['rps']:.1f} 请求/秒，p95 {row['p95']:.0f} ms，"
        f"p99 {row['p99']:.0f} ms，错误 {row['failures']}（详见 {row['csv']}）",
        flush=True,
    )


def print_table(rows):
    cores = os.cpu_count()
    print(f"压测结果（{cores} 核；CPU 为测量期间平均占用的核数；负载为结束时的 1/5/15 分钟平均负载）")
    head = (
        f"{'服务器':<9}{'用户':>5}{'请求数':>8}{'请求/秒':>9}{'中位':>7}{'p95':>7}{'p99':>7}{'错误':>6}"
        f"{'web':>7}{'worker':>8}{'db':>6}{'locust':>8}  负载"
    )
    print(head)
    for r in rows:
        c = r["cpu"]
        verdict = ""
        if r["server"] == "gunicorn" and r["users"] == 100:
            ok = r["p95"] < 300 and r["p99"] < 1000 and r["failures"] == 0
            verdict = "  达标" if ok else "  未达标（目标 p95<300 ms, p99<1 s, 0 错误）"
        print(
            f"{r['server']:<9}{r['users']:>5}{r['requests']:>8}{r['rps']:>9.1f}{r['median']:>6.0f}ms{r['p95']:>5.0f}ms"
            f"{r['p99']:>5.0f}ms{r['failures']:>6}{c['web']:>7.2f}{c['worker']:>8.2f}{c['db']:>6.2f}{c['locust']:>8.2f}"
            f"  {' '.join(f'{x:.1f}' for x in r['load'])}{verdict}"
        )


if __name__ == "__main__":
    main()
