"""Navigation by role: each app's AppConfig may define `nav_items(user)` returning NavItems."""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 50

    @property
    def url(self):
        return reverse(self.url_name)


def nav_for(user):
    items = []
    for config in apps.get_app_configs():
        if hasattr(config, "nav_items"):
            items.extend(config.nav_items(user))
    return sorted(items, key=lambda item: item.order)


@dataclass(frozen=True)
class HomeCard:
    label: str
    value: object
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class HomeChart:
    """A chart on a bureau role's home page (AppConfig.home_charts(user)): an ECharts option (plain JSON data, drawn by
    static/js/charts.js from the vendored ECharts) and the list page behind it. A data item may carry its own `url`
    (clicking the bar opens that list)."""

    title: str
    option: dict
    url: str = ""
    note: str = ""
