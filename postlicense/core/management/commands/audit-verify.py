from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from postlicense.core.audit import AnchorError, latest_anchor, verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链：逐条重算 SHA-256，并与最近一次锚点（audit-anchor）比对，输出 OK 或第一条被篡改/删除的记录。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor-file",
            default=settings.AUDIT_ANCHOR_PATH,
            help="锚点文件（每行一个 JSON 锚点，取最后一行；默认 AUDIT_ANCHOR_PATH）",
        )

    def handle(self, *args, anchor_file, **options):
        try:
            anchor = latest_anchor(anchor_file) if anchor_file else None
        except AnchorError as exc:
            raise CommandError(str(exc)) from exc
        result = verify_chain(anchor=anchor)
        if not result.ok:
            raise CommandError(
                f"审计日志校验失败：第 {result.broken_id} 条记录处断裂——{result.reason}（此前 {result.checked} 条完好）"
            )
        against = f"与{anchor}一致" if anchor else "尚无锚点"
        self.stdout.write(self.style.SUCCESS(f"OK：审计日志 {result.checked} 条，哈希链完整，{against}。"))
