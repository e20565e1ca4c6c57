import time

from django.core.management.base import BaseCommand, CommandError

from postlicense.core.audit import verify_chain
from postlicense.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "从 backup 生成的文件恢复数据库和上传文件：先完整校验备份文件（清单、校验和、路径），"
        "目标数据库不是空的时须加 --force；恢复后核对各表行数并校验审计日志哈希链。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup 生成的 .tar.gz 文件")
        parser.add_argument("--force", action="store_true", help="覆盖非空的数据库和上传文件目录")

    def handle(self, *args, file, force, **options):
        started = time.monotonic()
        try:
            manifest, counts, tip = restore_backup(file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        differs = sorted(t for t, n in manifest["counts"].items() if counts.get(t) != n)
        if differs:
            raise CommandError(f"恢复后的行数与备份清单不符：{'、'.join(differs[:10])}。")
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"恢复后审计日志校验失败：第 {result.broken_id} 条记录处断裂——{result.reason}")
        if tip != manifest["audit"]:
            raise CommandError("恢复后审计日志链尾与备份清单不符。")
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {file}（{manifest['created']} 的备份）恢复，用时 {time.monotonic() - started:.1f} 秒："
                f"{len(counts)} 张表共 {sum(counts.values())} 行与清单一致，上传文件 {manifest['media']['files']} 个；"
                f"审计日志 {result.checked} 条，哈希链完整，链尾与备份一致。如本程序版本比备份新，请再运行 postlicense migrate。"
            )
        )
