"""CPU per request of each page in bench/load.py's mix (issue 12 §7), with the floor beside it.

    .venv/bin/python bench/request_cpu.py                     # against a copy of bench/load.py's database
    .venv/bin/python bench/request_cpu.py --repeat 30 --profile 企业详情

Wall time on a shared machine says more about the neighbours than about the code; the CPU time a request costs
the web process does not. This runs each request of the mix `--repeat` times in one process through the whole
middleware stack (Django's test client: the WSGI handler, sessions, CSRF, CSP, templates; production settings,
DEBUG=0, persistent connection) against the PostgreSQL database `--pg-db` — a copy of bench/load.py's, e.g.
`createdb -h 127.0.0.1 -U postgres -T bench_load bench_request_cpu`; it adds an inspector with open records and
finishes them — and prints per page the median CPU milliseconds of this process (time.process_time: Python,
templates and the database client), the mean CPU milliseconds of its PostgreSQL backend (库: /proc, counted in
clock ticks, so only the mean over the repeats means anything), the SQL statements, and the wall median for
reference, and the host's speed (bench/_data.host_speed). The floor is /healthz (the same middleware stack, no session, three small queries) and
a signed-in user's 404 page (session, user, the nav, the base template: what every signed-in page pays before
its own work).
The line after the table weights each page by its share of bench/load.py's requests: the web's CPU per request
of the whole mix, which with the request rate gives the cores the web needs. `--sql NAME,…` prints the SQL of one request of those pages; `--profile NAME,…` prints the cProfile (CPU time) of those pages' requests (PROFILE_SORT: cumulative, top 40; PROFILE_DUMP=DIR also writes each page's pstats file there).
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="bench_request_cpu")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (the first one is not counted)")
    parser.add_argument("--profile", default="", help="print the cProfile of these pages' requests (comma-separated)")
    parser.add_argument("--sql", default="", help="print the SQL statements of one request of these pages")
    parser.add_argument("--seed", type=int, default=12)
    return parser.parse_args()


# Each page's share of the mix's requests (bench/load_locust.py: users are county staff 50 %, inspectors 30 %, the
# public 20 %, all waiting 1–3 s; staff pick list/search/enterprise 3 each, record list/record 1 each; an inspector
# does per record fill, 3 autosaves, a photo, 3 signatures, finish, record; the public index 1, a result 3).
MIX = {
    "企业列表": 0.5 * 3 / 11,
    "企业查询": 0.5 * 3 / 11,
    "企业详情": 0.5 * 3 / 11,
    "检查记录列表": 0.5 / 11,
    "检查记录详情": 0.5 / 11 + 0.3 / 10,
    "填写检查记录": 0.3 / 10,
    "自动保存草稿": 0.3 * 3 / 10,
    "上传照片": 0.3 / 10,
    "签名": 0.3 * 3 / 10,
    "完成检查": 0.3 / 10,
    "公示首页": 0.2 / 4,
    "抽查结果公示": 0.2 * 3 / 4,
}


def configure(args):
    media = ROOT / "var" / "bench" / "request_cpu" / "media"
    media.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "postlicense.settings",
            "DATABASE_URL": f"{args.pg_server}/{args.pg_db}",
            "DEBUG": "0",
            "SECRET_KEY": "bench-request-cpu-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver",
            "MEDIA_ROOT": str(media),
            "CONN_MAX_AGE": "60",
            "CONN_HEALTH_CHECKS": "1",
        }
    )
    import django

    django.setup()


class Counter:
    """Counts the SQL statements run (a connection execute wrapper: no debug cursor, next to no overhead), and keeps
    them if asked."""

    def __init__(self, keep=False):
        self.n, self.statements = 0, [] if keep else None

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        if self.statements is not None:
            self.statements.append(sql)
        return execute(sql, params, many, context)


def clients(rng, repeat):
    """Signed-in clients and the ids they open, as bench/load.py's users: a county staff, an inspector with
    records to finish, the city admin; and the public."""
    import load  # bench/load.py: the same fixtures as the load test
    from django.test import Client

    fixtures = load.make_fixtures(staff_slots=1, inspector_slots=1, records_per_inspector=repeat + 2)

    def signed(session):
        client = Client()
        client.cookies["sessionid"] = session
        return client

    staff = fixtures["staff"][0]
    inspector = fixtures["inspectors"][0]
    public = Client()
    tasks = sorted(set(re.findall(r"/public/random-checks/(\d+)/", public.get("/public/").content.decode())))
    return {
        "staff": signed(staff["session"]),
        "enterprises": staff["enterprises"],
        "records": staff["records"],
        "inspector": signed(inspector["session"]),
        "todo": inspector["records"],
        "admin": signed(fixtures["importer"]),
        "public": public,
        "tasks": tasks,
        "photo": Path(fixtures["photo"]).read_bytes(),
        "signature": fixtures["signature"],
        "rng": rng,
    }


def pages(c):
    """(name, client, function making one request) for each request of the mix, in bench/load_locust.py's names."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from load import SEARCHES

    rng = c["rng"]
    todo = iter(c["todo"])
    # The inspector's records go through the steps in order: a finish needs a fresh record each time.
    state = {}

    def record():
        if "record" not in state:
            state["record"] = next(todo)
            state["revision"] = state["record"]["form"]["revision"]
        return state["record"]

    def draft():
        r = record()
        response = c["inspector"].post(
            f"/inspections/{r['pk']}/draft/",
            {**r["form"], "revision": state["revision"], "problems_summary": "现场检查保存"},
        )
        state["revision"] = str(response.json()["revision"])
        return response

    def photo():
        r = record()
        file = SimpleUploadedFile("现场照片.jpg", c["photo"], "image/jpeg")
        return c["inspector"].post(f"/inspections/{r['pk']}/items/{r['photo_item']}/attachments/", {"file": file})

    def sign():
        r = record()
        return c["inspector"].post(f"/inspections/{r['pk']}/sign/", {"who": str(r["crew"][0]), "image": c["signature"]})

    def finish():
        r = record()
        for who in r["crew"]:
            c["inspector"].post(f"/inspections/{r['pk']}/sign/", {"who": str(who), "image": c["signature"]})
        c["inspector"].post(f"/inspections/{r['pk']}/sign/", {"who": "refuse", "note": "企业负责人拒绝签字"})
        return ("完成检查", lambda: _finish(r))

    def _finish(r):
        response = c["inspector"].post(
            f"/inspections/{r['pk']}/fill/", {**r["form"], "revision": state["revision"], "then": "finish"}
        )
        assert response.status_code == 302, re.sub(r"<[^>]+>", "", response.content.decode())[-3000:]
        state.clear()
        return response

    return [
        ("floor: /healthz", lambda: c["public"].get("/healthz")),
        ("floor: 登录后404页", lambda: c["staff"].get("/no-such-page/")),
        ("企业列表", lambda: c["staff"].get("/registry/enterprises/")),
        ("企业查询", lambda: c["staff"].get("/registry/enterprises/", rng.choice(SEARCHES))),
        ("企业详情", lambda: c["staff"].get(f"/registry/enterprises/{rng.choice(c['enterprises'])}/")),
        ("检查记录列表", lambda: c["staff"].get("/inspections/")),
        ("检查记录详情", lambda: c["staff"].get(f"/inspections/{rng.choice(c['records'])}/")),
        ("我的检查", lambda: c["inspector"].get("/inspections/mine/")),
        ("填写检查记录", lambda: c["inspector"].get(f"/inspections/{record()['pk']}/fill/")),
        ("自动保存草稿", draft),
        ("上传照片", photo),
        ("签名", sign),
        ("完成检查", finish),
        ("公示首页", lambda: c["public"].get("/public/")),
        ("抽查结果公示", lambda: c["public"].get(f"/public/random-checks/{rng.choice(c['tasks'])}/")),
        ("导入页面", lambda: c["admin"].get("/registry/import/enterprises/")),
    ]


