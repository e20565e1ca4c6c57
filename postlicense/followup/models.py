from django.conf import settings
from django.db import models
from django.urls import reverse

from postlicense.core.models import AuditedModel
from postlicense.core.scoping import ScopedQuerySet, ScopePaths
from postlicense.registry.models import License


class LicenseDecisionProposal(AuditedModel):
    """A proposal to 撤销/撤回/吊销/注销 a license (002 第十四条: the issuing authority decides). Drafted by the system
    for the candidates DESIGN names, or by staff; confirmed by the county, forwarded by the city; the decision received
    from the issuing authority is recorded on it. A license's status changes only through such a decision."""

    class Kind(models.TextChoices):
        RESCIND = "rescind", "撤销"
        WITHDRAW = "withdraw", "撤回"
        REVOKE = "revoke", "吊销"
        CANCEL = "cancel", "注销"

    class Ground(models.TextChoices):
        STOPPED_PRODUCTION = "stopped_production", "企业停止生产（条例 第三十一条）"
        UNMARKED = "unmarked", "未标注生产许可证标志和编号，情节严重（条例 第四十七条）"
        LENT = "lent", "出租、出借或者转让许可证证书、标志和编号（条例 第四十九条）"
        FRAUD = "fraud", "以欺骗、贿赂等不正当手段取得生产许可证（条例 第五十二条）"
        FAILED_RECHECK = "failed_recheck", "监督抽查不合格，整改后复查仍不合格（条例 第五十四条）"
        PERSISTING = "persisting", "停产整顿后仍不具备生产许可条件（总局后续监管意见 二(四)）"
        EXPIRED = "expired", "有效期届满未申请延续（行政许可法 第七十条）"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待县局确认"
        CONFIRMED = "confirmed", "待市局转报"
        FORWARDED = "forwarded", "已转报，待许可机关决定"
        DECIDED = "decided", "已决定"
        DISMISSED = "dismissed", "不予提请"

    license = models.ForeignKey(
        License, on_delete=models.PROTECT, related_name="decision_proposals", verbose_name="许可证"
    )
    kind = models.CharField("建议处理", max_length=10, choices=Kind.choices)
    ground = models.CharField("事由", max_length=30, choices=Ground.choices)
    facts = models.TextField("事实与理由")
    source = models.CharField("来源", max_length=200, blank=True, help_text="如：复查仍存在问题、有效期届满")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="提出人",
        help_text="为空表示系统根据规则自动提出",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        region="license__enterprise__region",
        unit="license__enterprise__supervising_unit",
        enterprise_user="license__enterprise__accounts__user",
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = verbose_name_plural = "许可处理建议"
        constraints = [
            # one open proposal per license and kind: the system's daily candidate search cannot draft it twice
            models.UniqueConstraint(
                fields=["license", "kind"],
                condition=models.Q(status__in=["proposed", "confirmed", "forwarded"]),
                name="followup_one_open_proposal_per_license_kind",
            )
        ]

    def __str__(self):
        return f"{self.license.number} {self.get_kind_display()}建议"

    def get_absolute_url(self):
        return reverse("followup:proposal_detail", args=[self.pk])
