"""On PostgreSQL the draw, the match and the dispatch COPY their new rows (core.bulk.insert_objects, and
insert_links for a record's crew and license links; update_rows COPYs the drawn rows' links to their records into
a temporary table) instead of bulk_create and executemany (issue 12 item 5), and the draw and the match make their new rows and
those rows' audit entries from plain values (core.bulk.insert_values, core.audit.created_entries) instead of
model instances: run both ways on the same task, they must write the same rows and the same audit entries. The ids differ between the two runs (a rolled-back savepoint
does not give back sequence values), so each new row is named by its natural key: a drawn enterprise by its
credit code, an assignment by that and its inspector, a record by its enterprise, a crew member by that and the
inspector, a task step by its state."""

import pytest
from django.db import connection, transaction

from postlicense.core import audit, bulk
from postlicense.core.models import AuditEntry, User
from postlicense.inspections import services as inspections_services
from postlicense.inspections.models import InspectionRecord, RecordInspector
from postlicense.randomcheck import services
from postlicense.randomcheck.models import Assignment, DrawnEnterprise, Task, TaskStep

from .factories import seeded_task_with_crews

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="elsewhere insert_objects is bulk_create"),
]

# Snapshot fields holding the id of a row the steps create, and the model of that row.
ID_FIELDS = {"drawn_id": "randomcheck.drawnenterprise", "inspection_id": "inspections.inspectionrecord"}
ID_FIELDS["record_id"] = ID_FIELDS["inspection_id"]
# Written with the time of the run: compared as set or not.
TIME_FIELDS = {"created_at", "at"}


def bulk_create(model, objects):
    """The ORM path the steps took before COPY."""
    return model._base_manager.bulk_create(objects)


def bulk_create_values(model, rows):
    """The ORM path of the draw's and the match's plain-value rows (core.bulk.insert_values): an instance per
    row, made with the given values and bulk_created, read back as the dicts insert_values returns."""
    created = model._base_manager.bulk_create([model(**row) for row in rows])
    return [{f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields} for obj in created]


def created_entries_of_instances(model, rows, reprs):
    """The entries record_created() gives for those rows as instances read back from the database: snapshot()
    and str() of each (audit.created_entries makes them from the values)."""
    by_pk = model._base_manager.in_bulk([row[model._meta.pk.attname] for row in rows])
    return [
        audit.Change(AuditEntry.Action.CREATE, obj, {"after": audit.snapshot(obj)})
        for obj in (by_pk[row[model._meta.pk.attname]] for row in rows)
    ]


def bulk_create_links(model, attnames, rows):
    """The ORM path of the crew and license links (core.bulk.insert_links): an instance per row."""
    return model._base_manager.bulk_create([model(**dict(zip(attnames, row))) for row in rows])


def natural_keys(task):
    keys = {}
    for d in task.drawn.all():
        keys["randomcheck.drawnenterprise", str(d.pk)] = d.credit_code
    for a in Assignment.objects.filter(drawn__task=task).select_related("drawn"):
        keys["randomcheck.assignment", str(a.pk)] = f"{a.drawn.credit_code}/{a.inspector_id}"
    for r in InspectionRecord.objects.filter(random_draw__task=task):
        keys["inspections.inspectionrecord", str(r.pk)] = f"record of {r.enterprise_id}"
    for c in RecordInspector.objects.filter(record__random_draw__task=task):
        keys["inspections.recordinspector", str(c.pk)] = f"record of {c.record.enterprise_id}/{c.inspector_id}"
    for s in TaskStep.objects.filter(task=task):
        keys["randomcheck.taskstep", str(s.pk)] = s.state
    return keys


def normalized(values, model, keys):
    """A row or snapshot with its own id and the ids of rows the steps created replaced by natural keys."""
    out = {}
    for field, value in values.items():
        if field in TIME_FIELDS:
            value = value is not None  # set, though not at the same instant in the two runs
        elif field == "id":
            value = keys.get((model, str(value)), value)
        elif field in ID_FIELDS and value is not None:
            value = keys[ID_FIELDS[field], str(value)]
        out[field] = value
    return out


def written(task, since, keys):
    """The step's rows and the audit entries appended since the entry `since`, by natural key."""
    rows = {
        "drawn": DrawnEnterprise.objects.filter(task=task),
        "assignments": Assignment.objects.filter(drawn__task=task),
        "records": InspectionRecord.objects.filter(random_draw__task=task),
        "crews": RecordInspector.objects.filter(record__random_draw__task=task),
    }
    table = {
        name: sorted(
            (
                normalized(
                    {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}, obj._meta.label_lower, keys
                )
                for obj in qs
            ),
            key=repr,
        )
        for name, qs in rows.items()
    }
    table["licenses"] = sorted(
        (keys["inspections.inspectionrecord", str(r.pk)], sorted(r.licenses.values_list("pk", flat=True)))
        for r in rows["records"]
    )
    entries = []
    for entry in AuditEntry.objects.filter(id__gt=since).order_by("id"):
        changes = dict(entry.changes)
        if "after" in changes:
            changes["after"] = normalized(changes["after"], entry.model, keys)
        if "changed" in changes:
            changes["changed"] = {
                field: [keys.get((ID_FIELDS.get(field), value), value) for value in values]
                for field, values in changes["changed"].items()
            }
        drawn_id, arrow, rest = entry.object_repr.partition(" → ")
        object_repr = f"{keys.get(('randomcheck.drawnenterprise', drawn_id), drawn_id)}{arrow}{rest}"
        object_key = keys.get((entry.model, entry.object_id), entry.object_id)
        entries.append((entry.action, entry.model, object_key, object_repr, entry.actor_id, changes))
    return table, sorted(entries, key=repr)


def run_twice(monkeypatch, task, step, user):
    """(bulk_create's result, COPY's result) of the step on the same task, each in a savepoint rolled back."""
    results = []
    for insert in (bulk_create, None):
        with monkeypatch.context() as patched, transaction.atomic():
            if insert:
                patched.setattr(services, "insert_values", bulk_create_values)
                patched.setattr(audit, "created_entries", created_entries_of_instances)
                patched.setattr(inspections_services, "insert_objects", insert)
                patched.setattr(inspections_services, "insert_links", bulk_create_links)
            else:  # the dispatch's update of the drawn rows goes by COPY too, as from 1,000 rows
                patched.setattr(bulk, "UPDATE_BY_COPY_ROWS", 1)
            since = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
            step(Task.objects.get(pk=task.pk), user)
            results.append(written(task, since, natural_keys(task)))
            transaction.set_rollback(True)
    return results


def test_copy_writes_the_same_rows_and_audit_entries_as_bulk_create_in_every_step(make_user, monkeypatch):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = seeded_task_with_crews(admin)
    for step in (services.draw_enterprises, services.match_inspectors, services.dispatch):
        with_orm, with_copy = run_twice(monkeypatch, task, step, admin)
        (table, entries) = with_copy
        assert entries and any(table.values()), f"{step.__name__} wrote nothing to compare"
        assert with_copy == with_orm, step.__name__
        step(Task.objects.get(pk=task.pk), admin)  # for keeps, so the next step has its input
    task.refresh_from_db()
    assert task.state == Task.State.DISPATCHED
    records = InspectionRecord.objects.filter(random_draw__task=task)
    assert records.count() == task.drawn.count() and all(r.licenses.exists() for r in records)
