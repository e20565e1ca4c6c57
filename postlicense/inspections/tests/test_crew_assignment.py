"""指派检查组: a record dispatched without its crew (a linkage notice's targeted inspection, 总局后续监管意见 二(六)) gets
≥2 inspectors with certificates valid while it may take place and nobody on the avoidance list (白城事中事后监管办法
第九条, 许昌双随机实施方案 六(一)2), picked by hand or matched by the random check's matching."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from postlicense.core.concurrency import StaleEdit
from postlicense.core.models import AuditEntry, User
from postlicense.core.todo import todo_for
from postlicense.inspections import selectors, services
from postlicense.inspections.models import InspectionRecord
from postlicense.registry.archive import timeline

from .factories import make_enterprise, make_inspector

pytestmark = pytest.mark.django_db
TODAY = date.today()


def crewless(org_code="xuchang-weidu", due=TODAY + timedelta(days=20)):
    enterprise = make_enterprise(org_code)
    return services.create_inspection(
        enterprise=enterprise,
        kind=InspectionRecord.Kind.SPECIAL,
        special_trigger=InspectionRecord.Trigger.ASSIGNED,
        template_version=services.current_template("production_conditions_004"),
        org_unit=enterprise.supervising_unit,
        inspectors=[],
        due_date=due,
    )


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


def assign(record, inspectors, by, token=None, version=None, **kw):
    return services.assign_crew(
        record,
        inspectors=inspectors,
        by=by,
        version=services.crew_version(record) if version is None else version,
        token=token or uuid.uuid4(),
        **kw,
    )


def refused(record, inspectors, by):
    with pytest.raises(ValidationError) as exc:
        assign(record, inspectors, by)
    record.refresh_from_db()
    assert record.inspectors.count() == 0 and record.crew_assigned_at is None  # nothing saved
    return " ".join(exc.value.messages)


def test_two_valid_inspectors_are_assigned_audited_and_in_the_archive(staff):
    record = crewless()
    a, b = make_inspector(name="甲"), make_inspector(name="乙")
    assert selectors.awaits_crew(record)
    record = assign(record, [a, b], staff)
    assert set(record.inspectors.all()) == {a, b} and record.crew_assigned_by == staff and not record.crew_match_seed
    assert not selectors.awaits_crew(record)
    changes = [
        e.changes for e in AuditEntry.objects.filter(model="inspections.inspectionrecord", object_id=str(record.pk))
    ]
    assert {"m2m": {"inspectors": {"added": sorted([str(a.pk), str(b.pk)])}}} in changes
    assert any("crew_assigned_by_id" in c.get("changed", {}) for c in changes)
    events = [e for e in timeline(record.enterprise) if "指派检查组" in e.title]
    assert len(events) == 1 and "甲" in events[0].detail and "人工指派" in events[0].detail


def test_one_inspector_is_refused(staff):
    assert "不少于2人" in refused(crewless(), [make_inspector()], staff)


def test_an_expired_certificate_is_refused_naming_the_person(staff):
    record = crewless()
    messages = refused(
        record, [make_inspector(), make_inspector(name="过期丙", valid_until=TODAY - timedelta(1))], staff
    )
    assert "过期丙" in messages and "有效执法证" in messages


def test_a_certificate_expiring_before_the_due_date_is_refused(staff):
    """The crew must hold until the last day the inspection may take place."""
    record = crewless(due=TODAY + timedelta(days=20))
    short = make_inspector(name="将过期丁", valid_until=TODAY + timedelta(days=5))
    messages = refused(record, [make_inspector(), short], staff)
    assert "将过期丁" in messages and f"{TODAY + timedelta(days=20):%Y-%m-%d}" in messages


def test_an_inspector_on_the_avoidance_list_is_refused(staff):
    record = crewless()
    avoiding = make_inspector(name="回避戊")
    avoiding.avoid_enterprises.add(record.enterprise)
    assert "回避戊" in refused(record, [make_inspector(), avoiding], staff)


def test_the_same_form_posted_twice_assigns_once(staff):
    record = crewless()
    a, b = make_inspector(), make_inspector()
    token, version = uuid.uuid4(), services.crew_version(record)
    assign(record, [a, b], staff, token=token, version=version)
    entries = AuditEntry.objects.count()
    again = assign(record, [a, b], staff, token=token, version=version)
    assert again.pk == record.pk and AuditEntry.objects.count() == entries
    assert again.inspectors.count() == 2


def test_a_page_loaded_before_another_assignment_is_refused(staff):
    record = crewless()
    version = services.crew_version(record)
    assign(record, [make_inspector(name="先甲"), make_inspector(name="先乙")], staff, version=version)
    with pytest.raises(StaleEdit) as exc:
        assign(record, [make_inspector(), make_inspector()], staff, version=version)
    assert "先甲" in exc.value.message
    assert {i.name for i in record.inspectors.all()} == {"先甲", "先乙"}


def test_a_started_or_crewed_record_is_not_reassigned(staff):
    record = crewless()
    assign(record, [make_inspector(), make_inspector()], staff)
    with pytest.raises(ValidationError, match="已有检查组"):
        assign(record, [make_inspector(), make_inspector()], staff)
    record.status = InspectionRecord.Status.IN_PROGRESS
    record.save()
    other = crewless()
    other.status = InspectionRecord.Status.NOT_CARRIED_OUT
    other.save()
    with pytest.raises(ValidationError, match="尚未开始"):
        assign(other, [make_inspector(), make_inspector()], staff)


def test_random_matching_takes_two_eligible_inspectors_of_the_unit(staff):
    record = crewless()
    avoiding = make_inspector(name="回避者")
    avoiding.avoid_enterprises.add(record.enterprise)
    make_inspector(name="过期者", valid_until=TODAY - timedelta(days=1))
    make_inspector("xuchang-changge", name="外县者")
    eligible = {make_inspector(), make_inspector(), make_inspector()}
    token = uuid.uuid4()
    seed = services.crew_match_seed(record, token)
    crew = services.match_crew(record, seed=seed)
    assert len(crew) == 2 and set(crew) <= eligible
    assert services.match_crew(record, seed=seed) == crew  # the seed decides
    record = assign(record, crew, staff, token=token, match_seed=seed)
    assert record.crew_match_seed == seed
    assert "随机匹配" in next(e.detail for e in timeline(record.enterprise) if "指派检查组" in e.title)


def test_random_matching_names_the_shortfall(staff):
    record = crewless()
    make_inspector()
    with pytest.raises(ValidationError) as exc:
        services.match_crew(record, seed="s")
    assert record.enterprise.name in " ".join(exc.value.messages)


def test_the_todo_lists_special_inspections_awaiting_their_crew_in_the_users_county(staff, make_user):
    record = crewless(due=TODAY - timedelta(days=1))
    group = next(g for g in todo_for(staff).groups if g.label == "待指派检查组的专项检查")
    assert (group.total, group.overdue) == (1, 1)
    assert group.items[0].url == reverse("inspections:record_crew", args=[record.pk])
    other = make_user(User.Role.COUNTY_STAFF, "xuchang-changge")
    assert not [g for g in todo_for(other).groups if g.label == "待指派检查组的专项检查"]
    assign(record, [make_inspector(), make_inspector()], staff)
    assert not [g for g in todo_for(staff).groups if g.label == "待指派检查组的专项检查"]


# --- the page ---------------------------------------------------------------------------------------------------


def post(client, record, token=None, action="manual", inspectors=(), version=None):
    return client.post(
        reverse("inspections:record_crew", args=[record.pk]),
        {
            "action": action,
            "inspectors": [i.pk for i in inspectors],
            "token": str(token or uuid.uuid4()),
            "version": services.crew_version(record) if version is None else version,
        },
    )


def test_the_page_assigns_by_hand_once_and_the_record_page_links_to_it(client, staff):
    record = crewless()
    a, b = make_inspector(name="页甲"), make_inspector(name="页乙")
    client.force_login(staff)
    detail = client.get(record.get_absolute_url()).content.decode()
    assert reverse("inspections:record_crew", args=[record.pk]) in detail and "填写检查记录" not in detail
    page = client.get(reverse("inspections:record_crew", args=[record.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'class="form narrow"' in html and "随机匹配" in html and "页甲" in html
    token = uuid.uuid4()
    version = services.crew_version(record)
    first = post(client, record, token, inspectors=[a, b], version=version)
    second = post(client, record, token, inspectors=[a, b], version=version)
    assert first.status_code == second.status_code == 302
    assert set(record.inspectors.all()) == {a, b}
    detail = client.get(record.get_absolute_url()).content.decode()
    assert "人工指派" in detail and "填写检查记录" in detail


def test_the_page_shows_refusals_at_the_field_and_keeps_the_choice(client, staff):
    record = crewless()
    lone = make_inspector(name="孤丁")
    client.force_login(staff)
    response = post(client, record, inspectors=[lone])
    html = response.content.decode()
    assert response.status_code == 400 and "不少于2人" in html
    assert f'value="{lone.pk}"' in html and "checked" in html
    assert record.inspectors.count() == 0


def test_the_page_refuses_a_stale_version_and_hands_the_current_one(client, staff):
    record = crewless()
    old = services.crew_version(record)
    assign(record, [make_inspector(), make_inspector()], staff, version=old)
    client.force_login(staff)
    response = post(client, record, inspectors=[make_inspector(), make_inspector()], version=old)
    html = response.content.decode()
    assert response.status_code == 400 and "保存未成功" in html
    assert services.crew_version(record) in html and old not in html


def test_random_matching_on_the_page(client, staff):
    record = crewless()
    pool = {make_inspector(), make_inspector()}
    client.force_login(staff)
    response = post(client, record, action="random")
    assert response.status_code == 302 and set(record.inspectors.all()) == pool
    record.refresh_from_db()
    assert record.crew_match_seed.startswith(f"{record.org_unit.code}|{record.pk}|")


def test_another_countys_record_is_404_and_its_inspectors_cannot_be_picked(client, make_user, staff):
    theirs = crewless("xuchang-changge")
    client.force_login(staff)
    assert client.get(reverse("inspections:record_crew", args=[theirs.pk])).status_code == 404
    assert post(client, theirs, inspectors=[make_inspector(), make_inspector()]).status_code == 404
    mine = crewless()
    response = post(client, mine, inspectors=[make_inspector(), make_inspector("xuchang-changge")])
    assert response.status_code == 400 and mine.inspectors.count() == 0


def test_only_bureau_staff_assign_and_nobody_fills_a_record_without_a_crew(client, make_user, staff):
    record = crewless()
    inspector_user = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    make_inspector(user=inspector_user)
    client.force_login(inspector_user)
    assert client.get(reverse("inspections:record_crew", args=[record.pk])).status_code == 403
    assert client.get(reverse("inspections:record_fill", args=[record.pk])).status_code == 404
    client.force_login(staff)
    response = client.get(reverse("inspections:record_fill", args=[record.pk]))
    assert response.status_code == 403 and "尚未指派检查组" in response.content.decode()
    assert client.post(reverse("inspections:record_draft", args=[record.pk]), {"revision": "0"}).status_code == 403


def test_the_record_list_filters_records_awaiting_their_crew(client, staff):
    waiting = crewless()
    crewed = crewless()
    assign(crewed, [make_inspector(), make_inspector()], staff)
    client.force_login(staff)
    html = client.get(reverse("inspections:record_list") + f"?crew={selectors.CREW_MISSING}").content.decode()
    assert waiting.enterprise.name in html and crewed.enterprise.name not in html
