"""Pages: scope, the record form keeps bad input, uploads, lock, printing."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from postlicense.core.models import User
from postlicense.inspections import services

from .helpers import fill_and_sign, new_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    return client


def test_records_outside_the_jurisdiction_are_404(client, make_user):
    record = new_record()
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    assert client.get(reverse("inspections:record_detail", args=[record.pk])).status_code == 404
    assert client.get(reverse("inspections:record_pdf", args=[record.pk])).status_code == 404


def test_inspector_sees_only_assigned_records_in_my_inspections(client, make_user):
    user = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    mine, other = new_record(user=user), new_record()
    client.force_login(user)
    page = client.get(reverse("inspections:my_inspections")).content.decode()
    assert mine.enterprise.name in page and other.enterprise.name not in page


def test_bad_date_is_shown_at_the_field_and_nothing_typed_is_lost(staff_client):
    record = new_record()
    item = record.template_version.items.get(number="3")
    response = staff_client.post(reverse("inspections:record_fill", args=[record.pk]), {
        "revision": "0", "inspection_date": "2026-13-45", "problems_summary": "现场记录文字",
        f"option-{item.pk}": "不存在", f"note-{item.pk}": "已核对产品目录",
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "日期格式应为 YYYY-MM-DD" in page and "现场记录文字" in page and "已核对产品目录" in page
    assert 'value="不存在" checked' in page
    record.refresh_from_db()
    assert record.revision == 0


def test_autosave_returns_the_new_revision_and_a_stale_one_is_a_conflict(staff_client):
    record = new_record()
    url = reverse("inspections:record_draft", args=[record.pk])
    ok = staff_client.post(url, {"revision": "0", "problems_summary": "甲"})
    assert ok.json() == {"ok": True, "revision": 1}
    stale = staff_client.post(url, {"revision": "0", "problems_summary": "乙"})
    assert stale.status_code == 409 and "其他设备" in stale.json()["errors"]["form"]


def test_upload_that_is_not_an_image_is_refused_with_a_clear_message(staff_client):
    record = new_record()
    item = record.template_version.items.first()
    response = staff_client.post(reverse("inspections:attachment_upload", args=[record.pk, item.pk]),
                                 {"file": SimpleUploadedFile("照片.jpg", b"plain text, not a photo")}, follow=True)
    assert "不是图片（JPEG/PNG/WebP）或 PDF" in response.content.decode()
    assert not record.findings.get(item=item).attachments.exists()


def test_finished_record_cannot_be_posted_without_an_amendment(staff_client, make_user):
    record = services.finish(fill_and_sign(new_record()), by=make_user())
    response = staff_client.post(reverse("inspections:record_draft", args=[record.pk]), {"revision": str(record.revision)})
    assert response.status_code == 409 and "更正" in response.json()["errors"]["form"]
    assert staff_client.get(reverse("inspections:record_fill", args=[record.pk])).status_code == 302


def test_pdf_and_word_print_the_record(staff_client, make_user):
    record = new_record()
    record = fill_and_sign(record)
    services.finish(record, by=make_user())
    detail = staff_client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    assert "已完成 · 已锁定" in detail and "更正" in detail
    pdf = staff_client.get(reverse("inspections:record_pdf", args=[record.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = staff_client.get(reverse("inspections:record_docx", args=[record.pk]))
    from docx import Document

    text = "\n".join(c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells)
    assert record.enterprise.name in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "营业执照是否有效，生产许可证是否在有效期内" in text and "■合格" in text and "水泥磨" in text
