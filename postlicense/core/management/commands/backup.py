import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from postlicense.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "备份数据库和上传文件到一个 .tar.gz 文件（SQLite 在线备份 API；PostgreSQL 用 pg_dump 自定义格式），"
        "内含清单：各表行数、每个文件的 SHA-256 和审计日志链尾。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件路径，例如 /srv/backup/postlicense-20261130.tar.gz")

    def handle(self, *args, file, **options):
        started = time.monotonic()
        try:
            manifest = create_backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        audit, media = manifest["audit"], manifest["media"]
        media_text = (
            f"上传文件 {media['files']} 个（{media['bytes'] / 1e6:.1f} MB）"
            if media["included"]
            else "上传文件在对象存储中，未包含（请用对象存储自身的备份）"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {file}（{Path(file).stat().st_size / 1e6:.1f} MB，用时 {time.monotonic() - started:.1f} 秒）："
                f"{len(manifest['counts'])} 张表共 {sum(manifest['counts'].values())} 行，{media_text}，"
                f"审计日志 {audit['count']} 条（链尾第 {audit['entry_id']} 条）。"
            )
        )
