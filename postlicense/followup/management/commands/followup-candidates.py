from django.core.management.base import BaseCommand

from postlicense.followup.decisions import find_candidates


class Command(BaseCommand):
    help = "检索许可处理候选（有效期届满未延续、登记停产），起草注销建议（每日运行；已有未办结建议的不重复起草）。"

    def handle(self, *args, **options):
        drafted = find_candidates()
        self.stdout.write(
            f"候选许可证 {len(drafted)} 张，其中待县局确认 {sum(p.status == 'proposed' for p in drafted)} 张。"
        )
