"""Enterprise .xlsx import (issue 3 §7; 003 二(一): the enterprise database kept current).

Every row is validated first; one bad row imports nothing and every bad row is listed with its row
number, column and reason; a re-import updates by credit code instead of duplicating.
"""

import pytest
from django.core.management import CommandError, call_command

from postlicense.core.exports import xlsx_bytes as export_bytes
from postlicense.core.jobs.models import Job
from postlicense.core.jobs.services import execute
from postlicense.core.models import AuditEntry, User
from postlicense.registry import importing
from postlicense.registry.models import Enterprise, License
from postlicense.registry.selectors import enterprises_for
from postlicense.registry.xlsx import SheetError, open_rows, sheets

from .conftest import good_row, xlsx_bytes


def run(rows, user, headers=None):
    total, cells = open_rows(xlsx_bytes(rows, headers), importing.COLUMNS)
    return importing.validate(cells, user)


@pytest.fixture
def city_admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


def test_valid_file_creates_enterprises_licenses_units_and_audit_entries(city_admin):
    rows, errors = run([good_row(1), good_row(2, region="411002", 所在区县="411002")], city_admin)
    assert errors == []
    assert importing.apply(rows) == (2, 0)
    e = Enterprise.objects.get(name="长葛导入1水泥有限公司")
    assert e.region_id == "411082" and e.supervising_unit.code == "xuchang-changge" and e.risk_level == "medium"
    assert "cgdr" in e.search_key  # initials filled on import, like on save
    lic = License.objects.get(number="豫XK08-001-00001")
    assert [u.name for u in lic.product_units.all()] == ["通用硅酸盐水泥"]
    assert AuditEntry.objects.filter(model="registry.enterprise", object_id=str(e.pk), action="create").exists()
    assert AuditEntry.objects.filter(model="registry.license", object_id=str(lic.pk)).exists()


def test_reimport_updates_by_credit_code_instead_of_duplicating(city_admin):
    importing.apply(run([good_row(1)], city_admin)[0])
    rows, errors = run([good_row(1, 企业名称="长葛导入一号水泥有限公司", 风险等级="高")], city_admin)
    assert errors == [] and importing.apply(rows) == (0, 1)
    e = Enterprise.objects.get()
    assert (e.name, e.risk_level) == ("长葛导入一号水泥有限公司", "high")
    entry = AuditEntry.objects.filter(model="registry.enterprise", action="update").get()
    assert set(entry.changes["changed"]) == {"name", "risk_level"}


def test_several_licenses_of_one_enterprise_on_several_rows(city_admin):
    second = good_row(1, 许可证编号="豫XK08-002-00077", 产品单元="砌筑水泥")
    rows, errors = run([good_row(1), second], city_admin)
    assert errors == []
    importing.apply(rows)
    assert Enterprise.objects.get().licenses.count() == 2


def test_every_bad_row_is_listed_and_nothing_is_written(city_admin):
    bad_code = good_row(2)
    bad_code["统一社会信用代码"] = bad_code["统一社会信用代码"][:-1] + (
        "0" if bad_code["统一社会信用代码"][-1] != "0" else "1"
    )
    rows = [
        good_row(1),
        bad_code,
        good_row(3, 发证日期="2028-01-01", 有效期至="2023-01-01"),
        good_row(4, 所在区县="火星区"),
        good_row(5, 产品类别="月饼"),
        good_row(1, 企业名称="另一个名字", 许可证编号="豫XK08-001-00099"),
        good_row(6, 许可证编号="XK-123"),
    ]
    valid, errors = run(rows, city_admin)
    found = {(e.row, e.column) for e in errors}
    assert {
        (3, "统一社会信用代码"),
        (4, "有效期至"),
        (5, "所在区县"),
        (6, "产品类别"),
        (7, "统一社会信用代码"),
        (8, "许可证编号"),
    } <= found
    assert any("校验码" in e.message for e in errors if e.row == 3)
    assert any("与第2行重复" in e.message for e in errors if e.row == 7)
    job = Job.objects.create(kind=Job.Kind.IMPORT_ENTERPRISES, filename="bad.xlsx", created_by=city_admin)
    job.file.save("bad.xlsx", xlsx_bytes(rows))
    execute(job.pk, heartbeat=False)
    job.refresh_from_db()
    assert job.status == Job.Status.INVALID and len(job.errors) == len(errors)
    assert not Enterprise.objects.exists()


