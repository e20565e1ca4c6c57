"""The daily run: management commands run once a day however many workers and timers ask.

Each command's run is claimed by inserting its unique DailyRun(date, name) row; a second process asking on
the same day hits the constraint and skips it. Overdue flags and to-do lists are queries over deadlines
(core.deadlines), so nothing needs storing for them; send-reminders tells each user what is due.
"""

import io
import socket
from datetime import datetime

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DailyRun

# command → what the staff page calls it
DAILY_COMMANDS = {
    "audit-anchor": "审计链锚定（把链尾哈希写到数据库之外）",
    "purge-uploads": "删除保存期满的导入文件和导出文件",
    "clearsessions": "清理过期的登录会话",
    "prune_db_task_results": "清理 14 天前已完成的队列记录",
    "followup-candidates": "检索许可处理候选（届满未延续、停产），起草注销建议",
    "send-reminders": "发送待办提醒（逾期与临近期限事项）",
    "planning-recount": "重算年度计划的已检次数",
    "reports-recount": "整理完成情况汇总表的统计数（补算有变更的企业，合并累加的行）",
}


def is_due(now=None):
    """The daily run starts once the local time of day has passed settings.JOBS["DAILY_AT"] (HH:MM)."""
    now = timezone.localtime(now)
    return now.time() >= datetime.strptime(settings.JOBS["DAILY_AT"], "%H:%M").time()


def run_daily(today=None, runner=None):
    """Run each daily command not yet claimed today; returns the runs this call made."""
    today = today or timezone.localdate()
    runner = runner or socket.gethostname()
    made = []
    for name in DAILY_COMMANDS:
        try:
            with transaction.atomic():
                run = DailyRun.objects.create(date=today, name=name, runner=runner[:100])
        except IntegrityError:
            continue  # another process has claimed it today
        made.append(_run(run))
    return made


def _run(run):
    out = io.StringIO()
    try:
        call_command(run.name, stdout=out, stderr=out)
    except Exception as exc:  # noqa: BLE001 - a failed command is recorded and the others still run
        run.status, run.result = (
            DailyRun.Status.FAILED,
            f"{out.getvalue()}\n运行失败：{type(exc).__name__}: {exc}".strip(),
        )
    else:
        run.status, run.result = DailyRun.Status.DONE, out.getvalue().strip() or "完成"
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "finished_at"])
    return run
