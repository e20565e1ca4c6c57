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


# --- rectification orders, revisits, escalation (002 第十条; 001 二(三)(四); DESIGN "Follow-up and enforcement") ---

ORDER_SCOPE = dict(
    region="enterprise__region",
    unit="enterprise__supervising_unit",
    inspector_user="revisits__record__inspectors__user",
    enterprise_user="enterprise__accounts__user",
)


def _via(prefix):
    return ScopePaths(**{k: f"{prefix}__{v}" for k, v in ORDER_SCOPE.items()})


class OrderCounter(models.Model):
    """The last number an issuing unit gave in a year: orders are numbered per unit and year without gaps (the row is
    locked while a number is taken, so two issues at once never share or skip a number)."""

    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="签发单位")
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用到的序号", default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="followup_one_counter_per_unit_year")]
        verbose_name = verbose_name_plural = "责令改正通知书编号"

    def __str__(self):
        return f"{self.unit} {self.year} {self.last}"


class RectificationOrder(AuditedModel):
    """责令改正通知书 (限期整改): issued by a unit for the open problems of a finished record, or for plain items with a
    source (a failed test, a review, a linkage notice). Its deadline runs from service (送达)."""

    class Status(models.TextChoices):
        ISSUED = "issued", "已下达"
        REPORTED = "reported", "企业已报告整改"
        AWAITING_REVISIT = "awaiting_revisit", "待复查"
        CLOSED = "closed", "已关闭"
        PERSISTING = "persisting", "仍存在问题"

    OPEN_STATUSES = (Status.ISSUED, Status.REPORTED, Status.AWAITING_REVISIT)

    class Measure(models.TextChoices):
        # 总局后续监管意见 二(三)
        HELP = "help", "帮扶"
        CORRECT = "correct", "限期改正"
        SAMPLING = "sampling", "抽样检验"
        STOPPAGE = "stoppage", "停产整顿"
        PENALTY = "penalty", "行政处罚"
        REFERRAL = "referral", "移送"

    class SourceKind(models.TextChoices):
        INSPECTION = "inspection", "监督检查发现问题"
        TEST = "test", "监督抽查检验不合格"
        REVIEW = "review", "审查发现问题"
        LINKAGE = "linkage", "联动通报"
        REVISIT = "revisit", "复查仍存在问题"

    class Period(models.TextChoices):
        RECTIFICATION = "rectification", "整改期限（检查发现问题）"
        AFTER_TEST = "rectification_after_test", "整改期限（监督抽查不合格）"
        STOPPAGE = "stoppage", "停产整顿期限"

    class ServiceMethod(models.TextChoices):
        DIRECT = "direct", "直接送达"
        LEFT = "left", "留置送达"
        MAIL = "mail", "邮寄送达"
        ELECTRONIC = "electronic", "电子送达"
        ENTRUSTED = "entrusted", "委托送达"

    number = models.CharField("文号", max_length=60, unique=True)
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="签发单位")
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="rectification_orders", verbose_name="企业"
    )
    source_kind = models.CharField("来源", max_length=12, choices=SourceKind.choices)
    source_label = models.CharField("来源说明", max_length=200)
    source_record = models.ForeignKey(
        "inspections.InspectionRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification_orders",
        verbose_name="来源检查记录",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_orders",
        verbose_name="升级自",
        help_text="停产整顿通知书所由升级的责令改正通知书",
    )
    measure = models.CharField("处理措施", max_length=10, choices=Measure.choices, default=Measure.CORRECT)
    legal_basis = models.TextField("法律依据")
    period_key = models.CharField("期限类别", max_length=30, choices=Period.choices, default=Period.RECTIFICATION)
    period_days = models.PositiveSmallIntegerField("整改期限（日）")
    issued_on = models.DateField("签发日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="签发人"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.ISSUED)
    served_on = models.DateField("送达日期", null=True, blank=True)
    service_method = models.CharField("送达方式", max_length=12, choices=ServiceMethod.choices, blank=True)
    receiver = models.CharField("受送达人/签收人", max_length=50, blank=True)
    refused = models.BooleanField("拒绝签收", default=False)
    refusal_note = models.TextField("拒收情况", blank=True, help_text="留置送达：拒收人、时间、见证人")
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="送达人",
    )
    deadline = models.DateField("整改期限", null=True, blank=True)
    deadline_text = models.CharField("整改期限（含依据）", max_length=100, blank=True)
    revisit_due = models.DateField("复查期限", null=True, blank=True)
    revisit_due_text = models.CharField("复查期限（含依据）", max_length=100, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    submission_token = models.UUIDField("提交标识", null=True, blank=True, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**ORDER_SCOPE)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "seq"], name="followup_order_seq_per_unit_year")]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["status", "revisit_due"]),
            models.Index(fields=["status", "issued_on"]),
        ]
        verbose_name = verbose_name_plural = "责令改正通知书"

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def title(self):
        return "停产整顿通知书" if self.measure == self.Measure.STOPPAGE else "责令改正通知书"

    def get_absolute_url(self):
        return reverse("followup:order_detail", args=[self.pk])