def test_county_user_cannot_import_into_another_county(make_user, make_enterprise):
    weidu = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    other = make_enterprise("xuchang-changge")
    row = good_row(1)
    valid, errors = run([row], weidu)
    assert [(e.row, e.column) for e in errors] == [(2, "所在区县")] and "管辖范围" in errors[0].message
    taken = good_row(2, region="魏都区", 统一社会信用代码=other.credit_code)
    valid, errors = run([taken], weidu)
    assert "其他辖区" in errors[0].message


def test_wrong_columns_and_malformed_file_are_rejected_as_a_whole():
    with pytest.raises(SheetError, match="缺少列：.*统一社会信用代码"):
        open_rows(xlsx_bytes([], headers=["企业名称", "地址"]), importing.COLUMNS)
    with pytest.raises(SheetError, match="xlsx"):
        open_rows(__import__("io").BytesIO(b"PK\x03\x04 not really a zip"), importing.COLUMNS)


def test_export_reimports_without_changes(city_admin):
    importing.apply(
        run([good_row(1), good_row(2, 许可证编号="", 产品单元="", 发证日期="", 有效期至="", 发证机关="")], city_admin)[
            0
        ]
    )
    exported = export_bytes(sheets(importing.COLUMNS, importing.export_rows(enterprises_for(city_admin)), "获证企业"))
    total, cells = open_rows(__import__("io").BytesIO(exported), importing.COLUMNS)
    rows, errors = importing.validate(cells, city_admin)
    assert errors == [] and importing.apply(rows) == (0, 0)


def test_command_imports_and_refuses_bad_files(tmp_path, make_user):
    root = make_user(User.Role.CITY_ADMIN, None, is_superuser=True)
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx_bytes([good_row(1)]).getvalue())
    bad.write_bytes(xlsx_bytes([good_row(2, 产品类别="月饼")]).getvalue())
    call_command("import-enterprises", str(good), "--user", root.username)
    assert Enterprise.objects.count() == 1
    with pytest.raises(CommandError, match="未导入"):
        call_command("import-enterprises", str(bad), "--user", root.username)
    assert Enterprise.objects.count() == 1


