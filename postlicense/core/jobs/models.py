from django.conf import settings
from django.db import models
from django.urls import reverse

from postlicense.core.scoping import ScopedQuerySet, ScopePaths


class Job(models.Model):
    """One piece of background work started from a page. Operational bookkeeping, not a domain record:
    the rows a job writes are audited, the job itself is not."""

    class Kind(models.TextChoices):
        IMPORT_ENTERPRISES = "import_enterprises", "导入获证企业及许可证"
        IMPORT_INSPECTORS = "import_inspectors", "导入执法检查人员"
        RANDOMCHECK_FREEZE = "randomcheck_freeze", "双随机：冻结候选名单"
        RANDOMCHECK_DRAW = "randomcheck_draw", "双随机：抽取企业"
        RANDOMCHECK_MATCH = "randomcheck_match", "双随机：匹配检查人员"
        RANDOMCHECK_DISPATCH = "randomcheck_dispatch", "双随机：派发检查表"
        EXPORT_ENTERPRISES = "export_enterprises", "导出获证企业名录"
        EXPORT_INSPECTORS = "export_inspectors", "导出执法检查人员名录"
        RANDOMCHECK_EXPORT = "randomcheck_export", "双随机：导出名单"
        RANDOMCHECK_PRINT = "randomcheck_print", "双随机：批量打印检查记录"
        SELFREPORT_IMPORT = "selfreport_import", "导入企业年度自查报告"

    class Status(models.TextChoices):
        PENDING = "pending", "等待处理"
        RUNNING = "running", "正在运行"
        DONE = "done", "已完成"
        INVALID = "invalid", "校验未通过"
        FAILED = "failed", "运行失败"

    FINISHED = frozenset({Status.DONE, Status.INVALID, Status.FAILED})

    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    input = models.JSONField("输入", default=dict, blank=True)
    file = models.FileField("文件", upload_to="jobs/%Y/%m/", blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    phase = models.CharField("当前步骤", max_length=30, blank=True)
    total = models.PositiveIntegerField("总数", default=0)
    processed = models.PositiveIntegerField("已处理", default=0)
    result = models.JSONField("结果", default=dict, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    message = models.TextField("失败原因", blank=True)
    # What an export or a batch print wrote: the user who started the job downloads it from the job's page.
    output = models.FileField("结果文件", upload_to="jobs/out/%Y/%m/", blank=True)
    output_name = models.CharField("结果文件名", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
    lease_owner = models.CharField("执行进程", max_length=64, blank=True)
    lease_expires_at = models.DateTimeField("租约到期", null=True, blank=True)
    task_id = models.CharField("队列任务编号", max_length=64, blank=True)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries", verbose_name="重试自"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="created_by__org_unit__region", unit="created_by__org_unit")

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "后台任务"
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="core_job_status_lease")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.filename}" if self.filename else self.get_kind_display()

    def get_absolute_url(self):
        from .services import result_page

        name, args = result_page(self)
        return reverse(name, args=args)

    @property
    def finished(self):
        return self.status in self.FINISHED

    @property
    def percent(self):
        return min(100, int(self.processed * 100 / self.total)) if self.total else 0

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.started_at and self.finished_at else None


class WorkerHeartbeat(models.Model):
    """A job worker process says it is alive (/healthz reads the newest)."""

    worker_id = models.CharField("进程编号", max_length=64, unique=True)
    hostname = models.CharField("主机", max_length=100)
    pid = models.PositiveIntegerField("PID")
    started_at = models.DateTimeField("启动时间", auto_now_add=True)
    seen_at = models.DateTimeField("最近心跳", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "任务进程心跳"

    def __str__(self):
        return f"{self.hostname}:{self.pid}"


class DailyRun(models.Model):
    """One scheduled task's run on one day: the unique (date, name) row is the claim that makes it run once."""

    class Status(models.TextChoices):
        RUNNING = "running", "正在运行"
        DONE = "done", "成功"
        FAILED = "failed", "失败"

    date = models.DateField("日期")
    name = models.CharField("任务", max_length=40)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    result = models.TextField("结果", blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    runner = models.CharField("执行进程", max_length=100, blank=True)

    class Meta:
        ordering = ["-date", "name"]
        verbose_name = verbose_name_plural = "每日任务运行"
        constraints = [models.UniqueConstraint(fields=["date", "name"], name="core_dailyrun_once_a_day")]

    def __str__(self):
        return f"{self.date} {self.name}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None
