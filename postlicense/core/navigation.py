"""Navigation by role: each app's AppConfig may define `nav_items(user)` returning NavItems."""

from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=256)
def _url(url_name, prefix, urlconf):
    return reverse(url_name, urlconf=urlconf)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 50

    @property
    def url(self):
        """Reversed once per process (every page's nav asks for each item's URL about three times, and a reverse()
        costs more than the rest of the nav; the URL depends only on the name, the script prefix and the URLconf)."""
        return _url(self.url_name, get_script_prefix(), get_urlconf())


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
