"""A random check's large exports and the batch print of its finished records run as background jobs
(issue 12 §2c): the file is downloaded from the job's page by the user who asked."""

import io
import re

import pytest

from postlicense.core.jobs import services
from postlicense.core.jobs.models import Job
from postlicense.core.jobs.tasks import run_job
from postlicense.core.models import User
from postlicense.inspections import printing
from postlicense.inspections.models import InspectionRecord

from .factories import published_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


def test_a_large_draw_list_export_is_a_job(client, admin, settings, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    task = published_task(admin)
    settings.JOBS = {**settings.JOBS, "EXPORT_ROWS": 2}
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/random-checks/{task.pk}/export/draw.xlsx")
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/" and job.kind == Job.Kind.RANDOMCHECK_EXPORT
    assert run_job.call(job.pk) == Job.Status.DONE
    job.refresh_from_db()
    content = client.get(f"/jobs/{job.pk}/download/").content
    rows = list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == task.drawn.count() == job.total


def _run_without_heartbeat(job):
    """PDFs take seconds: a heartbeat thread would write to the test database beside the test's connection."""
    return services.execute(job.pk, heartbeat=False).status


def _pages(pdf):
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_printing_the_tasks_finished_records_is_one_pdf_job(client, admin, django_capture_on_commit_callbacks):
    task = published_task(admin)
    finished = list(
        InspectionRecord.objects.filter(random_draw__task=task, status=InspectionRecord.Status.FINISHED).order_by("id")
    )
    assert len(finished) >= 2
    client.force_login(admin)
    assert f"/random-checks/{task.pk}/print-records/" in client.get(f"/random-checks/{task.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/random-checks/{task.pk}/print-records/")
        again = client.post(f"/random-checks/{task.pk}/print-records/")
    job = Job.objects.get()
    assert first.url == again.url == f"/jobs/{job.pk}/", "a double click queues one job"
    assert _run_without_heartbeat(job) == Job.Status.DONE
    job.refresh_from_db()
    assert job.result == {"rows": len(finished)} and job.output_name.endswith(f"检查记录（{len(finished)} 份）.pdf")
    pdf = client.get(f"/jobs/{job.pk}/download/").content
    assert pdf.startswith(b"%PDF") and _pages(pdf) == len(finished) * _pages(printing.pdf(finished[0]))


def test_a_large_batch_print_is_a_zip_of_pdfs_of_a_bounded_number_of_records(client, admin, monkeypatch):
    import zipfile

    from postlicense.randomcheck import jobs

    monkeypatch.setattr(jobs, "PRINT_PART_RECORDS", 2)
    task = published_task(admin)
    finished = InspectionRecord.objects.filter(random_draw__task=task, status=InspectionRecord.Status.FINISHED)
    client.force_login(admin)
    client.post(f"/random-checks/{task.pk}/print-records/")
    job = Job.objects.get()
    assert _run_without_heartbeat(job) == Job.Status.DONE
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/jobs/{job.pk}/download/").content))
    names = archive.namelist()
    n = finished.count()
    assert (
        len(names) == (n + 1) // 2 and names[0].endswith("（第 1–2 份）.pdf") and names[-1].endswith(f"–{n} 份）.pdf")
    )
    one = _pages(printing.pdf(finished.first()))
    assert sum(_pages(archive.read(name)) for name in names) == n * one


def test_printing_a_task_without_finished_records_fails_with_a_reason(client, admin):
    task = published_task(admin)
    InspectionRecord.objects.filter(random_draw__task=task).update(status=InspectionRecord.Status.ASSIGNED)
    client.force_login(admin)
    client.post(f"/random-checks/{task.pk}/print-records/")
    job = Job.objects.get()
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "没有已完成的检查记录" in job.message


def test_printing_is_a_post_and_scoped(client, admin, make_user):
    task = published_task(admin)
    client.force_login(admin)
    assert client.get(f"/random-checks/{task.pk}/print-records/").status_code == 405
    client.force_login(make_user(User.Role.CITY_ADMIN, "binhai"))
    assert client.post(f"/random-checks/{task.pk}/print-records/").status_code == 404
