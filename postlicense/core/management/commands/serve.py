import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from postlicense.core.jobs.supervisor import supervise

GUNICORN_CONF = Path(settings.BASE_DIR).parent / "deploy" / "gunicorn.conf.py"
# The worker runs at a lower CPU priority than the web server (README "Production"; deploy/systemd's worker unit
# says the same with Nice= and CPUWeight=): an import may take its time, a page should not wait for one.
WORKER_NICE = int(os.environ.get("WORKER_NICE", 10))


class Command(BaseCommand):
    help = (
        "启动网站（gunicorn，配置 deploy/gunicorn.conf.py；--dev 用 Django 开发服务器）和后台任务进程；"
        "Ctrl-C 同时停止两者。"
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="监听地址（默认 127.0.0.1:8000）")
        parser.add_argument("--dev", action="store_true", help="用 Django 开发服务器（make run）代替 gunicorn")

    def handle(self, addrport, dev, **options):
        manage = [sys.executable, "-m", "postlicense.cli"]
        if dev:
            web = [*manage, "runserver", addrport]
        else:
            web = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", addrport]
        sys.exit(supervise([web, [*manage, "worker", "--nice", str(WORKER_NICE)]]))
