from django.core.management.base import BaseCommand

from postlicense.core.jobs.scheduler import run_daily


class Command(BaseCommand):
    help = "运行今天尚未运行的每日任务（多个进程或定时器同时调用时，每项每天只运行一次）。"

    def handle(self, **options):
        runs = run_daily(runner="daily")
        for run in runs:
            self.stdout.write(f"{run.name}：{run.get_status_display()}（{run.duration.total_seconds():.1f} 秒）")
        if not runs:
            self.stdout.write("今天的每日任务都已运行过。")
