from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "postlicense.followup"
    label = "followup"
    verbose_name = "跟踪处置"

    def nav_items(self, user):
        from postlicense.core.models import User
        from postlicense.core.navigation import NavItem

        if user.is_bureau_staff or user.role == User.Role.ENTERPRISE:
            return [NavItem("责令改正", "followup:order_list", order=35)]
        if user.role == User.Role.INSPECTOR:
            return [NavItem("回访/复查", "followup:revisit_list", order=21)]
        return []

    def todo_items(self, user, today):
        from .selectors import todo_groups

        return todo_groups(user, today)

    def archive_events(self, enterprise):
        from .archive_events import followup_events

        return followup_events(enterprise)

    def record_finished(self, record):
        from postlicense.inspections.models import InspectionRecord

        if record.kind == InspectionRecord.Kind.REVISIT:
            from .services import apply_revisit

            apply_revisit(record)

    def load_demo(self, stdout):
        from .demo import load_demo

        load_demo(stdout)
