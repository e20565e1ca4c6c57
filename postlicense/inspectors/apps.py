from django.apps import AppConfig


class InspectorsConfig(AppConfig):
    name = "postlicense.inspectors"
    label = "inspectors"
    verbose_name = "执法检查人员"

    def nav_items(self, user):
        from postlicense.core.navigation import NavItem

        return [NavItem("执法人员", "inspectors:inspector_list", 15)] if user.is_bureau_staff else []

    def home_cards(self, user):
        from django.urls import reverse

        from postlicense.core.navigation import HomeCard

        from .selectors import filter_inspectors, inspectors_for

        if not user.is_bureau_staff:
            return []
        qs = inspectors_for(user).filter(active=True)
        expired = filter_inspectors(qs, certificate="expired").count()
        return [
            HomeCard(
                "在岗执法人员",
                qs.count(),
                reverse("inspectors:inspector_list") + "?active=1",
                f"其中执法证已过期 {expired} 人" if expired else "执法证均在有效期内",
            )
        ]

    def load_demo(self, stdout):
        from .demo import load_demo

        load_demo(stdout)
