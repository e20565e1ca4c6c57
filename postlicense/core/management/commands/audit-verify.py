from django.core.management.base import BaseCommand, CommandError

from postlicense.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链：逐条重算 SHA-256，输出 OK 或第一条被篡改/删除的记录。"

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"审计日志校验失败：第 {result.broken_id} 条记录处断裂——{result.reason}（此前 {result.checked} 条完好）")
        self.stdout.write(self.style.SUCCESS(f"OK：审计日志 {result.checked} 条，哈希链完整。"))
