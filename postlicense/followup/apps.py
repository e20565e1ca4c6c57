from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "postlicense.followup"
    label = "followup"
    verbose_name = "跟踪处置"

    def nav_items(self, user):
        from postlicense.core.navigation import NavItem

        if user.is_bureau_staff:
            return [
                NavItem("许可处理", "followup:proposal_list", 60),
                NavItem("约谈与案件", "followup:interview_list", 61),
            ]
        if user.role == user.Role.ENTERPRISE:
            return [NavItem("约谈", "followup:interview_list", 61)]
        return []

    def todo_items(self, user, today):
        from .enforcement_todo import todo_groups

        return todo_groups(user, today)

    def archive_events(self, enterprise):
        from .enforcement_archive import enforcement_events

        return enforcement_events(enterprise)

    def license_bars(self, pairs, today=None):
        from .decisions import revocation_bars

        return revocation_bars(pairs, today)

    def load_demo(self, stdout):
        from .demo_enforcement import load_demo

        load_demo(stdout)
