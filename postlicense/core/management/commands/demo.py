from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from postlicense.core.audit import acting_as
from postlicense.core.models import User
from postlicense.core.services import DEMO_PASSWORD

SHOWN_PREFIXES = ("admin", "xuchang-admin", "xuchang-weidu", "xuchang-changge", "binhai-tanggu", "ent-", "qiye-")


class Command(BaseCommand):
    help = "创建演示数据（可重复执行）：各单位每个角色一个账号，以及各业务模块的演示数据。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有用户时不再创建，只列出演示账号")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("数据库非空，跳过演示数据。")
        else:
            with acting_as(None), transaction.atomic():
                for config in apps.get_app_configs():
                    if hasattr(config, "load_demo"):
                        config.load_demo(self.stdout)
            self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        self.print_logins()

    def print_logins(self):
        users = User.objects.filter(is_active=True).select_related("org_unit").order_by("id")
        shown = [u for u in users if u.username.startswith(SHOWN_PREFIXES)][:14]
        if not shown:
            return
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}；完整列表见 README 或“数据维护 › 用户”）：")
        for user in shown:
            account = getattr(user, "enterprise_account", None)  # an enterprise user sees its own enterprise only
            where = account.enterprise.name if account else user.org_unit or user.jurisdiction.describe()
            self.stdout.write(f"  {user.username:<30} {user.get_role_display()} · {where}")
