"""Enterprise self-service (DESIGN "Enterprise self-service"; 001 二(二); 002 第二十、二十一条): enterprise logins,
the annual self-report (年度自查报告) and its review, the 年度检查合格 stamp on each license, late-filing permissions,
register correction requests, and feedback on inspectors' conduct (seen by the city only)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from postlicense.core.models import AuditedModel
from postlicense.core.scoping import ScopedQuerySet, ScopePaths
from postlicense.inspections.models import InspectionRecord
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise, License

ENTERPRISE_SCOPE = dict(
    region="enterprise__region", unit="enterprise__supervising_unit", enterprise_user="enterprise__accounts__user"
)
USER = settings.AUTH_USER_MODEL


class AccountProfile(AuditedModel):
    """What the county records about an enterprise login beside registry.EnterpriseAccount (the link that scopes
    every enterprise user to its enterprise): the person's position, whether they are the legal representative, and
    whether they must set their own password at the next login (a new account, or a reset by county staff)."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="selfservice_profile", verbose_name="用户")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="login_profiles", verbose_name="企业"
    )
    position = models.CharField("职务", max_length=50, blank=True)
    is_legal_representative = models.BooleanField("法定代表人", default=False)
    must_change_password = models.BooleanField("须修改初始密码", default=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="开通人")
    created_at = models.DateTimeField("开通时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**ENTERPRISE_SCOPE)

    class Meta:
        ordering = ["enterprise", "user__username"]
        verbose_name = verbose_name_plural = "企业登录账号"

    def __str__(self):
        return f"{self.user.username}（{self.enterprise}）"


class SelfReport(AuditedModel):
    """年度自查报告 for one year, one per enterprise and year (a correction is an Amendment keeping the original)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审查"
        RETURNED = "returned", "已退回修改"
        QUALIFIED = "qualified", "审查合格"
        PROBLEMS = "problems", "发现问题（实地检查）"

    class Source(models.TextChoices):
        PORTAL = "portal", "企业在线填报"
        IMPORT = "import", "国家企业信用信息公示系统导入"

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    FILED = (Status.SUBMITTED, Status.QUALIFIED, Status.PROBLEMS)

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="self_reports", verbose_name="企业"
    )
    year = models.PositiveSmallIntegerField("报告年度")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.PORTAL)
    source_file = models.CharField("导入文件", max_length=200, blank=True)
    content = models.JSONField("报告内容", default=dict, blank=True)
    declarant = models.CharField("声明人", max_length=50, blank=True)
    declarant_position = models.CharField("声明人职务", max_length=50, blank=True)
    revision = models.PositiveIntegerField("草稿版本", default=0)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="提交人"
    )
    late_permission = models.ForeignKey(
        "LateFilingPermission",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="逾期补报许可",
    )
    reviewed_at = models.DateTimeField("审查时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="审查人"
    )
    review_note = models.TextField("审查意见", blank=True)
    inspection = models.ForeignKey(
        InspectionRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="实地检查记录",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # an inspector reads the reports of the enterprises they inspected (the quality archive links to them)
    scope = ScopePaths(**ENTERPRISE_SCOPE, inspector_user="enterprise__inspections__inspectors__user")

    class Meta:
        ordering = ["-year", "enterprise"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="selfservice_one_report_a_year"),
        ]
        indexes = [models.Index(fields=["year", "status"])]
        verbose_name = verbose_name_plural = "年度自查报告"

    def __str__(self):
        return f"{self.enterprise} {self.year}年度自查报告"

    def get_absolute_url(self):
        return reverse("selfservice:report", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_filed(self):
        return self.status in self.FILED


class Amendment(AuditedModel):
    """A correction of a filed report: the reason and the content before and after (the original is kept)."""

    report = models.ForeignKey(SelfReport, on_delete=models.CASCADE, related_name="amendments", verbose_name="报告")
    reason = models.TextField("更正原因")
    before = models.JSONField("更正前")
    after = models.JSONField("更正后")
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="更正人")
    at = models.DateTimeField("更正时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**{k: f"report__{v}" for k, v in ENTERPRISE_SCOPE.items()})

    class Meta:
        ordering = ["at"]
        verbose_name = verbose_name_plural = "自查报告更正"

    def __str__(self):
        return f"{self.report} 更正"


class LateFilingPermission(AuditedModel):
    """A county's permission to file a year's report after the window (逾期补报), with its reason."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="late_filing_permissions", verbose_name="企业"
    )
    year = models.PositiveSmallIntegerField("报告年度")
    reason = models.TextField("准予补报理由")
    until = models.DateField("补报截止日")
    granted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="批准人")
    granted_at = models.DateTimeField("批准时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**ENTERPRISE_SCOPE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="selfservice_one_permission")]
        verbose_name = verbose_name_plural = "逾期补报许可"

    def __str__(self):
        return f"{self.enterprise} {self.year}年度 准予补报至 {self.until}"


class AnnualReviewStamp(AuditedModel):
    """年度检查合格 on one license (001 二(二)): the year, the review date and the reviewer."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="annual_stamps", verbose_name="许可证")
    report = models.ForeignKey(SelfReport, on_delete=models.PROTECT, related_name="stamps", verbose_name="自查报告")
    year = models.PositiveSmallIntegerField("年度")
    date = models.DateField("审查日期")
    reviewer = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="审查人")

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**{k: f"license__{v}" for k, v in ENTERPRISE_SCOPE.items()})

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["license", "year"], name="selfservice_one_stamp_a_year")]
        verbose_name = verbose_name_plural = "年度检查合格"

    def __str__(self):
        return f"{self.license} {self.year}年度检查合格"


class CorrectionRequest(AuditedModel):
    """An enterprise's message that its register entry is wrong; it lands in the county's to-do list."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        DONE = "done", "已处理"

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="correction_requests", verbose_name="企业"
    )
    message = models.TextField("需更正的内容")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField("处理说明", blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="提出人")
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    handled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="处理人"
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**ENTERPRISE_SCOPE)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "企业信息更正申请"

    def __str__(self):
        return f"{self.enterprise} 更正申请"


