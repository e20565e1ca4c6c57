import os
import socket

from django.core.management.base import BaseCommand
from django.db import connections
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from postlicense.core.jobs.worker import Keeper, rq_worker


class Command(BaseCommand):
    help = "运行后台任务进程：执行排队的任务（导入等），写心跳，重新运行进程中断的任务，每天运行一次每日任务。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时每隔几秒查看一次（默认 1）")
        parser.add_argument(
            "--nice", type=int, default=0, help="降低本进程的 CPU 优先级（nice 增量，如 10：网站请求优先）"
        )

    def handle(self, interval, nice, **options):
        if nice:
            os.nice(nice)
        worker_id = f"{socket.gethostname()[:40]}:{os.getpid()}"
        Keeper(worker_id).start()
        if not isinstance(task_backends["default"], DatabaseBackend):  # the queue is on Redis (settings.TASKS_BACKEND)
            connections.close_all()
            self.stdout.write(f"后台任务进程 {worker_id} 已启动（Redis 队列）。")
            rq_worker(worker_id).work(with_scheduler=True)
            return
        worker = Worker(
            queue_names=["default"],
            excluded_queue_names=[],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
        )
        worker.configure_signals()
        self.stdout.write(f"后台任务进程 {worker_id} 已启动。")
        worker.run()
