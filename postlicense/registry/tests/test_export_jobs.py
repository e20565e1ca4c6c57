"""Large list exports run as background jobs (issue 12 §2c): from JOBS["EXPORT_ROWS"] rows the export link
queues a job, whose page shows progress and then offers the file to the user who asked; the file holds the
rows of the query they exported, and the download is an audited export of personal data."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from postlicense.core.jobs import services
from postlicense.core.jobs.models import Job
from postlicense.core.jobs.tasks import run_job
from postlicense.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit_two(settings):
    settings.JOBS = {**settings.JOBS, "EXPORT_ROWS": 2}


def _rows(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [row for row in sheet.iter_rows(values_only=True)][1:]


def _exports():
    return AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)


def test_a_large_enterprise_export_is_a_job_whose_file_its_starter_downloads(
    client, make_user, make_enterprise, limit_two, django_capture_on_commit_callbacks
):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    for n in range(3):
        make_enterprise(name=f"许昌导出测试{n}有限公司")
    make_enterprise(name="许昌另一家水泥有限公司")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/registry/enterprises/export.xlsx", {"q": "导出测试"})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert job.kind == Job.Kind.EXPORT_ENTERPRISES and job.task_id and not _exports().exists()
    assert "hx-trigger" in client.get(response.url).content.decode(), "the page follows the job's progress"

    assert run_job.call(job.pk) == Job.Status.DONE
    job.refresh_from_db()
    assert (job.total, job.processed, job.result) == (3, 3, {"rows": 3})
    page = client.get(response.url).content.decode()
    day = f"{timezone.localdate():%Y%m%d}"
    assert f"下载 获证企业名录-{day}.xlsx" in page and "返回获证企业列表" in page

    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200 and "filename*=UTF-8''" in download["Content-Disposition"]
    names = sorted(row[0] for row in _rows(download.content))
    assert names == [f"许昌导出测试{n}有限公司" for n in range(3)], "the file holds the exported query's rows"
    entry = _exports().get()
    assert entry.actor == admin and entry.changes["rows"] == 3 and entry.object_repr == f"获证企业名录-{day}.xlsx"


def test_a_small_export_is_still_the_file_itself(client, make_user, make_enterprise, limit_two):
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    make_enterprise()
    response = client.get("/registry/enterprises/export.xlsx")
    assert response.status_code == 200 and len(_rows(response.content)) == 1 and not Job.objects.exists()


def test_only_the_starter_downloads_an_export_and_not_before_it_is_done(client, make_user, make_enterprise, limit_two):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    for _ in range(2):
        make_enterprise()
    client.force_login(admin)
    client.get("/registry/enterprises/export.xlsx")
    job = Job.objects.get()
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404, "nothing to download before the job ran"
    run_job.call(job.pk)
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 403
    client.force_login(make_user(User.Role.COUNTY_STAFF, "binhai-tanggu"))
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert not _exports().exists()


def test_a_large_inspector_export_is_a_job_too(client, make_user, limit_two, django_capture_on_commit_callbacks):
    from postlicense.inspections.tests.factories import make_inspector

    for _ in range(3):
        make_inspector("xuchang-weidu")
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/inspectors/export.xlsx")
    job = Job.objects.get(kind=Job.Kind.EXPORT_INSPECTORS)
    assert run_job.call(job.pk) == Job.Status.DONE
    assert len(_rows(client.get(f"/jobs/{job.pk}/download/").content)) == 3


def test_result_files_are_deleted_after_the_retention_the_job_stays(
    client, make_user, make_enterprise, limit_two, settings
):
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    for _ in range(2):
        make_enterprise()
    client.get("/registry/enterprises/export.xlsx")
    job = Job.objects.get()
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.output.storage.exists(job.output.name)
    later = timezone.now() + timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS + 1)
    assert services.purge_outputs() == 0
    assert services.purge_outputs(later) == 1 and services.purge_outputs(later) == 0
    name = job.output.name
    job.refresh_from_db()
    assert not job.output and not job.output.storage.exists(name) and job.status == Job.Status.DONE
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