class Feedback(AuditedModel):
    """执法行为反馈 (002 第二十、二十一条) on one inspector of one finished record. Seen by the enterprise and the city
    only: the scope gives bureau users nothing (selectors.feedback_for_city adds the city admins), so county staff,
    the inspector's unit and the inspector never reach it."""

    class Category(models.TextChoices):
        FEES = "fees", "收取费用"
        GIFTS = "gifts", "索取、收受财物或谋取不当利益"
        DISRUPTED = "disrupted", "影响企业正常生产经营"
        OTHER = "other", "其他违反工作纪律的行为"

    class Status(models.TextChoices):
        RECEIVED = "received", "待受理"
        ACKNOWLEDGED = "acknowledged", "已受理"
        CONCLUDED = "concluded", "已办结"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name="企业")
    record = models.ForeignKey(InspectionRecord, on_delete=models.PROTECT, related_name="+", verbose_name="检查记录")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="+", verbose_name="检查人员")
    categories = models.JSONField("反映事项", default=list)
    text = models.TextField("具体情况")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECEIVED)
    submitted_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="反映人"
    )
    submitted_at = models.DateTimeField("反映时间", auto_now_add=True)
    ack_due = models.DateField("受理期限")
    ack_due_text = models.CharField("受理期限（依据）", max_length=100)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="受理人"
    )
    acknowledged_at = models.DateTimeField("受理时间", null=True, blank=True)
    substantiated = models.BooleanField("反映属实", null=True, blank=True)
    action = models.TextField("处理结果", blank=True)
    concluded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="办结人"
    )
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(enterprise_user="enterprise__accounts__user")

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "ack_due"])]
        verbose_name = verbose_name_plural = "执法行为反馈"

    def __str__(self):
        return f"{self.enterprise} 对 {self.inspector} 的反馈"

    def category_labels(self):
        return "、".join(self.Category(c).label for c in self.categories)


class Attachment(AuditedModel):
    """A file attached to a self-report or to a feedback, its type checked from its content."""

    report = models.ForeignKey(
        SelfReport, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments", verbose_name="报告"
    )
    feedback = models.ForeignKey(
        Feedback, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments", verbose_name="反馈"
    )
    file = models.FileField("文件", upload_to="selfservice/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        region="report__enterprise__region",
        unit="report__enterprise__supervising_unit",
        enterprise_user="report__enterprise__accounts__user",
    )

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, feedback__isnull=True)
                | Q(report__isnull=True, feedback__isnull=False),
                name="selfservice_attachment_of_one",
            )
        ]
        verbose_name = verbose_name_plural = "附件"

    def __str__(self):
        return self.name
