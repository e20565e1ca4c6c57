"""The archive asks in one query which apps have rows of an enterprise and skips the others' reads
(registry.archive.apps_with_rows, issue 12 item 6: the enterprise page's per-app reads). Skipping must never lose an
event: on the demo jurisdiction, whose enterprises have inspections, draws, orders, tests, plans, self-reports and
the rest, every enterprise's timeline equals the one read from every app."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Exists, OuterRef

from postlicense.core.models import User
from postlicense.planning.services import confirm_class
from postlicense.registry.archive import apps_with_rows, timeline
from postlicense.registry.models import Enterprise


def in_full_order(events):
    """Newest first, and events of the same moment in a fixed order (timeline orders by time alone)."""
    return sorted(events, key=lambda e: (e.sort_key, e.kind, e.title, e.detail, e.url), reverse=True)


def every_apps_events(enterprise):
    events = []
    for config in apps.get_app_configs():
        if hasattr(config, "archive_events"):
            events.extend(config.archive_events(enterprise))
    return in_full_order(events)


@pytest.mark.django_db
def test_skipping_apps_without_rows_loses_no_event_of_any_demo_enterprise():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    enterprise = Enterprise.objects.filter(supervision_class="B").first()  # the demo confirms no class change
    confirm_class(enterprise, "A", "连续三年检查合格", User.objects.get(username="xuchang-admin"))
    configs = [c for c in apps.get_app_configs() if hasattr(c, "archive_sources")]
    # Each source has rows of some demo enterprise, so that each is checked against its app's reads.
    empty = [
        (config.label, i, rows.model.__name__)
        for config in configs
        for i, rows in enumerate(config.archive_sources(OuterRef("pk")))
        if not Enterprise.objects.filter(Exists(rows)).exists()
    ]
    assert not empty, f"sources without demo rows: {empty}"
    skipped = 0
    for enterprise in Enterprise.objects.all():
        present = apps_with_rows(enterprise, configs)
        skipped += sum(not has for has in present.values())
        assert in_full_order(timeline(enterprise)) == every_apps_events(enterprise), enterprise.name
    assert skipped  # the check ran where it matters: apps skipped, events the same


@pytest.mark.django_db
def test_an_app_without_sources_is_always_read(make_enterprise):
    enterprise = make_enterprise()
    present = apps_with_rows(enterprise, list(apps.get_app_configs()))
    assert "registry" not in present  # registry defines no sources: its license events are read every time
    assert present and not any(present.values())
