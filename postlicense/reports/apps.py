from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "postlicense.reports"
    label = "reports"
    verbose_name = "报表"

    def nav_items(self, user):
        from postlicense.core.navigation import NavItem

        return [NavItem("报表", "reports:index", 70)] if user.is_bureau_staff else []

    def todo_items(self, user, today):
        from .selectors import todo_groups

        return todo_groups(user, today)

    def home_charts(self, user):
        from .dashboards import charts_for

        return charts_for(user)
