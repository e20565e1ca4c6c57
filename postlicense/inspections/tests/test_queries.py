"""Query counts (issue 12 item 6): autosave, the draft save, finishing and the record pages run the same number of
queries whatever the number of equipment rows and nonconforming items (they were 26/27/28 for 3/4/5 rows).
Item 7: what one request reads once (the checklist items), and what an autosave does not read at all."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from postlicense.core.models import User
from postlicense.inspections import services
from postlicense.inspections.models import InspectionRecord
from postlicense.registry.models import KeyEquipment

from .factories import make_enterprise
from .helpers import all_conforming, as_registered, new_record, signature_data_url

pytestmark = pytest.mark.django_db


def count_queries(fn):
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def record_with_rows(rows, user=None):
    """A dispatched 003 record whose enterprise has `rows` key-equipment rows (the factory registers two)."""
    enterprise = make_enterprise()
    for n in range(rows - 2):
        KeyEquipment.objects.create(
            enterprise=enterprise, kind="production", name=f"球磨机{n}", model="M-1", quantity=1
        )
    record = new_record(enterprise=enterprise, user=user)
    assert record.equipment_checks.count() == rows
    return record


def form_post(record, note):
    """The fill form as record.js posts it: every item answered, every equipment row counted, with `note`."""
    data = {"revision": str(record.revision), "inspection_date": "2026-05-01"}
    for item_id, (option, conclusion, _) in all_conforming(record).items():
        data |= {f"option-{item_id}": option, f"conclusion-{item_id}": conclusion, f"note-{item_id}": note}
    for row in record.equipment_checks.all():
        data |= {f"eq-qty-{row.pk}": str(row.registered_quantity), f"eq-model-{row.pk}": row.model}
        data[f"eq-note-{row.pk}"] = note
    return data


def autosave_queries(client, rows):
    record = record_with_rows(rows)
    url = reverse("inspections:record_draft", args=[record.pk])
    assert client.post(url, form_post(record, "首次")).status_code == 200
    record.refresh_from_db()
    data = form_post(record, "每行都改")  # every finding and every row changes: the heaviest autosave
    return count_queries(lambda: client.post(url, data))


def test_autosave_queries_do_not_grow_with_equipment_rows(client, make_user):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    assert autosave_queries(client, 3) == autosave_queries(client, 6)


def draft_save_queries(rows):
    record = record_with_rows(rows)
    first = services.save_draft(
        record,
        revision=0,
        fields={"inspection_date": date(2026, 5, 1)},
        findings=all_conforming(record),
        equipment=as_registered(record),
    )
    findings = {pk: (option, conclusion, "改") for pk, (option, conclusion, _) in all_conforming(record).items()}
    equipment = {pk: (qty, model, "改") for pk, (qty, model, _) in as_registered(record).items()}
    return count_queries(
        lambda: services.save_draft(first, revision=first.revision, findings=findings, equipment=equipment)
    )


def test_draft_save_queries_do_not_grow_with_equipment_rows():
    assert draft_save_queries(3) == draft_save_queries(6)


def signed_record(rows, nonconforming):
    """A record ready to finish with `nonconforming` items answered 不符合 (so as many problems open)."""
    record = record_with_rows(rows)
    findings = all_conforming(record)
    failing = record.template_version.items.filter(number__in=["3", "6", "7"][:nonconforming])
    failing_answers = {"3": "存在", "6": "检验记录不全", "7": "未建立"}
    for item in failing:
        findings[item.pk] = (failing_answers[item.number], "不符合", "现场发现")
    record = services.save_draft(
        record,
        revision=0,
        fields={"inspection_date": date(2026, 5, 1), "problems_summary": "现场发现问题" if nonconforming else ""},
        findings=findings,
        equipment=as_registered(record),
    )
    for link in record.crew.all():
        services.sign_as_inspector(record, link.inspector, signature_data_url(link.inspector.name))
    services.record_refusal(record, note="拒绝签字")
    return record


def test_finish_queries_do_not_grow_with_equipment_rows_or_problems(make_user):
    staff = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")

    def finish_queries(rows, nonconforming):
        record = signed_record(rows, nonconforming)
        return count_queries(lambda: services.finish(record, by=staff))

    assert finish_queries(3, 1) == finish_queries(6, 3)


def test_amendment_queries_do_not_grow_with_the_problems_it_supersedes(make_user):
    staff = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")

    def amend_queries(nonconforming):
        record = services.finish(signed_record(3, nonconforming), by=staff)
        assert record.problems.count() == nonconforming
        return count_queries(
            lambda: services.amend(
                record, by=staff, reason="复核后更正", fields={"problems_summary": ""}, findings=all_conforming(record)
            )
        )

    assert amend_queries(1) == amend_queries(3)


@pytest.mark.parametrize("page", ["inspections:record_detail", "inspections:record_fill"])
def test_record_pages_queries_do_not_grow_with_equipment_rows(client, make_user, page):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))

    def page_queries(rows):
        record = signed_record(rows, 1)
        url = reverse(page, args=[record.pk])
        assert client.get(url).status_code == 200
        return count_queries(lambda: client.get(url))

    assert page_queries(3) == page_queries(6)


def test_finished_record_page_queries_do_not_grow_with_rows_or_problems(client, make_user):
    staff = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    client.force_login(staff)

    def page_queries(rows, nonconforming):
        record = services.finish(signed_record(rows, nonconforming), by=staff)
        url = reverse("inspections:record_detail", args=[record.pk])
        return count_queries(lambda: client.get(url))

    assert page_queries(3, 1) == page_queries(6, 3)


def tables(queries):
    return [q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries if " FROM " in q["sql"]]


def test_an_autosave_reads_the_items_once_and_neither_plan_counts_nor_tasks(client, make_user):
    """An autosave of a started record changes neither its status nor what the annual plan counts, so the planning
    and random-check receivers read nothing; the checklist items are read once (21 → 16 queries on PostgreSQL)."""
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    record = record_with_rows(3)
    url = reverse("inspections:record_draft", args=[record.pk])
    assert client.post(url, form_post(record, "首次")).status_code == 200
    record.refresh_from_db()
    data = form_post(record, "再次")
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).json()["ok"]
    read = tables(queries)
    assert read.count("inspections_checklistitem") == 1
    assert "planning_planentry" not in read and "randomcheck_task" not in read
    assert "registry_enterprise" not in read  # read with the locked record (the audit entry names it)


@pytest.mark.parametrize("page", ["inspections:record_detail", "inspections:record_fill"])
def test_a_record_page_reads_the_checklist_items_once(client, make_user, page):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    record = signed_record(3, 1)
    url = reverse(page, args=[record.pk])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert tables(queries).count("inspections_checklistitem") == 1


def test_finishing_still_recounts_the_plan_and_reads_the_items_once(make_user):
    staff = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    record = InspectionRecord.objects.get(pk=signed_record(3, 1).pk)  # as a request reads it: nothing kept yet
    with CaptureQueriesContext(connection) as queries:
        services.finish(record, by=staff)
    read = tables(queries)
    assert "planning_planentry" in read  # the status changed: the count of inspections done may have
    assert read.count("inspections_checklistitem") == 1


def test_a_signature_reads_the_crew_member_with_the_inspector(client, make_user):
    """The crew row comes with its inspector, in the view and under the lock (the audit entry names them): no
    separate read of the inspector (15 → 13 queries on PostgreSQL)."""
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    record = record_with_rows(3)
    link = record.crew.first()
    url = reverse("inspections:record_sign", args=[record.pk])
    data = {"who": str(link.inspector_id), "image": signature_data_url("张三")}
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).status_code == 302
    link.refresh_from_db()
    assert link.signature
    assert not [q for q in queries if q["sql"].startswith('SELECT "inspectors_inspector"')]


def test_a_countys_record_list_and_its_count_read_the_records_alone(client, make_user):
    """The scope is the record's own copy of its enterprise's region: joining the register made PostgreSQL look up
    the enterprise of every record in the country for a county's count (docs/inspections.md)."""
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    record = new_record()
    assert record.region_id == record.enterprise.region_id
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("inspections:record_list"))
    assert response.status_code == 200 and record.get_absolute_url() in response.content.decode()
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "inspections_inspectionrecord" in q["sql"]]
    assert counts and not [sql for sql in counts if "registry_enterprise" in sql]
