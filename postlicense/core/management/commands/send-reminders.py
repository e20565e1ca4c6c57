from django.core.management.base import BaseCommand

from postlicense.core.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "按每位用户的待办清单发送当日提醒（站内提醒；设置 REMINDER_EMAIL=1 时同时发邮件）。同一天重复运行不会重复提醒。"
    )

    def handle(self, *args, **options):
        self.stdout.write(f"已向 {send_reminders()} 位用户发送待办提醒。")