def measure(name, make, repeat, profile, show_sql):
    from _data import backend_cpu
    from django.db import connection

    cpu, wall, queries, statuses, backend = [], [], [], set(), 0.0
    profiler = cProfile.Profile(time.process_time) if profile else None
    for i in range(repeat + 1):
        request = make
        if name == "完成检查":  # the signatures before it are not its cost
            _, request = make()
        counter = Counter(keep=show_sql and i == repeat)
        with connection.execute_wrapper(counter):
            c0, w0, b0 = time.process_time(), time.perf_counter(), backend_cpu()
            if profiler and i:
                profiler.enable()
            response = request()
            if profiler and i:
                profiler.disable()
            c1, w1, b1 = time.process_time(), time.perf_counter(), backend_cpu()
        statuses.add(response.status_code)
        if i:  # the first request warms caches and imports
            cpu.append((c1 - c0) * 1000)
            wall.append((w1 - w0) * 1000)
            queries.append(counter.n)
            backend += b1 - b0
    if show_sql:
        print(f"{name}：{counter.n} 条 SQL")
        for sql in counter.statements:
            print("   ", sql[:160])
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(40)
        print(out.getvalue())
        if os.environ.get("PROFILE_DUMP"):  # a directory: one pstats file per page, for pstats' print_callers
            profiler.dump_stats(Path(os.environ["PROFILE_DUMP"]) / f"{name}.pstats")
    return {
        "cpu": statistics.median(cpu),
        "cpu_p90": sorted(cpu)[int(len(cpu) * 0.9) - 1],
        "wall": statistics.median(wall),
        "backend": backend * 1000 / repeat,
        "queries": statistics.median(queries),
        "status": ",".join(str(s) for s in sorted(statuses)),
    }


def main():
    args = parse_args()
    configure(args)
    c = clients(random.Random(args.seed), args.repeat)
    rows = []
    for name, make in pages(c):
        row = measure(name, make, args.repeat, name in args.profile.split(","), name in args.sql.split(","))
        rows.append((name, row))
        print(
            f"{name:<14}CPU {row['cpu']:6.1f} ms（p90 {row['cpu_p90']:6.1f}）  SQL {row['queries']:5.1f}  "
            f"库 {row['backend']:5.1f} ms  墙钟 {row['wall']:6.1f} ms  状态 {row['status']}",
            flush=True,
        )
    cpu = {name: row["cpu"] for name, row in rows}
    queries = {name: row["queries"] for name, row in rows}
    backend = {name: row["backend"] for name, row in rows}
    print(
        f"\n按压测混合比例加权：每个请求 CPU {sum(cpu[n] * w for n, w in MIX.items()):.1f} ms，"
        f"库 {sum(backend[n] * w for n, w in MIX.items()):.1f} ms，SQL {sum(queries[n] * w for n, w in MIX.items()):.1f} 条（底线：登录后404页 {cpu['floor: 登录后404页']:.1f} ms）"
    )
    from _data import host_speed

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n每个请求的 CPU 毫秒（本进程，中位数，{args.repeat} 次；负载 {load}；主机速度 {host_speed():.2f} s；数据库 {args.pg_db}）"
    )


if __name__ == "__main__":
    main()