class OrderItem(AuditedModel):
    """One item of an order: an open problem of the enterprise, or a plain item from another source."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="items", verbose_name="通知书")
    position = models.PositiveSmallIntegerField("序号")
    problem = models.ForeignKey(
        "inspections.Problem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_items",
        verbose_name="问题",
    )
    description = models.TextField("存在的问题")
    requirement = models.TextField("整改要求", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = _via("order")

    class Meta:
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="followup_item_position")]
        verbose_name = verbose_name_plural = "整改事项"

    def __str__(self):
        return self.description[:40]


class RectificationReport(AuditedModel):
    """企业整改报告: uploaded by the enterprise's user, or entered by staff from the paper report."""

    order = models.ForeignKey(
        RectificationOrder, on_delete=models.CASCADE, related_name="reports", verbose_name="通知书"
    )
    text = models.TextField("整改情况")
    completed_on = models.DateField("整改完成日期")
    from_paper = models.BooleanField("据纸质报告录入", default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提交人"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    submission_token = models.UUIDField("提交标识", null=True, blank=True, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = _via("order")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = verbose_name_plural = "整改报告"

    def __str__(self):
        return f"{self.order} 整改报告"


class ReportAttachment(AuditedModel):
    """A photo or PDF of a rectification report, checked by content like an inspection attachment."""

    report = models.ForeignKey(
        RectificationReport, on_delete=models.CASCADE, related_name="attachments", verbose_name="整改报告"
    )
    file = models.FileField("文件", upload_to="followup/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)

    objects = ScopedQuerySet.as_manager()
    scope = _via("report__order")

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "整改报告附件"

    def __str__(self):
        return self.original_name


class Revisit(AuditedModel):
    """回访/复查: the inspection record (kind revisit) dispatched for an order, re-answering its failed items."""

    class Outcome(models.TextChoices):
        CORRECTED = "corrected", "已整改"
        PERSISTING = "persisting", "仍存在问题"

    order = models.ForeignKey(
        RectificationOrder, on_delete=models.PROTECT, related_name="revisits", verbose_name="通知书"
    )
    record = models.OneToOneField(
        "inspections.InspectionRecord", on_delete=models.PROTECT, related_name="revisit", verbose_name="复查记录"
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="派发人"
    )
    dispatched_at = models.DateTimeField("派发时间", auto_now_add=True)
    outcome = models.CharField("复查结果", max_length=12, choices=Outcome.choices, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        region="order__enterprise__region",
        unit="order__enterprise__supervising_unit",
        inspector_user="record__inspectors__user",
        enterprise_user="order__enterprise__accounts__user",
    )

    class Meta:
        ordering = ["-dispatched_at", "-id"]
        verbose_name = verbose_name_plural = "回访/复查"

    def __str__(self):
        return f"{self.order} 复查"

    def get_absolute_url(self):
        return reverse("followup:revisit_detail", args=[self.pk])


class Escalation(AuditedModel):
    """A step the system proposes on an order (停产整顿, then a revocation proposal) and a person confirms or
    dismisses with a reason: nothing escalates silently (总局后续监管意见 二(三)(四))."""

    class Kind(models.TextChoices):
        STOPPAGE = "stoppage", "责令停产整顿"
        REVOCATION = "revocation", "提请吊销生产许可证"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待确认"
        CONFIRMED = "confirmed", "已确认"
        DISMISSED = "dismissed", "不予升级"

    order = models.ForeignKey(
        RectificationOrder, on_delete=models.PROTECT, related_name="escalations", verbose_name="通知书"
    )
    kind = models.CharField("升级措施", max_length=12, choices=Kind.choices)
    facts = models.TextField("系统提出的事实")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    reason = models.TextField("确认理由", blank=True)
    result_order = models.ForeignKey(
        RectificationOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="停产整顿通知书",
    )
    proposal = models.ForeignKey(
        LicenseDecisionProposal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name="许可处理建议",
    )

    objects = ScopedQuerySet.as_manager()
    scope = _via("order")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=models.Q(status="proposed"),
                name="followup_one_open_escalation_per_order_kind",
            )
        ]
        verbose_name = verbose_name_plural = "升级建议"

    def __str__(self):
        return f"{self.order} {self.get_kind_display()}"
