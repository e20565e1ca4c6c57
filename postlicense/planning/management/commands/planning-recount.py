from django.core.management.base import BaseCommand
from django.utils import timezone

from postlicense.planning.models import Plan
from postlicense.planning.services import recount_plans


class Command(BaseCommand):
    help = "重算本年度和上年度计划中每户企业的已检次数（每日运行；记录变更时已即时更新，此处兜底）。"

    def handle(self, *args, **options):
        year = timezone.localdate().year
        changed = recount_plans(Plan.objects.filter(year__in=[year - 1, year]))
        self.stdout.write(f"已重算年度计划的已检次数，更正 {changed} 户。")
