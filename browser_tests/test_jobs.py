"""Background jobs as a user sees them (issue 12 §4), on a phone (375 px): the bar moves while the job runs and
the result replaces it; a failed job says why and 重试 starts a new job; the jobs list and the daily-run page fit."""

from django.core.files.base import ContentFile
from django.utils import timezone

from postlicense.core.jobs.models import Job
from postlicense.core.jobs.scheduler import run_daily
from postlicense.core.models import User


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_progress_updates_then_the_result_and_a_failed_job_is_retried(phone_page, login, shot, settings, tmp_path):
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "anchors.jsonl")
    user = login(phone_page, User.Role.CITY_ADMIN, "xuchang", display_name="王五")
    running = Job.objects.create(
        kind=Job.Kind.IMPORT_INSPECTORS,
        filename="执法人员（第二批）.xlsx",
        created_by=user,
        status="running",
        phase="正在校验",
        total=400,
        processed=100,
    )
    phone_page.goto(f"/jobs/{running.pk}/")
    phone_page.locator('progress[value="25"]').wait_for()
    shot(phone_page, "375/job-running")
    Job.objects.filter(pk=running.pk).update(processed=300, phase="正在导入")
    phone_page.locator('progress[value="75"]').wait_for()
    assert "正在导入" in phone_page.inner_text("#job")
    Job.objects.filter(pk=running.pk).update(status="done", processed=400, finished_at=timezone.now())
    phone_page.get_by_text("已完成").first.wait_for()
    assert phone_page.locator("progress").count() == 0 and _fits(phone_page)

    failed = Job.objects.create(
        kind=Job.Kind.IMPORT_ENTERPRISES,
        filename="获证企业名录（第一批）.xlsx",
        created_by=user,
        status="failed",
        message="导入中断：已写入前 1000 条记录，其余未写入（磁盘已满）。点击“重试”或重新导入同一文件即可补全。",
    )
    failed.file.save("名录.xlsx", ContentFile(b"PK"))
    phone_page.goto(f"/jobs/{failed.pk}/")
    assert "磁盘已满" in phone_page.inner_text(".form-error") and _fits(phone_page)
    shot(phone_page, "375/job-failed")
    phone_page.get_by_role("button", name="重试").click()
    again = Job.objects.get(retry_of=failed)
    phone_page.wait_for_url(f"**/registry/import-jobs/{again.pk}/")
    assert "等待处理" in phone_page.inner_text("#job") and f"第 {failed.pk} 号任务" in phone_page.inner_text("#job")

    run_daily()
    for url, name in (("/jobs/", "375/jobs"), ("/jobs/daily/", "375/jobs-daily")):
        phone_page.goto(url)
        assert _fits(phone_page), url
        shot(phone_page, name)
    assert "审计链锚定" in phone_page.inner_text("main")
