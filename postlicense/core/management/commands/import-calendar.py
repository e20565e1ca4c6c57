from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from postlicense.core.calendar_data import parse_year_csv
from postlicense.core.services import import_calendar_year


class Command(BaseCommand):
    help = (
        "导入一年的节假日安排（国务院办公厅通知）。CSV 每行：日期,类型,名称；类型为“休”（工作日放假）或“班”（周末调休上班）；"
        "只需列出与“周一至周五上班”不同的日期。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--source", default="", help="通知文号，如 国办发明电〔2026〕X号")
        parser.add_argument("--replace", action="store_true", help="覆盖该年已有数据")

    def handle(self, *args, file, year, source, replace, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        with path.open(encoding="utf-8-sig", newline="") as fp:
            rows, errors = parse_year_csv(fp, year)
        if errors:
            raise CommandError("未导入任何数据，文件有以下错误：\n" + "\n".join(errors))
        try:
            import_calendar_year(year, rows, source or f"导入自 {path.name}", replace=replace)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(self.style.SUCCESS(f"已导入 {year} 年：{len(rows)} 个调整日期。"))
