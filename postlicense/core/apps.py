from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "postlicense.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from django.apps import apps
        from django.contrib.auth.signals import user_logged_in

        from . import audit, middleware, security_events

        audit.connect(apps.get_models())
        security_events.connect()
        user_logged_in.connect(middleware.session_started, dispatch_uid="session-started")

    def nav_items(self, user):
        from .navigation import NavItem
        from .users import can_manage_users

        items = [NavItem("首页", "home", 0), NavItem("待办", "core:todo", 1)]
        if user.is_bureau_staff:
            items += [
                NavItem("监管部门", "core:org_unit_list", 80),
                NavItem("工作日历", "core:calendar", 85),
                NavItem("期限设置", "core:deadline_settings", 86),
                NavItem("后台任务", "jobs:list", 87),
            ]
        if can_manage_users(user):
            items.append(NavItem("用户管理", "core:user_list", 90))
        return items

    def home_cards(self, user):
        from django.urls import reverse

        from .navigation import HomeCard
        from .selectors import org_units_for
        from .todo import todo_for

        todo = todo_for(user)
        cards = [
            HomeCard(
                "待办",
                todo.total,
                reverse("core:todo") + "#groups",  # the groups' totals (each group lists only its soonest items)
                f"其中已逾期 {todo.overdue} 项" if todo.overdue else "",
            )
        ]
        if user.is_bureau_staff:
            cards.append(
                HomeCard(
                    "监管部门", org_units_for(user).count(), reverse("core:org_unit_list"), user.jurisdiction.describe()
                )
            )
        return cards

    def load_demo(self, stdout):
        from .services import load_demo_users

        load_demo_users()
