"""Two app servers, one database (issue 12 §8): what one server does, the other sees.

    make bench-scaleout          # or: .venv/bin/python bench/scaleout.py [--pg-db bench_scaleout] [--rebuild]

Builds (once) the PostgreSQL database `--pg-db` with the demo, then starts server A (gunicorn alone, no job
worker) and server B (`postlicense serve`: gunicorn and a job worker) on two ports of this machine, both with
the same DATABASE_URL, SECRET_KEY and MEDIA_ROOT (one directory here; an S3-compatible bucket across machines).
It then shows, each step printed with what it checked:

1. a login on A is valid on B (sessions live in the database);
2. an enterprise import uploaded through A (over the 256 KB run in the request) is run by B's worker, and its
   progress page on B shows it finished: the job row says which process ran it, and that is B's worker;
3. a photo added to an inspection record through A is downloaded through B byte for byte (media storage).
Exits 1 at the first step that fails.
"""

import argparse
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402 - bench/load.py: the served system's environment and the health wait

ROOT = load.ROOT


def prepare():
    """(In a Django process) demo data once; prints the login, the import file and an open record to fill."""
    import django

    django.setup()
    import registry
    from django.core.management import call_command

    from postlicense.core.models import User
    from postlicense.core.services import DEMO_PASSWORD
    from postlicense.inspections.models import InspectionRecord
    from postlicense.inspections.selectors import can_fill

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="xuchang-admin").exists():
        call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = User.objects.get(username="xuchang-admin")
    record = next(
        r
        for r in InspectionRecord.objects.for_user(user).filter(status__in=["assigned", "in_progress"]).order_by("id")
        if can_fill(user, r)
    )
    workbook = load.BENCH / "scaleout-import.xlsx"
    registry.write_import_workbook(workbook, load.IMPORT_ROWS, 40_000_000)
    print(
        json.dumps(
            {
                "username": user.username,
                "password": DEMO_PASSWORD,
                "record": record.pk,
                "item": record.template_version.items.order_by("id").first().pk,
                "workbook": str(workbook),
            }
        )
    )


def attachments(session, server, record):
    """The ids of the attachments the record's fill page lists."""
    page = session.get(f"{server}/inspections/{record}/fill/").text
    return {int(x) for x in re.findall(r"/inspections/attachments/(\d+)/", page)}


def check(ok, text):
    print(f"  {'✓' if ok else '✗'} {text}", flush=True)
    if not ok:
        raise SystemExit(1)


def job_runner(env, job_id):
    """Who ran the job: its lease owner (host:pid:random) as the job row records it."""
    code = (
        "import django; django.setup(); from postlicense.core.jobs.models import Job; "
        f"j = Job.objects.get(pk={job_id}); print(j.status, j.lease_owner)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    status, owner = out.split()
    return status, owner


def main():
    import psutil
    import registry
    import requests
    from PIL import Image

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="bench_scaleout")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        return prepare()
    registry.prepare_postgres(Namespace(pg_server=args.pg_server, pg_db=args.pg_db, reuse=not args.rebuild))
    env = load.environment(args)
    env["WEB_CONCURRENCY"] = "2"
    given = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--prepare", "--pg-db", args.pg_db],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )
    ports = (load.free_port(), load.free_port())
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    servers = [
        subprocess.Popen(
            [*gunicorn, "--bind", f"127.0.0.1:{ports[0]}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(load.BENCH / "scaleout-a.log", "w"),  # noqa: SIM115
            start_new_session=True,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "postlicense.cli", "serve", f"127.0.0.1:{ports[1]}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(load.BENCH / "scaleout-b.log", "w"),  # noqa: SIM115
            start_new_session=True,
        ),
    ]
    try:
        load.wait_healthy(f"{b}/healthz")
        load.wait_healthy(f"{a}/healthz")
        b_worker = next(
            p.pid
            for p in psutil.Process(servers[1].pid).children(recursive=True)
            if "worker" in p.cmdline()[3:4]  # python -m postlicense.cli worker [--nice N]
        )
        print(
            f"A = {a}（gunicorn，无后台任务进程）  B = {b}（gunicorn + 后台任务进程 pid {b_worker}）  数据库 {args.pg_db}"
        )

        print("1. 在 A 登录，在 B 使用同一会话")
        on_a = requests.Session()
        on_a.get(f"{a}/login/")
        login = on_a.post(
            f"{a}/login/",
            data={
                "username": given["username"],
                "password": given["password"],
                "csrfmiddlewaretoken": on_a.cookies["csrftoken"],
            },
            allow_redirects=False,
        )
        check(
            login.status_code == 302 and "sessionid" in on_a.cookies, f"A 登录 {given['username']}：{login.status_code}"
        )
        on_b = requests.Session()
        on_b.cookies.update(on_a.cookies)
        page = on_b.get(f"{b}/registry/enterprises/", allow_redirects=False)
        check(
            page.status_code == 200 and "退出" in page.text, f"B 企业列表：{page.status_code}（已登录，未被送回登录页）"
        )

        print("2. 经 A 上传导入文件，由 B 的后台任务进程完成")
        with open(given["workbook"], "rb") as fh:
            upload = on_a.post(
                f"{a}/registry/import/enterprises/",
                files={"file": ("名录.xlsx", fh)},
                data={"csrfmiddlewaretoken": on_a.cookies["csrftoken"]},
                allow_redirects=False,
            )
        check(
            upload.status_code == 302,
            f"A 接收文件（{Path(given['workbook']).stat().st_size:,} 字节）→ {upload.headers.get('Location')}",
        )
        job_url, job_id = upload.headers["Location"], int(upload.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            progress = on_b.get(f"{b}{job_url}", headers={"HX-Request": "true"})
            if "hx-get=" not in progress.text:
                break
            time.sleep(1)
        check("导入完成" in progress.text, "B 的进度页：导入完成")
        status, owner = job_runner(env, job_id)
        check(
            status == "done" and owner.split(":")[1] == str(b_worker),
            f"任务 {job_id} 由 {owner} 运行（B 的后台任务进程 pid {b_worker}）",
        )

        print("3. 经 A 上传现场照片，经 B 下载")
        buffer = io.BytesIO()  # a new photo on every run: the same bytes twice are one attachment
        Image.frombytes("L", (640, 480), os.urandom(640 * 480)).convert("RGB").save(buffer, "JPEG")
        photo = buffer.getvalue()
        record, item = given["record"], given["item"]
        before = attachments(on_b, b, record)
        sent = on_a.post(
            f"{a}/inspections/{record}/items/{item}/attachments/",
            files={"file": ("现场照片.jpg", photo, "image/jpeg")},
            data={"csrfmiddlewaretoken": on_a.cookies["csrftoken"]},
            allow_redirects=False,
        )
        check(sent.status_code == 302, f"A 接收照片（{len(photo):,} 字节）：{sent.status_code}")
        new = attachments(on_b, b, record) - before
        check(len(new) == 1, f"B 的填写页列出新附件 {sorted(new)}")
        got = on_b.get(f"{b}/inspections/attachments/{new.pop()}/")
        check(
            got.status_code == 200 and got.content == photo,
            f"B 下载附件：{got.status_code}，{len(got.content):,} 字节，内容一致",
        )
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(30)
    print("两台应用服务器共用一个数据库：会话、上传文件和后台任务都正确共享。")


if __name__ == "__main__":
    main()
