"""Reference data every database has: the seeds' regions and org units, and the working-day calendar."""

from .calendar_data import PACKAGE_SOURCE, package_exceptions
from .regions_data import ORG_UNITS, REGIONS


def load_reference_data(apps):
    """Idempotent; `apps` is a migration's app registry or django.apps.apps."""
    Region = apps.get_model("core", "Region")
    OrgUnit = apps.get_model("core", "OrgUnit")
    for code, name, level, parent in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
    for code, name, kind, region, parent in ORG_UNITS:
        OrgUnit.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "region_id": region,
                "parent": OrgUnit.objects.get(code=parent) if parent else None,
            },
        )
    apps.get_model("core", "AuditHead").objects.get_or_create(id=1)
    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    for year, days in sorted(package_exceptions().items()):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": PACKAGE_SOURCE})
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, kind=kind, name=name) for d, kind, name in days], ignore_conflicts=True
        )
