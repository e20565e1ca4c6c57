"""Writes for inspections. The signatures other capabilities call:

create_inspection(*, enterprise, kind, template_version, org_unit, inspectors, due_date, created_by=None,
                  licenses=None, special_trigger="") -> InspectionRecord
    Dispatch one record (status "assigned"). `kind` is an InspectionRecord.Kind value ("random_check", ...);
    `template_version` a ChecklistVersion, e.g. selectors.current_template("random_check_003");
    `inspectors` an iterable of inspectors.Inspector. The random check dispatches one 一企两表 per drawn
    enterprise with it and later reads record.status ("assigned" / "in_progress" / "finished"),
    record.inspection_date, record.conclusion ("" until finished, then "qualified" 合格 / "unqualified" 不合格),
    record.problems_summary and record.finished_at.

current_template(code) -> ChecklistVersion | None   (re-exported from selectors)
    Codes shipped: "random_check_003" (003 附件), "patrol_000" (000 附件2), "production_conditions_004" (004 四).

Hand-off to follow-up (002 第十条: problems → rectification → revisit):
open_problems_from(record) -> list[Problem]
    Called when a record is finished: one open Problem on the enterprise per nonconforming item. Idempotent.
close_problem(problem, *, by, outcome) -> Problem
    The follow-up capability calls this once the problem is rectified (or otherwise resolved).
"""
from django.db import transaction

from .models import InspectionRecord
from .selectors import current_template  # noqa: F401  (part of this module's documented interface)


@transaction.atomic
def create_inspection(*, enterprise, kind, template_version, org_unit, inspectors, due_date, created_by=None,
                      licenses=None, special_trigger=""):
    record = InspectionRecord.objects.create(
        enterprise=enterprise, kind=kind, special_trigger=special_trigger, template_version=template_version,
        org_unit=org_unit, due_date=due_date, created_by=created_by,
    )
    record.inspectors.set(list(inspectors))
    record.licenses.set(list(licenses) if licenses is not None else enterprise.licenses.filter(status="valid"))
    return record
