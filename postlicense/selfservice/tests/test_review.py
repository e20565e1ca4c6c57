"""The county's review (001 二(二)): 合格 → 年度检查合格 on each license; problems → an on-site check; non-filers."""

from datetime import date

import pytest
from django.utils import timezone

from postlicense.inspections.models import InspectionRecord
from postlicense.registry.archive import timeline
from postlicense.registry.models import License
from postlicense.selfservice import selectors, services
from postlicense.selfservice.models import AnnualReviewStamp, SelfReport

from .conftest import make_crew

pytestmark = pytest.mark.django_db


def filed(enterprise, year=2025, at=None):
    """A report filed in the window (imported rows are filed this way too)."""
    report = SelfReport.objects.create(
        enterprise=enterprise,
        year=year,
        status=SelfReport.Status.SUBMITTED,
        content={"imported": {"声明人": "张三"}},
        submitted_at=at or timezone.make_aware(timezone.datetime(2026, 5, 10, 9)),
    )
    return report


def test_qualified_stamps_each_valid_license_and_lands_in_the_archive(client, staff, enterprise):
    extra = License.objects.create(
        enterprise=enterprise,
        number="XK13-001-99999",
        product_category=enterprise.product_category,
        issue_date=date(2023, 1, 1),
        expiry_date=date(2028, 1, 1),
        issuing_authority="河南省市场监督管理局",
    )
    License.objects.create(
        enterprise=enterprise,
        number="XK13-001-99998",
        product_category=enterprise.product_category,
        issue_date=date(2020, 1, 1),
        expiry_date=date(2025, 1, 1),
        issuing_authority="河南省市场监督管理局",
        status=License.Status.EXPIRED,
    )
    report = filed(enterprise)
    client.force_login(staff)
    client.post(f"/enterprise/manage/reports/{report.pk}/review/", {"decision": "qualified", "note": "材料齐全"})
    report.refresh_from_db()
    assert report.status == SelfReport.Status.QUALIFIED and report.reviewed_by == staff
    stamps = AnnualReviewStamp.objects.filter(year=2025)
    assert {s.license for s in stamps} == {enterprise.licenses.get(number__startswith="XK13-001-0"), extra}
    assert all(s.reviewer == staff and s.date == date(2026, 11, 30) for s in stamps)
    titles = [e.title for e in timeline(enterprise)]
    assert f"许可证 {extra.number} 2025年度检查合格" in titles and "2025年度自查报告审查：审查合格" in titles
    page = client.get(f"/registry/enterprises/{enterprise.pk}/").content.decode()
    # the mark on each stamped license in the register's license table (not only in the archive)
    assert page.count('<span class="badge ok">2025年度检查合格（2026-11-30）</span>') == 2
    assert selectors.annual_marks([extra.pk]) == {extra.pk: ["2025年度检查合格（2026-11-30）"]}


def test_problems_dispatch_an_on_site_check(client, staff, enterprise):
    report = filed(enterprise)
    crew = make_crew()
    client.force_login(staff)
    data = {"decision": "problems", "note": "自查称不合格品已处理，但无处置记录", "due_date": "2026-12-20"}
    too_few = client.post(f"/enterprise/manage/reports/{report.pk}/review/", {**data, "inspectors": [crew[0].pk]})
    assert too_few.status_code == 400 and "2名以上" in too_few.content.decode()
    assert not InspectionRecord.objects.exists()
    client.post(f"/enterprise/manage/reports/{report.pk}/review/", {**data, "inspectors": [i.pk for i in crew]})
    report.refresh_from_db()
    assert report.status == SelfReport.Status.PROBLEMS
    record = report.inspection
    assert record.enterprise == enterprise and record.kind == InspectionRecord.Kind.UNSCHEDULED
    assert set(record.inspectors.all()) == set(crew) and record.due_date == date(2026, 12, 20)


