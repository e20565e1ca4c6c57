"""To-do lists (待办) for every role (DESIGN "Deadlines": each role's 待办 lists what falls to it, soonest deadline
first; overdue items are queries on dates, never stored flags).

Each app's AppConfig may define `todo_items(user, today) -> list[TodoGroup]`: one group per kind of work (orders to
serve, revisits to dispatch, ...) with its total, its overdue count and its first items by deadline, so a county
with thousands of open items still costs each app a few bounded queries. The to-do page, the home card and the
daily reminders (core.reminders) read them through `todo_for(user)`.
"""

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.utils import timezone

ITEMS_PER_GROUP = 20


@dataclass(frozen=True)
class TodoItem:
    title: str
    url: str
    due: date | None = None
    note: str = ""  # the deadline with its basis, e.g. "整改期限 2026-12-30（送达后30日）"

    def overdue(self, today):
        return self.due is not None and self.due < today


@dataclass(frozen=True)
class TodoGroup:
    label: str  # what to do, e.g. "待送达的责令改正通知书"
    total: int
    overdue: int = 0
    items: list[TodoItem] = field(default_factory=list)
    url: str = ""  # the full list


@dataclass
class TodoList:
    today: date
    groups: list[TodoGroup]

    @property
    def total(self):
        return sum(group.total for group in self.groups)

    @property
    def overdue(self):
        return sum(group.overdue for group in self.groups)

    def items(self, limit=100):
        """The groups' items merged, overdue and soonest first; items without a deadline last."""
        merged = [(item, group) for group in self.groups for item in group.items]
        merged.sort(key=lambda pair: (pair[0].due is None, pair[0].due or self.today, pair[0].title))
        return merged[:limit]

    def due_within(self, days):
        """Items overdue or due within `days` days (what the daily reminder mentions)."""
        return [
            (item, group)
            for item, group in self.items(limit=None)
            if item.due is not None and (item.due - self.today).days <= days
        ]


def todo_for(user, today=None):
    today = today or timezone.localdate()
    groups = []
    if user.is_authenticated and user.is_active:
        for config in apps.get_app_configs():
            if hasattr(config, "todo_items"):
                groups.extend(group for group in config.todo_items(user, today) if group.total)
    return TodoList(today, groups)
