"""Import of self-reports from the national 公示系统 export: every row validated first, one bad row imports nothing
and every bad row is listed (as the enterprise import); an imported report is marked with its source."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from postlicense.core.jobs.models import Job
from postlicense.core.jobs.services import execute
from postlicense.core.models import OrgUnit, User
from postlicense.registry.credit_code import make_credit_code
from postlicense.selfservice.importing import COLUMNS
from postlicense.selfservice.models import SelfReport

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in COLUMNS]


def row(enterprise, **overrides):
    values = {
        "统一社会信用代码": enterprise.credit_code,
        "企业名称": enterprise.name,
        "报告年度": "2025",
        "提交日期": "2026-05-18",
        "生产状态": "正常生产",
        "主要变化情况": "无",
        "自查情况": "生产条件保持，未发现问题",
        "声明人": "张三",
    }
    values.update(overrides)
    return values


def xlsx(rows, name="公示系统导出.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for r in rows:
        sheet.append([r.get(h, "") for h in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for r in rows:
        writer.writerow([r.get(h, "") for h in HEADERS])
    return SimpleUploadedFile("导出.csv", buffer.getvalue().encode(encoding))


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def post(client, upload):
    """The upload, followed to the import job's page (a small file runs within the request)."""
    return client.post("/enterprise/manage/import/", {"file": upload}, follow=True)


def test_a_good_file_imports_filed_reports_marked_with_their_source(staff_client, enterprise, other_enterprise):
    response = post(staff_client, xlsx([row(enterprise), row(other_enterprise, 提交日期="2026-07-03")]))
    job = Job.objects.get()
    assert response.redirect_chain == [(f"/enterprise/manage/import/{job.pk}/", 302)]
    assert job.kind == Job.Kind.SELFREPORT_IMPORT and job.status == Job.Status.DONE and job.processed == 2
    assert "已导入 2 份自查报告" in response.content.decode()
    report = SelfReport.objects.get(enterprise=enterprise)
    assert report.status == SelfReport.Status.SUBMITTED and report.source == SelfReport.Source.IMPORT
    assert report.source_file == "公示系统导出.xlsx" and report.content["imported"]["自查情况"].startswith("生产条件")
    page = staff_client.get(f"/enterprise/reports/{report.pk}/").content.decode()
    assert "国家企业信用信息公示系统导入" in page and "公示系统导出.xlsx" in page
    from postlicense.selfservice.selectors import filed_on_time

    assert filed_on_time(enterprise, 2025) and not filed_on_time(other_enterprise, 2025)


def test_a_csv_in_gb18030_imports_too(staff_client, enterprise):
    assert "已导入 1 份自查报告" in post(staff_client, csv_file([row(enterprise)], "gb18030")).content.decode()
    assert SelfReport.objects.get().declarant == "张三"


def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(staff_client, enterprise, other_enterprise):
    unknown = make_credit_code("411002", 88_000_001)
    rows = [
        row(enterprise),
        row(other_enterprise, 报告年度="2027"),
        row(enterprise, 统一社会信用代码=unknown, 企业名称="未登记企业"),
        row(other_enterprise, 报告年度="2024", 自查情况='=HYPERLINK("http://evil","点击")'),
    ]
    response = post(staff_client, csv_file(rows))  # a CSV cell keeps "=..." as text (openpyxl would write a formula)
    page = response.content.decode()
    assert "未导入任何报告" in page and Job.objects.get().status == Job.Status.INVALID
    assert "第3行" in page and "报告年度不能是2026年或以后" in page
    assert "第4行" in page and "未登记的统一社会信用代码" in page
    assert "第5行" in page and "疑似表格公式" in page
    assert not SelfReport.objects.exists()


def test_a_large_file_is_queued_and_its_page_shows_the_progress(staff_client, enterprise, settings, monkeypatch):
    monkeypatch.setattr("postlicense.selfservice.views.SYNC_IMPORT_BYTES", 0)
    queued = []
    monkeypatch.setattr("postlicense.core.jobs.services.enqueue", queued.append)
    response = post(staff_client, xlsx([row(enterprise)]))
    job = Job.objects.get()
    assert queued == [job] and job.status == Job.Status.PENDING and not SelfReport.objects.exists()
    assert 'hx-get="/enterprise/manage/import/' in response.content.decode()
    execute(job.pk, heartbeat=False)  # what the worker does
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"imported": 1}
    assert SelfReport.objects.get().source_file == "公示系统导出.xlsx"
    # the job page belongs to its importer's jurisdiction
    other = Client()
    other.force_login(
        User.objects.create_user(
            "changge", role=User.Role.COUNTY_STAFF, org_unit=OrgUnit.objects.get(code="xuchang-changge")
        )
    )
    assert other.get(f"/enterprise/manage/import/{job.pk}/").status_code == 404


def test_an_enterprise_of_another_county_is_refused(client, make_user, enterprise):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    page = post(client, xlsx([row(enterprise)])).content.decode()
    assert "不在您的管辖范围内" in page and not SelfReport.objects.exists()


def test_a_report_already_filed_or_twice_in_the_file_is_refused(staff_client, enterprise, other_enterprise):
    post(staff_client, xlsx([row(enterprise)]))
    page = post(staff_client, xlsx([row(enterprise), row(other_enterprise), row(other_enterprise)])).content.decode()
    assert "2025年度的自查报告已提交" in page and "与第3行重复" in page
    assert SelfReport.objects.count() == 1


def test_a_file_of_another_kind_or_with_wrong_columns_is_refused(staff_client, enterprise):
    page = post(staff_client, SimpleUploadedFile("x.txt", b"hello")).content.decode()
    assert "请上传 .xlsx 或 .csv 格式的文件" in page
    wrong = SimpleUploadedFile("x.csv", "企业名称\n甲\n".encode())
    assert "缺少列：统一社会信用代码" in post(staff_client, wrong).content.decode()
    fake = SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not really")
    assert post(staff_client, fake).status_code == 400
    assert Job.objects.count() == 1  # the CSV with the wrong columns (校验未通过); the refused files made no job
    assert not SelfReport.objects.exists()