def test_a_returned_report_is_on_the_enterprises_to_do_list_and_can_be_filed_again(client, staff, enterprise, ent_user):
    from postlicense.core.todo import todo_for

    services.grant_late_filing(staff, enterprise=enterprise, year=2025, reason="补正", until=date(2026, 12, 20))
    report = services.start_report(ent_user, enterprise, 2025, date(2026, 11, 30))
    report.status, report.submitted_at = SelfReport.Status.SUBMITTED, timezone.now()
    report.save()
    client.force_login(staff)
    refused = client.post(f"/enterprise/manage/reports/{report.pk}/review/", {"decision": "returned", "note": ""})
    assert "请写明退回的原因" in refused.content.decode()
    client.post(f"/enterprise/manage/reports/{report.pk}/review/", {"decision": "returned", "note": "产量未填"})
    labels = [g.label for g in todo_for(ent_user, date(2026, 11, 30)).groups]
    assert "已退回修改的自查报告" in labels
    client.force_login(ent_user)
    assert "产量未填" in client.get(f"/enterprise/reports/{report.pk}/").content.decode()


def test_a_report_is_reviewed_once(client, staff, enterprise):
    report = filed(enterprise)
    client.force_login(staff)
    client.post(f"/enterprise/manage/reports/{report.pk}/review/", {"decision": "qualified"})
    again = client.post(f"/enterprise/manage/reports/{report.pk}/review/", {"decision": "returned", "note": "x"})
    assert again.status_code == 400 and "不能再审查" in again.content.decode()
    report.refresh_from_db()
    assert report.status == SelfReport.Status.QUALIFIED


def test_non_filers_after_the_window_are_listed_and_a_late_permission_can_be_granted(
    client, staff, enterprise, other_enterprise
):
    filed(enterprise)
    client.force_login(staff)
    page = client.get("/enterprise/manage/reports/?year=2025").content.decode()
    assert "逾期未提交的企业" in page and other_enterprise.name in page
    assert list(selectors.non_filers(staff, 2025)) == [other_enterprise]
    bad = client.post(
        f"/enterprise/manage/late/{other_enterprise.pk}/", {"year": 2025, "reason": "", "until": "2026-12-20"}
    )
    assert bad.status_code == 302 and not other_enterprise.late_filing_permissions.exists()
    client.post(
        f"/enterprise/manage/late/{other_enterprise.pk}/", {"year": 2025, "reason": "停电", "until": "2026-12-20"}
    )
    assert other_enterprise.late_filing_permissions.get().granted_by == staff


def test_filed_on_time_answers_the_cross_audit_sheets_first_item(enterprise, other_enterprise):
    # 000 附件2 item 1 (是否按时提交了年度自查报告) reads this
    filed(enterprise)
    filed(other_enterprise, at=timezone.make_aware(timezone.datetime(2026, 7, 2, 9)))
    assert selectors.filed_on_time(enterprise, 2025)
    assert not selectors.filed_on_time(other_enterprise, 2025)
    assert not selectors.filed_on_time(enterprise, 2024)


def test_county_staff_of_another_county_cannot_review(client, make_user, enterprise):
    from postlicense.core.models import User

    report = filed(enterprise)
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    assert client.get(f"/enterprise/reports/{report.pk}/").status_code == 404
    assert client.post(f"/enterprise/manage/reports/{report.pk}/review/", {"decision": "qualified"}).status_code == 404


def test_a_cross_audit_record_shows_the_sheets_first_item_from_the_self_reports(enterprise, other_enterprise):
    """000 附件2 item 1 (是否按时提交了年度自查报告) is answered from these records on the cross-audit record's page."""
    from datetime import date

    from django.apps import apps

    from postlicense.inspections.models import InspectionRecord

    filed(enterprise)
    config = apps.get_app_config("selfservice")
    record = InspectionRecord(
        enterprise=enterprise, kind=InspectionRecord.Kind.CROSS_AUDIT, due_date=date(2026, 10, 31)
    )
    assert "2025年度自查报告<strong>已按时提交" in config.record_panels(record, None)[0]
    record.enterprise = other_enterprise
    assert "未按时提交" in config.record_panels(record, None)[0]
    record.kind = InspectionRecord.Kind.PATROL
    assert config.record_panels(record, None) == []
