"""A job whose worker is killed mid-way is run again by another worker and writes each record once (issue 12 §2).

In a throwaway SQLite database (or --database-url), queues an import of --rows enterprises, starts
`postlicense worker`, kills it with SIGKILL once the import has written its first batch, starts a second worker
and prints what the job and the register say at each step, then checks: the job ends 已完成 on its second
attempt, the register holds each enterprise once and the audit trail one creation per enterprise.

    .venv/bin/python bench/job_resume.py [--rows 6000] [--lease 10]
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--lease", type=int, default=10, help="JOB_LEASE_SECONDS for this run")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="postlicense-job-resume-")
    os.environ.update(
        POSTLICENSE_VAR=var, JOB_LEASE_SECONDS=str(args.lease), DJANGO_SETTINGS_MODULE="postlicense.settings"
    )
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    manage = [sys.executable, "-m", "postlicense.cli"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, check=True, capture_output=True)

    import django

    django.setup()
    from django.core.files.base import ContentFile

    from postlicense.core.jobs import services
    from postlicense.core.jobs.models import Job
    from postlicense.core.models import AuditEntry, User
    from postlicense.registry.models import Enterprise
    from postlicense.registry.tests.conftest import good_row, xlsx_bytes

    user = User.objects.create_superuser("bench-root", password="x")
    sheet = xlsx_bytes([good_row(n) for n in range(1, args.rows + 1)]).getvalue()
    job = services.start(user, Job.Kind.IMPORT_ENTERPRISES, upload=ContentFile(sheet, name="bench.xlsx"))
    started = time.monotonic()

    def state():
        job.refresh_from_db()
        created = AuditEntry.objects.filter(model="registry.enterprise", action=AuditEntry.Action.CREATE).count()
        line = (
            f"{time.monotonic() - started:6.1f} s  {job.get_status_display()} {job.phase or ''} "
            f"{job.processed}/{job.total}  attempt {job.attempts}  enterprises {Enterprise.objects.count()}  "
            f"creations audited {created}"
        )
        print(line, flush=True)
        return Enterprise.objects.count(), created

    first = subprocess.Popen([*manage, "worker"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while state()[0] == 0:
        time.sleep(0.5)
    first.send_signal(signal.SIGKILL)
    first.wait()
    print(f"worker 1 killed (SIGKILL) with the job {job.get_status_display()}", flush=True)
    second = subprocess.Popen([*manage, "worker"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while job.status != Job.Status.DONE and time.monotonic() - started < 600:
            time.sleep(2)
            enterprises, created = state()
    finally:
        second.terminate()
        second.wait()
    ok = job.status == Job.Status.DONE and job.attempts == 2 and enterprises == created == args.rows
    print(f"result {job.result}: {'OK' if ok else 'FAILED'} (each enterprise written and audited once)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
