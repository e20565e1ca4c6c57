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
