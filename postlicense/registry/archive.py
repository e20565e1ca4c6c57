"""质量档案 (002 第13条, 001 二(一)): an enterprise's timeline of everything that happened to it.

Every capability adds to it the same way: its AppConfig defines `archive_events(enterprise)` returning
ArchiveEvents. The registry contributes license events and edits from the audit trail; inspections,
tests, rectifications and actions contribute theirs.

An AppConfig may also define `archive_sources(enterprise)`: querysets of its rows of the enterprise (`enterprise` is
an OuterRef to its pk) from which all its events come. The timeline asks whether each has a row in one query and
skips the archive_events of an app with none: most enterprises have no events in most apps, and a page read per
app was most of the enterprise page's queries.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from django.apps import apps
from django.db.models import Exists, OuterRef
from django.utils import timezone


@dataclass(frozen=True)
class ArchiveEvent:
    at: date | datetime
    kind: str  # shown as a tag: 许可证, 变更, 检查, 整改, 抽样检验, 处罚 …
    title: str
    detail: str = ""
    url: str = ""
    link_if: str = ""  # a User property the reader needs for the link (e.g. "is_bureau_staff"); "" = whoever reads

    @property
    def sort_key(self):
        at = self.at if isinstance(self.at, datetime) else datetime.combine(self.at, time.max)
        return at if timezone.is_aware(at) else timezone.make_aware(at)


def timeline(enterprise, user=None):
    """The enterprise's events, newest first; for `user`, without the links to pages that user may not open."""
    configs = [config for config in apps.get_app_configs() if hasattr(config, "archive_events")]
    present = apps_with_rows(enterprise, configs)
    events = []
    for config in configs:
        if present.get(config.label, True):
            events.extend(config.archive_events(enterprise))
    if user is not None:
        events = [e if not e.link_if or getattr(user, e.link_if) else replace(e, url="") for e in events]
    return sorted(events, key=lambda e: e.sort_key, reverse=True)


def apps_with_rows(enterprise, configs):
    """{app label: whether any of its archive_sources has a row of `enterprise`} for the apps that define them."""
    sources = {
        f"{config.label}__{i}": Exists(rows)
        for config in configs
        if hasattr(config, "archive_sources")
        for i, rows in enumerate(config.archive_sources(OuterRef("pk")))
    }
    if not sources:
        return {}
    row = type(enterprise).objects.filter(pk=enterprise.pk).values(**sources).get()
    present = {}
    for key, value in row.items():
        label = key.rsplit("__", 1)[0]
        present[label] = present.get(label, False) or value
    return present
