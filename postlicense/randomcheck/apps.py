from django.apps import AppConfig


class RandomCheckConfig(AppConfig):
    name = "postlicense.randomcheck"
    label = "randomcheck"
    verbose_name = "双随机抽查"

    def ready(self):
        from . import signals  # noqa: F401  (follows the dispatched records' progress)

    def nav_items(self, user):
        from postlicense.core.navigation import NavItem

        if not user.is_bureau_staff:
            return []
        return [NavItem("双随机抽查", "randomcheck:task_list", 30)]

    def home_cards(self, user):
        from .selectors import home_cards

        return home_cards(user)

    def archive_sources(self, enterprise):
        from .models import DrawnEnterprise

        return [DrawnEnterprise.objects.filter(enterprise=enterprise)]

    def archive_events(self, enterprise):
        from .selectors import archive_events

        return archive_events(enterprise)

    def load_demo(self, stdout):
        from .demo import load_demo

        load_demo(stdout)
