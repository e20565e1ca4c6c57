from django.conf import settings
from django.db import models
from django.urls import reverse

from postlicense.core.models import AuditedModel, OrgUnit, Region
from postlicense.core.scoping import ScopedQuerySet, ScopePaths


class Submission(AuditedModel):
    """A report submitted upward: the tables as they were computed at submission, frozen (DESIGN "Reporting": the
    snapshot, not a re-query, is what the city sees later). The city returns it with a reason or accepts it; a
    returned report may be submitted again, as a new snapshot."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已报送，待审核"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已接收"

    kind = models.CharField("报表", max_length=40)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="report_submissions", verbose_name="填报单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    part = models.CharField("期间", max_length=2)
    cut = models.DateField("数据截至")
    tables = models.JSONField("报表内容")
    filled_by = models.CharField("填报人", max_length=50)
    checked_by = models.CharField("审核人", max_length=50)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="报送账号"
    )
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核账号",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)
    sources = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="aggregated_into", verbose_name="汇总自"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="org_unit__region", unit="org_unit")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = verbose_name_plural = "报表报送"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "org_unit", "year", "part"],
                condition=models.Q(status__in=["submitted", "accepted"]),
                name="reports_one_live_submission",
            )
        ]

    def __str__(self):
        return f"{self.org_unit} {self.year}{self.part} {self.kind}"

    @property
    def kind_label(self):
        from .kinds import KINDS

        return KINDS[self.kind].label if self.kind in KINDS else self.kind

    @property
    def period_label(self):
        from .periods import Period

        return Period(self.year, self.part).label

    def get_absolute_url(self):
        return reverse("reports:submission_detail", args=[self.pk])


class Metric(models.IntegerChoices):
    """What a completion count counts (reports.counts.SPECS says how each is derived from the records)."""

    ENTERPRISES = 1, "获证企业"
    ENTERED = 2, "列入计划企业"
    REQUIRED = 3, "应检查次数"
    FINISHED = 4, "计划内已完成次数"
    BEHIND = 5, "未完成计划企业"
    INSPECTED = 6, "已检查企业"
    RECORDS = 7, "完成检查"
    FOUND = 8, "发现问题"
    RECTIFIED = 9, "已整改问题"
    ORDERS = 10, "责令改正通知书"
    TESTS = 11, "监督抽检"
    FAILED = 12, "抽检不合格"
    CASES = 13, "移交案件"
    ESCALATIONS = 14, "复查仍存在问题的升级"
    ORDERS_OPEN = 15, "办理中的通知书"
    ORDERS_PERSISTING = 16, "仍存在问题的通知书"
    ORDERS_CLOSED = 17, "已关闭的通知书"
    ORDERS_OVERDUE = 18, "逾期的通知书"


class EnterpriseCount(models.Model):
    """One enterprise's contribution to the completion counts, under the key it had when last counted (its region,
    supervising unit and class then): what reports.counts.settle takes back out of CompletionCount before adding
    the enterprise's contribution as it is now. `year` 0 and no `day`: counted whatever the period (enterprises);
    a year without a day: counted for that year whatever the cut (plan entries); else counted from `day` on."""

    enterprise_id = models.BigIntegerField(db_index=True)  # no foreign key: the row outlives a deleted enterprise
    region_id = models.CharField(max_length=6)
    unit_id = models.BigIntegerField()
    supervision_class = models.CharField(max_length=1)
    year = models.PositiveSmallIntegerField()
    day = models.DateField(null=True)
    metric = models.PositiveSmallIntegerField(choices=Metric.choices)
    n = models.IntegerField()

    def __str__(self):
        return f"{self.enterprise_id} {self.day or self.year} {self.metric}: {self.n}"


class CompletionCount(models.Model):
    """The completion summary's counts per (region, supervising unit, class, year, day, metric), kept equal to the
    sum of EnterpriseCount: rows are appended (a settle adds an enterprise's change as a negative and a positive
    row), readers sum them, and the daily run folds them back into one row per key (reports.counts)."""

    region = models.ForeignKey(Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    supervision_class = models.CharField(max_length=1)
    year = models.PositiveSmallIntegerField()
    day = models.DateField(null=True)
    metric = models.PositiveSmallIntegerField(choices=Metric.choices)
    n = models.IntegerField()

    scope = ScopePaths(region="region", unit="unit")

    class Meta:
        indexes = [models.Index(fields=["region", "year", "day"], name="completion_count_by_region")]

    def __str__(self):
        return (
            f"{self.region_id} {self.unit_id} {self.supervision_class} {self.day or self.year} {self.metric}: {self.n}"
        )


class StaleEnterprise(models.Model):
    """An enterprise whose records (or itself) changed since its completion counts were last settled; written in
    the changing transaction, consumed by reports.counts.settle. Repeats are harmless."""

    enterprise_id = models.BigIntegerField()

    def __str__(self):
        return str(self.enterprise_id)
