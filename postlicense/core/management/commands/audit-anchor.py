from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from postlicense.core.audit import AnchorError, anchor_chain


class Command(BaseCommand):
    help = (
        "把审计日志链尾（记录编号、条数、哈希、时间）写到数据库之外：AUDIT_ANCHOR_PATH 文件（追加一行 JSON）"
        "和/或 AUDIT_ANCHOR_SYSLOG。先校验上次锚点以来新增的记录；链尾未变则不重复写入。"
    )

    def handle(self, *args, **options):
        try:
            anchor, written = anchor_chain(settings.AUDIT_ANCHOR_PATH, settings.AUDIT_ANCHOR_SYSLOG)
        except AnchorError as exc:
            raise CommandError(str(exc)) from exc
        if anchor is None:
            self.stdout.write("审计日志为空，无需锚定。")
        elif written:
            self.stdout.write(self.style.SUCCESS(f"已写入{anchor}。"))
        else:
            self.stdout.write(f"链尾未变，最近的{anchor}仍然有效，未重复写入。")
