from django.core.management.base import BaseCommand

from postlicense.reports import counts


class Command(BaseCommand):
    help = (
        "整理完成情况汇总表的统计数（每日运行：先补算有变更的企业，再把累加的行合并为每个键一行）；"
        "--rebuild 从检查记录等原始数据全部重算（用 SQL 直接改过数据之后）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="全部重算")

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            counts.rebuild()
            self.stdout.write("已从原始数据重算完成情况汇总表的统计数。")
            return
        settled = counts.settle()
        rows = counts.fold()
        self.stdout.write(f"已补算 {settled} 户企业的统计数，合并为 {rows} 行。")
