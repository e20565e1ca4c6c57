"""Issue 11 item 1 and "Bad input": hostile .xlsx files are refused with a Chinese message before the reader
(calamine) sees them; the process stays alive and nothing is written. Every file is built here with zipfile."""

import io
import random
import struct
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from postlicense.core import uploads
from postlicense.core.jobs.models import Job
from postlicense.core.models import User
from postlicense.core.uploads import MAX_CELLS, check_xlsx, purge_uploads
from postlicense.registry import importing
from postlicense.registry.models import Enterprise
from postlicense.registry.xlsx import SheetError, open_rows

from .conftest import good_row, xlsx_bytes

PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.'
    'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>企业名称</t></is></c></row>'


def sheet_xml(rows="", dimension=None):
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main">{dim}<sheetData>{HEADER_ROW}{rows}</sheetData></worksheet>'
    )


def workbook(sheet, extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def set_declared_size(data, member, size):
    """The zip with `member`'s uncompressed size rewritten in its local header and central directory."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length].decode() == member:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def refused(data):
    with pytest.raises(ValidationError) as failure:
        check_xlsx(io.BytesIO(data))
    return failure.value.messages[0]


CRASH = sheet_xml('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:XFD1048576")


def test_the_crash_file_is_refused_by_its_declared_dimension_before_any_cell_is_read(monkeypatch):
    """A 5 KB sheet declaring XFD1048576 made the reader allocate 512 GiB and abort the process."""
    data = workbook(CRASH)
    assert len(data) < 5000

    scanned, row_number = [], uploads._ROW_NUMBER

    class Recording:
        def findall(self, buffer):
            scanned.append(buffer)
            return row_number.findall(buffer)

    monkeypatch.setattr(uploads, "_ROW_NUMBER", Recording())
    message = refused(data)
    assert not any(b"<row" in buffer for buffer in scanned)  # the sheet's cells were never scanned
    assert "1,048,576 行 × 16,384 列" in message and "超过上限" in message


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',  # no dimension, one far cell
        '<row r="2"><c r="AZ1048576"><v>1</v></c></row>',  # the cell's own reference counts, not its row's
        "<row r='1048576'><c r = 'AZ1048576'><v>1</v></c></row>",  # single quotes, blanks around =
        '<row r="2"><c t="n" r="AZ1048576"><v>1</v></c></row>',  # r not the first attribute
        '<x:row xmlns:x="urn:x" r="9"><x:c r="XFD9"><v>1</v></x:c></x:row>',  # a namespace prefix
        '<row r="2">' + "<c><v>1</v></c>" * 120 + "</row>",  # cells without r, placed one after another
        "<row><c><v>1</v></c></row>" * 3 + '<row r="200000"/><row><c r="CV3"/></row>',  # positional rows
    ],
)
def test_actual_cells_past_the_bounds_are_refused_whatever_the_dimension_says(rows):
    message = refused(workbook(sheet_xml(rows, dimension="A1:A1")))
    assert "工作表中的单元格范围为" in message and "请删除多余的行列" in message


def test_a_sheet_within_the_bounds_passes_and_is_read():
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>企业{n}</t></is></c></row>' for n in range(2, 50))
    data = workbook(sheet_xml(rows, dimension="A1:A49"))
    check_xlsx(io.BytesIO(data))
    with pytest.raises(SheetError, match="缺少列"):  # read by calamine, then the header check
        open_rows(io.BytesIO(data), importing.COLUMNS)
    assert MAX_CELLS >= 100_001 * len(importing.COLUMNS)  # the 100,000-row import of the benchmark fits


def test_a_truncated_file_and_a_file_that_is_not_a_zip_are_refused():
    whole = workbook(sheet_xml('<row r="2"><c r="A2"><v>1</v></c></row>' * 200))
    for data in (whole[: len(whole) // 2], whole[:-30], b"<html><body>not a workbook</body></html>", b""):
        assert "文件" in refused(data)


def test_a_zip_that_expands_to_gigabytes_is_refused_by_its_declared_sizes():
    data = set_declared_size(workbook(sheet_xml()), "xl/worksheets/sheet1.xml", 3 * 1024**3)
    assert "超过 400 MB 的上限" in refused(data) or "压缩比异常" in refused(data)


def test_a_member_with_an_absurd_compression_ratio_is_refused():
    zeros = b"0" * (30 * 1024 * 1024)  # deflates ~1000×
    assert "压缩比异常" in refused(workbook(sheet_xml(), extra=[("xl/media/padding.bin", zeros)]))


def test_a_member_whose_real_size_differs_from_its_declared_size_is_refused():
    """A small declared size would let a stream that inflates to gigabytes through the size checks."""
    sheet = sheet_xml("".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 2000)))
    data = set_declared_size(workbook(sheet), "xl/worksheets/sheet1.xml", 2000)
    assert "与其声明的大小不符" in refused(data)


def test_a_member_with_a_traversal_name_is_refused():
    for name in ("../../etc/cron.d/evil", "/etc/passwd", "xl\\..\\..\\evil.xml", "C:/evil.xml"):
        assert "不安全的路径" in refused(workbook(sheet_xml(), extra=[(name, "x")]))


def test_a_member_compressed_another_way_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_LZMA) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml())
    assert "不支持的压缩方式" in refused(buffer.getvalue())


def test_corrupt_deflate_data_is_refused():
    data = bytearray(workbook(sheet_xml("<row r='2'><c r='A2'><v>1</v></c></row>" * 50)))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + 8] = zlib.compress(b"x")[:8]
    assert "文件已损坏" in refused(bytes(data))


@pytest.fixture
def bureau(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    user = make_user(User.Role.CITY_ADMIN, "xuchang")
    client.force_login(user)
    return tmp_path


def stored_files(root: Path):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "data",
    [
        workbook(CRASH),
        workbook(sheet_xml('<row r="2"><c r="AZ1048576"><v>1</v></c></row>')),
        b"<html><script>alert(1)</script></html>",
        b"PK\x03\x04 truncated",
    ],
    ids=["XFD1048576", "AZ1048576", "html", "truncated"],
)
def test_the_upload_page_refuses_a_hostile_file_at_the_field_and_stores_nothing(client, bureau, data):
    response = client.post("/registry/import/enterprises/", {"file": SimpleUploadedFile("名录.xlsx", data)})
    page = response.content.decode()
    assert response.status_code == 200 and ("超过上限" in page or "不是有效的 Excel" in page)
    assert not Job.objects.exists() and stored_files(bureau) == [] and not Enterprise.objects.exists()
    assert client.get("/registry/enterprises/").status_code == 200  # the process is alive and serving


def test_a_file_with_wrong_columns_is_reported_and_not_kept(client, bureau):
    upload = xlsx_bytes([good_row(1)], headers=["企业名称", "地址"])
    upload.name = "名录.xlsx"
    page = client.post("/registry/import/enterprises/", {"file": upload}, follow=True).content.decode()
    assert "缺少列：" in page and "统一社会信用代码" in page
    assert not Enterprise.objects.exists() and stored_files(bureau) == []


def test_a_traversal_upload_name_is_stored_inside_the_media_folder(client, bureau):
    upload = xlsx_bytes([good_row(1)])
    upload.name = "../../../../tmp/evil.xlsx"
    client.post("/registry/import/enterprises/", {"file": upload}, follow=True)
    job = Job.objects.get()
    assert ".." not in job.file.name and ".." not in job.filename
    assert [p.resolve().is_relative_to(bureau.resolve()) for p in stored_files(bureau)] == [True]
    assert Enterprise.objects.count() == 1


def test_the_command_refuses_the_crash_file(tmp_path):
    path = tmp_path / "crash.xlsx"
    path.write_bytes(workbook(CRASH))
    with path.open("rb") as fh, pytest.raises(SheetError, match="超过上限"):
        open_rows(fh, importing.COLUMNS)


def test_an_accepted_import_file_is_kept_for_the_retention_period_then_purged(client, bureau, settings):
    """IMPORT_FILE_RETENTION_DAYS after the import finished, `postlicense purge-uploads` deletes the file (the job
    and its report stay); run again it deletes nothing."""
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    upload = xlsx_bytes([good_row(1)])
    upload.name = "名录.xlsx"
    client.post("/registry/import/enterprises/", {"file": upload}, follow=True)
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and len(stored_files(bureau)) == 1
    assert purge_uploads(now=job.finished_at + timedelta(days=29)) == 0 and len(stored_files(bureau)) == 1
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=31))
    out = io.StringIO()
    call_command("purge-uploads", stdout=out)
    assert "已删除 1 个导入文件（保留期 30 天" in out.getvalue()
    call_command("purge-uploads", stdout=out)
    assert "已删除 0 个导入文件" in out.getvalue()
    job.refresh_from_db()
    assert stored_files(bureau) == [] and job.file.name == "" and job.status == Job.Status.DONE


def test_a_rejected_import_file_is_not_kept(client, bureau):
    upload = xlsx_bytes([good_row(1), good_row(2, 所在区县="火星区")])
    upload.name = "名录.xlsx"
    page = client.post("/registry/import/enterprises/", {"file": upload}, follow=True).content.decode()
    assert "火星区" in page
    job = Job.objects.get()
    assert job.status == Job.Status.INVALID and job.file.name == "" and stored_files(bureau) == []


def test_a_file_a_pending_retry_reads_is_not_purged(make_user, bureau):
    user = make_user(User.Role.CITY_ADMIN, "xuchang")
    old = timezone.now() - timedelta(days=400)
    failed = Job.objects.create(
        kind=Job.Kind.IMPORT_ENTERPRISES,
        file=SimpleUploadedFile("名录.xlsx", b"x"),
        created_by=user,
        status=Job.Status.FAILED,
        finished_at=old,
    )
    retry = Job.objects.create(kind=failed.kind, file=failed.file.name, created_by=user, retry_of=failed)
    assert purge_uploads() == 0 and len(stored_files(bureau)) == 1
    Job.objects.filter(pk=retry.pk).update(status=Job.Status.DONE, finished_at=old)
    assert purge_uploads() == 2 and stored_files(bureau) == []


def test_millions_of_rows_without_cells_are_refused_without_counting_them_all(monkeypatch):
    """Rows without r and without cells extend no range but cost time to count: the count itself is bounded."""
    monkeypatch.setattr("postlicense.core.uploads.MAX_CELLS", 1000)
    sheet = "<worksheet><sheetData>" + "<row/>" * 3000 + "</sheetData></worksheet>"
    assert "工作表的行和单元格超过" in refused(workbook(sheet))


def test_long_text_is_scanned_in_bounded_steps_and_an_endless_tag_is_refused(monkeypatch):
    """9 MB of text in one cell is read chunk by chunk: each scanned buffer stays within two chunks and all of them
    add up to less than twice the text (nothing is scanned again and again, which would make the scan quadratic)."""
    scanned = []
    row_number = uploads._ROW_NUMBER

    class Recording:
        def findall(self, buffer):
            scanned.append(len(buffer))
            return row_number.findall(buffer)

    monkeypatch.setattr(uploads, "_ROW_NUMBER", Recording())
    rng = random.Random(1)
    text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(3_000_000))
    check_xlsx(io.BytesIO(workbook(sheet_xml(f'<row r="2"><c r="A2" t="inlineStr"><is><t>{text}</t></is></c></row>'))))
    assert max(scanned) <= 2 * uploads._CHUNK and sum(scanned) < 2 * len(text.encode())
    junk = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3_000_000))
    endless = sheet_xml(f'<row r="2"><c r="A2" x="{junk}" r="XFD1048576"/></row>')
    assert "超长标签" in refused(workbook(endless))
