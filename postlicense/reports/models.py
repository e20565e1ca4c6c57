from django.conf import settings
from django.db import models
from django.urls import reverse

from postlicense.core.models import AuditedModel, OrgUnit
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
