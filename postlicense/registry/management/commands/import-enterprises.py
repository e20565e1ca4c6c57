from django.core.management.base import BaseCommand, CommandError

from postlicense.core.audit import acting_as
from postlicense.core.models import User
from postlicense.registry import importing
from postlicense.registry.xlsx import SheetError, open_rows


class Command(BaseCommand):
    help = "从 .xlsx 导入获证企业及许可证（与网页导入相同：先校验全部行，有任何错误则不导入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="按导入模板填写的 .xlsx 文件")
        parser.add_argument("--user", default="admin", help="以该用户的身份和管辖范围导入（默认 admin，全部范围）")

    def handle(self, file, user, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户“{user}”不存在或已停用。")
        try:
            with open(file, "rb") as fh:
                total, rows = open_rows(fh, importing.COLUMNS)
                self.stdout.write(f"校验 {total} 行…")
                valid, errors = importing.validate(rows, actor)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{file}") from exc
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        if errors:
            for e in errors:
                self.stderr.write(f"第{e.row}行 {e.column}：{e.message}")
            raise CommandError(f"发现 {len(errors)} 处错误，未导入任何数据。")
        with acting_as(actor):
            created, updated = importing.apply(
                valid, progress=lambda n: self.stdout.write(f"已写入 {n}/{len(valid)} 家企业", ending="\r")
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"导入完成：新增 {created} 家，更新 {updated} 家。"))
