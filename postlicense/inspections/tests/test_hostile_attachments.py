"""Issue 11 item 1 and "Bad input": hostile photos and PDFs on a finding are refused in Chinese, the process stays
alive and nothing is stored. Every file is built here by code."""

import base64
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from postlicense.core.models import User
from postlicense.inspections import services
from postlicense.inspections.models import Attachment, Finding

from .helpers import new_record, png_bytes

pytestmark = pytest.mark.django_db


def png_declaring(width, height):
    """A ~100-byte PNG whose header declares width × height (its one IDAT holds almost nothing)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def pdf(*objects, compressed=()):
    """A small PDF: `objects` as written; `compressed` inside a Flate object stream (/ObjStm)."""
    body = [b"%PDF-1.7"]
    for number, text in enumerate(objects, start=1):
        body.append(b"%d 0 obj\n%s\nendobj" % (number, text))
    if compressed:
        inner = b" ".join(compressed)
        data = zlib.compress(b"10 0 " + inner)
        body.append(
            b"%d 0 obj\n<< /Type /ObjStm /N 1 /First 5 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\nendobj"
            % (len(objects) + 1, len(data), data)
        )
    body.append(b"trailer\n<< /Root 1 0 R >>\n%%EOF")
    return b"\n".join(body)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>"
PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


@pytest.fixture
def finding():
    record = new_record()
    return Finding.objects.create(record=record, item=record.template_version.items.first())


def add(finding, name, data, staff):
    return services.add_attachment(finding, SimpleUploadedFile(name, data), by=staff)


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


@pytest.mark.parametrize("size", [(30000, 30000), (10000, 10000), (9500, 9500)])
def test_an_image_declaring_huge_dimensions_is_refused_before_decoding(finding, staff, size):
    """A 100-byte PNG declaring 30000×30000 gave HTTP 500 (Pillow's DecompressionBombError); 10000×10000 and
    9500×9500 are past Pillow's limit (89.5 million pixels) without reaching its error."""
    data = png_declaring(*size)
    assert len(data) < 120
    with pytest.raises(ValidationError, match="超过上限") as failure:
        add(finding, "现场.png", data, staff)
    assert "现场.png" in failure.value.messages[0]
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "name, data",
    [
        ("现场.png", b"<!doctype html><html><script>alert(document.cookie)</script></html>"),
        ("现场.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("现场.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
)
def test_html_and_svg_are_refused_whatever_their_name_says(finding, staff, name, data):
    with pytest.raises(ValidationError, match="不是图片（JPEG/PNG/WebP）或 PDF"):
        add(finding, name, data, staff)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        pdf(CATALOG, PAGES, b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        pdf(b"<< /Type /Catalog /Pages 2 0 R /AA << /O << /S /JavaScript /JS 3 0 R >> >> >>", PAGES, b"(app.alert)"),
        pdf(CATALOG, PAGES, b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"),  # names spelled with #xx escapes
        pdf(CATALOG, PAGES, b"<< /S /Launch /F (cmd.exe) >>"),
        pdf(CATALOG, PAGES, compressed=[b"<< /S /JavaScript /JS (app.alert(1)) >>"]),  # hidden in an object stream
    ],
    ids=["OpenAction", "AA", "escaped", "Launch", "ObjStm"],
)
def test_a_pdf_with_javascript_or_a_launch_action_is_refused(finding, staff, data):
    with pytest.raises(ValidationError, match="JavaScript"):
        add(finding, "报告.pdf", data, staff)
    assert not Attachment.objects.exists()


ENCRYPT = b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -44 /O (owner-hash) /U (user-hash) >>"


@pytest.mark.parametrize("name", [b"/Encrypt", b"/Encr#79pt"], ids=["plain", "escaped"])
def test_an_encrypted_pdf_is_refused_because_its_streams_cannot_be_checked(finding, staff, name):
    data = pdf(CATALOG, PAGES, ENCRYPT).replace(b"<< /Root 1 0 R >>", b"<< /Root 1 0 R %s 3 0 R >>" % name)
    with pytest.raises(ValidationError, match="已加密"):
        add(finding, "加密.pdf", data, staff)
    assert not Attachment.objects.exists()


def test_a_plain_pdf_with_an_open_action_that_only_sets_the_view_is_accepted(finding, staff):
    data = pdf(CATALOG, PAGES, b"[4 0 R /Fit]", compressed=[b"<< /Title (Report) >>"])
    assert add(finding, "报告.pdf", data, staff).content_type == "application/pdf"
    assert add(finding, "现场.png", png_bytes(), staff).content_type == "image/png"


def test_a_compressed_stream_that_inflates_without_end_is_refused(finding, staff, settings):
    bomb = zlib.compress(b"\0" * (210 * 1024 * 1024), 9)  # ~200 KB inflating past the 200 MB bound
    data = pdf(CATALOG, PAGES) + b"\n5 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj" % (len(bomb), bomb)
    with pytest.raises(ValidationError, match="异常庞大"):
        add(finding, "报告.pdf", data, staff)


def media_files(root):
    return [p for p in Path(root).rglob("*") if p.is_file()]


def test_the_upload_page_refuses_a_hostile_image_with_a_message_and_stores_nothing(client, staff, settings):
    record = new_record()
    item = record.template_version.items.first()
    client.force_login(staff)
    url = reverse("inspections:attachment_upload", args=[record.pk, item.pk])
    files = [
        SimpleUploadedFile("炸弹.png", png_declaring(30000, 30000)),
        SimpleUploadedFile("脚本.pdf", pdf(CATALOG, PAGES, b"<< /S /JavaScript /JS (app.alert(1)) >>")),
    ]
    response = client.post(url, {"file": files}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "“炸弹.png”的尺寸超过上限（89 百万像素）" in page and "JavaScript" in page
    assert not Attachment.objects.exists() and media_files(settings.MEDIA_ROOT) == []
    assert client.get(record.get_fill_url()).status_code == 200  # the process is alive and serving


def test_a_traversal_file_name_is_stored_inside_the_media_folder(client, staff, settings):
    record = new_record()
    item = record.template_version.items.first()
    client.force_login(staff)
    upload = SimpleUploadedFile("../../../../tmp/evil.png", png_bytes())
    client.post(reverse("inspections:attachment_upload", args=[record.pk, item.pk]), {"file": upload})
    stored = Attachment.objects.get()
    assert ".." not in stored.file.name and stored.original_name == "evil.png"
    root = Path(settings.MEDIA_ROOT).resolve()
    assert [p.resolve().is_relative_to(root) for p in media_files(root)] == [True]


def test_a_drawn_signature_declaring_huge_dimensions_is_refused():
    """Signatures are printed into the record's PDF: the same dimension check runs before anything decodes them."""
    record = new_record()
    data_url = "data:image/png;base64," + base64.b64encode(png_declaring(30000, 30000)).decode()
    with pytest.raises(ValidationError, match="签名无效"):
        services.sign_as_inspector(record, record.inspectors.first(), data_url)
