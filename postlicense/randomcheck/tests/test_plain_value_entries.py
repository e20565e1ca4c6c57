"""The draw and the match write their new rows from plain values (core.bulk.insert_values) and make those rows'
creation entries without model instances (core.audit.created_entries); the dispatch writes its update entries of
the drawn rows the same way. Each entry must be exactly what the instance path gave (record_created:
snapshot() and str() of the row as an instance; bulk_update_audited: the changed fields), and the chain must
verify. On SQLite and on PostgreSQL (tests/test_copy_writes.py compares the whole steps both ways there)."""

import pytest

from postlicense.core import audit
from postlicense.core.models import AuditEntry, User
from postlicense.randomcheck import services
from postlicense.randomcheck.models import Assignment, DrawnEnterprise, Task

from .factories import seeded_task_with_crews

pytestmark = pytest.mark.django_db


def entries_of(model, action):
    return {
        entry.object_id: entry
        for entry in AuditEntry.objects.filter(model=audit.model_label(model), action=action).order_by("id")
    }


def test_value_rows_get_the_entries_their_instances_would(make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = seeded_task_with_crews(admin)
    for step in (services.draw_enterprises, services.match_inspectors, services.dispatch):
        with audit.acting_as(admin):  # as the step's job runs it
            step(Task.objects.get(pk=task.pk), admin)

    drawn = list(DrawnEnterprise.objects.filter(task=task).select_related("enterprise", "inspection"))
    assignments = list(Assignment.objects.filter(drawn__task=task).select_related("inspector"))
    assert drawn and assignments
    created = {model: entries_of(model, AuditEntry.Action.CREATE) for model in (DrawnEnterprise, Assignment)}
    updated = entries_of(DrawnEnterprise, AuditEntry.Action.UPDATE)
    for row in drawn + assignments:
        entry = created[type(row)][str(row.pk)]
        after = audit.snapshot(row)
        if isinstance(row, DrawnEnterprise):
            after["inspection_id"] = None  # linked to its record by the dispatch, after its creation
            link = updated[str(row.pk)]
            assert link.changes == {"changed": {"inspection_id": [None, str(row.inspection_id)]}}
            assert link.object_repr == str(row)
        assert (entry.object_repr, entry.changes, entry.actor_id) == (str(row), {"after": after}, admin.pk)
    assert audit.verify_chain().ok


def test_new_instances_are_what_the_keyword_constructor_makes(make_user):
    """create_inspections makes the dispatch's records with core.bulk.new_instances (the positional path of
    Model.__init__): the same attribute values, fresh mutable defaults, and the related instances cached."""
    from datetime import date

    from postlicense.core.bulk import new_instances
    from postlicense.inspections.models import InspectionRecord
    from postlicense.inspections.selectors import current_template

    from .factories import make_enterprise

    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    enterprise, checklist = make_enterprise("xuchang-weidu"), current_template("random_check_003")
    rows = [
        dict(
            enterprise=enterprise,
            kind=InspectionRecord.Kind.RANDOM_CHECK,
            template_version=checklist,
            org_unit_id=admin.org_unit_id,
            due_date=date(2030, 12, 31),
            created_by_id=admin.pk,
            item_scope=["1.1"],
        )
        for _ in range(2)
    ]
    made = new_instances(InspectionRecord, rows)
    for obj, row in zip(made, rows):
        expected = InspectionRecord(**row)
        values = {f.attname: getattr(obj, f.attname) for f in InspectionRecord._meta.concrete_fields}
        assert values == {f.attname: getattr(expected, f.attname) for f in InspectionRecord._meta.concrete_fields}
        assert obj._state.fields_cache == expected._state.fields_cache
        assert obj._state.adding and obj.pk is None and str(obj) == str(expected)
    assert made[0].extra_values is not made[1].extra_values


def test_values_bulk_passes_as_they_are_are_what_the_fields_would_prepare():
    """core.bulk sends a str or int value (and None) of Django's own text and integer fields and of keys to
    integers without get_db_prep_save: for every field of the rows the steps write, that must be what
    get_db_prep_save returns."""
    from django.db import connection

    from postlicense.core.bulk import _as_is
    from postlicense.inspections.models import InspectionRecord, RecordInspector

    checked = 0
    for model in (DrawnEnterprise, Assignment, InspectionRecord, RecordInspector, AuditEntry):
        for field in model._meta.concrete_fields:
            as_is = _as_is(field)
            for value in {str: ("", "91411081300030172M", "引\\号"), int: (0, 1, 2**40)}.get(as_is, ()) + (None,):
                if as_is is not None:
                    assert field.get_db_prep_save(value, connection) == value, (model, field.name, value)
                    checked += 1
    assert checked > 50
