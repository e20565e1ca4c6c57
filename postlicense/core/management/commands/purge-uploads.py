from django.conf import settings
from django.core.management.base import BaseCommand

from postlicense.core.jobs.services import purge_outputs
from postlicense.core.uploads import purge_uploads


class Command(BaseCommand):
    help = (
        "删除导入完成已超过 IMPORT_FILE_RETENTION_DAYS 天的导入文件，以及未通过校验的导入留下的文件；"
        "导入任务及其结果保留。可重复运行。"
    )

    def handle(self, *args, **options):
        count = purge_uploads()
        days = settings.IMPORT_FILE_RETENTION_DAYS
        self.stdout.write(f"已删除 {count} 个导入文件（保留期 {days} 天；未通过校验的文件不保留）。")
        self.stdout.write(f"已删除 {purge_outputs()} 个导出或打印结果文件（保留期 {days} 天）。")
