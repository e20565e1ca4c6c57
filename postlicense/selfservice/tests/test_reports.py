"""The annual self-report as the enterprise files it (001 二(二); DESIGN "Enterprise self-service")."""

from datetime import date

import pytest

from postlicense.core.models import AuditEntry
from postlicense.selfservice import selectors, services
from postlicense.selfservice.models import Amendment, LateFilingPermission, SelfReport

from .helpers import complete_post

pytestmark = pytest.mark.django_db


def start(client, year=2025):
    return client.post(f"/enterprise/reports/start/{year}/", follow=True)


@pytest.fixture
def permitted(enterprise, staff):
    return services.grant_late_filing(
        staff, enterprise=enterprise, year=2025, reason="企业负责人住院，确有困难", until=date(2026, 12, 20)
    )


def test_after_the_window_without_permission_a_report_is_refused_in_chinese(ent_client, enterprise):
    page = start(ent_client).content.decode()
    assert "提交期限已过（2026-06-30" in page and "逾期补报" in page
    assert not SelfReport.objects.exists()


def test_a_late_filing_permission_opens_the_form_prefilled_from_our_records(
    ent_client, enterprise, permitted, finished_record
):
    response = start(ent_client)
    report = SelfReport.objects.get(enterprise=enterprise, year=2025)
    page = response.content.decode()
    assert response.status_code == 200 and "准予逾期补报" in page
    license = enterprise.licenses.get()
    assert license.number in page and "2025-09-01" in page  # licenses and checks received, to confirm
    assert [r["id"] for r in report.content["records"]] == [finished_record.pk]


def test_a_report_for_this_year_or_a_year_not_yet_due_is_refused(ent_client, enterprise, today):
    page = start(ent_client, today.year).content.decode()
    assert "2026年度的自查报告须在2027年提交" in page
    assert not SelfReport.objects.exists()


def test_submitting_an_incomplete_report_lists_what_is_missing_and_saves_nothing(ent_client, enterprise, permitted):
    start(ent_client)
    report = SelfReport.objects.get()
    data = complete_post(report, then="submit", declaration="", **{"check-marks": "否"})
    page = ent_client.post(f"/enterprise/reports/{report.pk}/", data).content.decode()
    assert "请阅读并勾选声明" in page and "回答“否”的须说明情况和整改措施" in page
    report.refresh_from_db()
    assert report.status == SelfReport.Status.DRAFT and report.submitted_at is None


def test_a_double_click_submits_once(ent_client, enterprise, permitted, ent_user):
    start(ent_client)
    report = SelfReport.objects.get()
    data = complete_post(report, then="submit")
    first = ent_client.post(f"/enterprise/reports/{report.pk}/", data)
    second = ent_client.post(f"/enterprise/reports/{report.pk}/", data)
    assert first.status_code == 302
    assert second.status_code in (302, 403)  # the second click meets a filed report: nothing more is written
    report.refresh_from_db()
    assert report.status == SelfReport.Status.SUBMITTED and report.submitted_by == ent_user
    assert report.late_permission == permitted
    submits = AuditEntry.objects.filter(model="selfservice.selfreport", object_id=str(report.pk), action="update")
    assert sum(1 for e in submits if "submitted_at" in (e.changes.get("changed") or {})) == 1


def test_a_second_report_for_the_same_year_is_refused(ent_client, enterprise, permitted):
    start(ent_client)
    report = SelfReport.objects.get()
    ent_client.post(f"/enterprise/reports/{report.pk}/", complete_post(report, then="submit"))
    page = start(ent_client).content.decode()
    assert "2025年度的自查报告已于" in page and "每年只提交一次" in page
    assert SelfReport.objects.count() == 1


def test_autosave_saves_the_draft_and_a_stale_tab_is_refused(ent_client, enterprise, permitted):
    start(ent_client)
    report = SelfReport.objects.get()
    tab_a = complete_post(report, declarant="甲")
    tab_b = complete_post(report, declarant="乙")
    saved = ent_client.post(f"/enterprise/reports/{report.pk}/draft/", tab_a)
    assert saved.json() == {"ok": True, "revision": 1}
    stale = ent_client.post(f"/enterprise/reports/{report.pk}/draft/", tab_b)
    assert stale.status_code == 409 and "其他窗口" in stale.json()["errors"]["form"]
    report.refresh_from_db()
    assert report.declarant == "甲" and report.revision == 1
    # the full-page save from the stale tab is refused the same way and keeps what was typed
    page = ent_client.post(f"/enterprise/reports/{report.pk}/", {**tab_b, "then": "save"})
    assert page.status_code == 400 and "其他窗口" in page.content.decode() and 'value="乙"' in page.content.decode()


def test_a_formula_looking_value_is_refused_at_its_field(ent_client, enterprise, permitted):
    start(ent_client)
    report = SelfReport.objects.get()
    page = ent_client.post(
        f"/enterprise/reports/{report.pk}/", complete_post(report, then="save", records_note='=HYPERLINK("http://x")')
    )
    assert page.status_code == 400 and "不能以 = + - @ 开头" in page.content.decode()
    report.refresh_from_db()
    assert report.revision == 0


def test_an_amendment_keeps_the_original_and_needs_a_reason(ent_client, enterprise, permitted):
    start(ent_client)
    report = SelfReport.objects.get()
    ent_client.post(f"/enterprise/reports/{report.pk}/", complete_post(report, then="submit"))
    report.refresh_from_db()
    original = report.content
    fields = complete_post(report, changes_none="", changes_text="生产地址变更为许昌市魏都区新厂区")
    refused = ent_client.post(f"/enterprise/reports/{report.pk}/amend/", fields)
    assert refused.status_code == 400 and "请填写更正原因" in refused.content.decode()
    ent_client.post(f"/enterprise/reports/{report.pk}/amend/", {**fields, "reason": "漏报生产地址变更"})
    amendment = Amendment.objects.get()
    report.refresh_from_db()
    assert amendment.before == original and report.content["changes"]["text"].startswith("生产地址变更")
    assert "更正前的内容" in ent_client.get(f"/enterprise/reports/{report.pk}/").content.decode()


def test_attachments_are_checked_by_content(ent_client, enterprise, permitted):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from postlicense.inspections.tests.helpers import png_bytes

    start(ent_client)
    report = SelfReport.objects.get()
    fake = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    page = ent_client.post(f"/enterprise/reports/{report.pk}/attachments/", {"file": fake}, follow=True)
    assert "不是图片" in page.content.decode() and not report.attachments.exists()
    photo = SimpleUploadedFile("现场.png", png_bytes(), "image/png")
    ent_client.post(f"/enterprise/reports/{report.pk}/attachments/", {"file": photo})
    attachment = report.attachments.get()
    assert attachment.content_type == "image/png"
    assert ent_client.get(f"/enterprise/attachments/{attachment.pk}/").status_code == 200


def test_a_licensed_less_than_a_year_enterprise_is_not_asked_for_a_report(ent_client, enterprise, today):
    enterprise.licenses.update(issue_date=date(2025, 4, 1))
    may, why = selectors.filing_state(enterprise, 2025, today)
    assert not may and "取证未满一年" in why
    LateFilingPermission.objects.create(enterprise=enterprise, year=2025, reason="x", until=date(2026, 12, 31))
    assert not selectors.filing_state(enterprise, 2025, today)[0]
