"""质量档案 (002 第13条, 001 二(一)): an enterprise's timeline of everything that happened to it.

Every capability adds to it the same way: its AppConfig defines `archive_events(enterprise)` returning
ArchiveEvents. The registry contributes license events and edits from the audit trail; inspections,
tests, rectifications and actions contribute theirs.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from django.apps import apps
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
    events = []
    for config in apps.get_app_configs():
        if hasattr(config, "archive_events"):
            events.extend(config.archive_events(enterprise))
    if user is not None:
        events = [e if not e.link_if or getattr(user, e.link_if) else replace(e, url="") for e in events]
    return sorted(events, key=lambda e: e.sort_key, reverse=True)
