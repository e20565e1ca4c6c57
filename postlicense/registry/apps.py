from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "postlicense.registry"
    label = "registry"
    verbose_name = "获证企业"

    def nav_items(self, user):
        from postlicense.core.navigation import NavItem

        return [NavItem("企业名录", "registry:enterprise_list", 10)]

    def home_cards(self, user):
        from django.urls import reverse

        from postlicense.core.navigation import HomeCard

        from . import selectors

        if not user.is_bureau_staff:
            return []
        url = reverse("registry:enterprise_list")
        counts = selectors.license_counts(user)
        return [
            HomeCard("获证企业", selectors.enterprises_for(user).count(), url, user.jurisdiction.describe()),
            HomeCard("90天内到期许可证", counts["expiring"], f"{url}?expiry=expiring", "请督促企业及时延续"),
            HomeCard("已过期许可证", counts["expired"], f"{url}?expiry=expired", "未延续的应依法注销"),
        ]

    def archive_events(self, enterprise):
        from .archive_events import registry_events

        return registry_events(enterprise)

    def load_demo(self, stdout):
        from .demo import load_demo

        load_demo(stdout)
