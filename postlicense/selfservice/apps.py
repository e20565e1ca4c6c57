from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    name = "postlicense.selfservice"
    label = "selfservice"
    verbose_name = "企业自查与反馈"

    def nav_items(self, user):
        from postlicense.core.navigation import NavItem

        from . import selectors

        if selectors.is_enterprise_user(user):
            return [
                NavItem("本企业", "selfservice:home", 2),
                NavItem("自查报告", "selfservice:report_list", 3),
                NavItem("执法反馈", "selfservice:feedback_list", 5),
            ]
        items = []
        if user.is_bureau_staff:
            items += [
                NavItem("企业自查", "selfservice:review_list", 45),
                NavItem("企业账号", "selfservice:account_list", 46),
            ]
        if user.is_superuser or selectors.city_prefix(user):
            items.append(NavItem("执法反馈", "selfservice:feedback_manage", 47))
        return items

    def home_cards(self, user):
        from .todos import home_cards

        return home_cards(user)

    def todo_items(self, user, today):
        from .todos import todo_items

        return todo_items(user, today)

    def archive_sources(self, enterprise):
        from .archive_events import selfservice_sources

        return selfservice_sources(enterprise)

    def archive_events(self, enterprise):
        from .archive_events import selfservice_events

        return selfservice_events(enterprise)

    def license_marks(self, license_ids):
        from .selectors import annual_marks

        return annual_marks(license_ids)

    def record_panels(self, record, user):
        """On a cross-audit record, the 000 sheet's item 1 (是否按时提交了年度自查报告) as our records answer it."""
        from postlicense.inspections.models import InspectionRecord

        if record.kind != InspectionRecord.Kind.CROSS_AUDIT:
            return []
        from django.template.loader import render_to_string

        from .selectors import filed_on_time

        year = (record.inspection_date or record.due_date).year - 1
        context = {"year": year, "filed": filed_on_time(record.enterprise, year)}
        return [render_to_string("selfservice/_sheet_item1.html", context)]

    def load_demo(self, stdout):
        from .demo import load_demo

        load_demo(stdout)