def test_upload_page_rejects_a_100_mb_file_with_a_chinese_message(client, city_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(city_admin)
    big = SimpleUploadedFile("big.xlsx", b"\0" * (100 * 1024 * 1024))
    response = client.post("/registry/import/enterprises/", {"file": big})
    assert response.status_code == 200
    assert "超过 20 MB 的上限" in response.content.decode()
    assert not Job.objects.exists()


def test_upload_page_shows_each_bad_row(client, city_admin):
    client.force_login(city_admin)
    upload = xlsx_bytes([good_row(1), good_row(2, 所在区县="火星区")])
    upload.name = "名录.xlsx"
    response = client.post("/registry/import/enterprises/", {"file": upload}, follow=True)
    page = response.content.decode()
    assert "校验未通过" in page and "火星区" in page and '<td class="num">3</td>' in page
    assert not Enterprise.objects.exists()


def test_job_page_shows_a_progress_bar_while_running(client, city_admin):
    job = Job.objects.create(
        kind=Job.Kind.IMPORT_ENTERPRISES,
        filename="大文件.xlsx",
        created_by=city_admin,
        status=Job.Status.RUNNING,
        phase="正在导入",
        total=200,
        processed=50,
    )
    client.force_login(city_admin)
    page = client.get(f"/registry/import-jobs/{job.pk}/").content.decode()
    assert '<progress max="100" value="25"' in page and 'hx-trigger="load delay:1s"' in page and "正在导入" in page
    fragment = client.get(f"/registry/import-jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="job"') and "<html" not in fragment


@pytest.mark.django_db(transaction=True)
def test_a_large_upload_is_imported_by_the_job_worker(client, make_user, monkeypatch):
    """Issue 3 §7, issue 12 §2: a long import is queued as a job that the worker process runs, not the request."""
    from django.apps import apps
    from django_tasks_db.management.commands.db_worker import Worker

    from postlicense.registry import services
    from postlicense.registry.catalogue_data import load_catalogue

    load_catalogue(apps)
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    upload = xlsx_bytes([good_row(n) for n in range(1, 200)])
    monkeypatch.setattr(services, "SYNC_IMPORT_BYTES", len(upload.getvalue()) - 1)
    upload.name = "大文件.xlsx"
    client.force_login(admin)
    response = client.post("/registry/import/enterprises/", {"file": upload})
    job = Job.objects.get()
    assert response.url == f"/registry/import-jobs/{job.pk}/"
    assert job.status == Job.Status.PENDING and job.task_id and not Enterprise.objects.exists()
    options = dict(queue_names=["default"], excluded_queue_names=[], interval=0, backend_name="default")
    Worker(**options, batch=True, startup_delay=False, max_tasks=None, worker_id="test-worker").run()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["created"] == 199 and job.attempts == 1
    assert Enterprise.objects.count() == 199


def _job(user, rows):
    job = Job.objects.create(kind=Job.Kind.IMPORT_ENTERPRISES, filename="名录.xlsx", created_by=user)
    job.file.save("名录.xlsx", xlsx_bytes(rows))
    execute(job.pk, heartbeat=False)
    job.refresh_from_db()
    return job


def test_the_same_rows_report_the_same_row_count_whether_they_fail_or_pass(make_user, city_admin, client):
    """Issue 10 §8: a failed import counted the sheet's rows, a passed one the enterprises they grouped into."""
    rows = [
        good_row(1),
        good_row(1, 许可证编号="豫XK08-002-00077", 产品单元="砌筑水泥"),
        good_row(2),
    ]  # 3 rows, 2 enterprises
    weidu = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    failed = _job(weidu, rows)  # 长葛市 is outside 魏都区's jurisdiction
    passed = _job(city_admin, rows)
    assert (failed.status, passed.status) == (Job.Status.INVALID, Job.Status.DONE)
    assert failed.total == passed.total == passed.processed == 3
    assert passed.result == {"created": 2, "updated": 0}
    for job in (failed, passed):  # a job is shown to the user who started it
        client.force_login(job.created_by)
        assert "共 3 行数据" in client.get(f"/registry/import-jobs/{job.pk}/").content.decode()
    assert "新增 2 家企业，更新 0 家" in client.get(f"/registry/import-jobs/{passed.pk}/").content.decode()


def test_an_imports_audit_entries_are_marked_as_such(city_admin, client):
    """Issue 10 §8: the change history tells an import's updates from edits made on the enterprise's page."""
    importing.apply(run([good_row(1)], city_admin)[0])
    importing.apply(run([good_row(1, 风险等级="高")], city_admin)[0])
    entries = AuditEntry.objects.filter(model="registry.enterprise").order_by("id")
    assert [(e.action, e.changes.get("source")) for e in entries] == [("create", "import"), ("update", "import")]
    enterprise = Enterprise.objects.get()
    enterprise.name = "页面上改的名字有限公司"
    enterprise.save()
    assert AuditEntry.objects.filter(model="registry.enterprise").order_by("id").last().changes.get("source") is None
    client.force_login(city_admin)
    timeline = client.get(enterprise.get_absolute_url()).content.decode()
    assert "批量导入；变更字段：风险等级" in timeline
    history = client.get(f"/core/history/registry.enterprise/{enterprise.pk}/").content.decode()
    assert history.count("批量导入") == 2 and "<td>风险等级</td>" in history and "risk_level" not in history
