from dataclasses import replace

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse

from postlicense.core.models import AuditedModel, enterprise_region_copy
from postlicense.core.scoping import ScopedQuerySet, ScopePaths
from postlicense.inspections.models import Problem
from postlicense.registry.models import Enterprise, License


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

    class Outcome(models.TextChoices):
        AS_PROPOSED = "granted", "依建议作出决定"
        NOT_TAKEN = "refused", "许可机关不予作出"

    # the license status a decision as proposed sets (条例: the issuing authority decides, 002 第十四条)
    LICENSE_STATUS = {
        Kind.RESCIND: License.Status.RESCINDED,
        Kind.WITHDRAW: License.Status.WITHDRAWN,
        Kind.REVOKE: License.Status.REVOKED,
        Kind.CANCEL: License.Status.CANCELLED,
    }

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
    confirm_due = models.DateField("县局确认期限", null=True, blank=True)
    confirm_due_text = models.CharField("县局确认期限（依据）", max_length=100, blank=True)
    confirmed_at = models.DateTimeField("县局确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="县局确认人",
    )
    confirm_note = models.TextField("县局确认意见", blank=True)
    forwarded_at = models.DateTimeField("市局转报时间", null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="市局转报人",
    )
    forward_note = models.TextField("转报说明", blank=True)
    dismissed_at = models.DateTimeField("不予提请时间", null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="不予提请决定人",
    )
    dismiss_reason = models.TextField("不予提请理由", blank=True)
    decision_number = models.CharField("决定文号", max_length=100, blank=True)
    decision_date = models.DateField("决定日期", null=True, blank=True)
    decision_outcome = models.CharField("决定结果", max_length=10, choices=Outcome.choices, blank=True)
    decision_authority = models.CharField("作出决定的机关", max_length=100, blank=True)
    decision_note = models.TextField("决定内容摘要", blank=True)
    decision_recorded_at = models.DateTimeField("决定录入时间", null=True, blank=True)
    decision_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="决定录入人",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        region="license__enterprise__region",
        unit="license__enterprise__supervising_unit",
        inspector_user="license__enterprise__inspections__inspectors__user",
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

    @property
    def enterprise(self):
        return self.license.enterprise

    @property
    def is_open(self):
        return self.status in (self.Status.PROPOSED, self.Status.CONFIRMED, self.Status.FORWARDED)


# an inspector reads the follow-up of the enterprises they inspected (the quality archive links to it)
ENTERPRISE_SCOPE = dict(
    region="enterprise__region",
    unit="enterprise__supervising_unit",
    inspector_user="enterprise__inspections__inspectors__user",
    enterprise_user="enterprise__accounts__user",
)


class Interview(AuditedModel):
    """约谈 (002 第十二条): the legal representative (or a proxy with a letter of authorisation) is interviewed by at
    least two officials about the linked problems; the record and the commitments are printed as a 约谈笔录."""

    class Status(models.TextChoices):
        NOTIFIED = "notified", "已通知"
        HELD = "held", "已约谈"
        REFUSED = "refused", "拒不到场"

    class Attendee(models.TextChoices):
        LEGAL_REP = "legal_rep", "法定代表人"
        PROXY = "proxy", "委托代理人"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="interviews", verbose_name="企业")
    reason = models.TextField("约谈事由")
    problems = models.ManyToManyField(Problem, blank=True, related_name="interviews", verbose_name="涉及的问题")
    notice_date = models.DateField("通知日期")
    scheduled_at = models.DateTimeField("约谈时间")
    place = models.CharField("约谈地点", max_length=200)
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="interviews", verbose_name="约谈人员", help_text="至少两名执法人员"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.NOTIFIED)
    attendee_kind = models.CharField("被约谈人身份", max_length=10, choices=Attendee.choices, blank=True)
    attendee_name = models.CharField("被约谈人", max_length=50, blank=True)
    attendee_position = models.CharField("职务", max_length=50, blank=True)
    authorisation = models.FileField("授权委托书", upload_to="followup/authorisations/%Y/%m/", blank=True)
    record = models.TextField("约谈记录", blank=True, help_text="每段以“问：”或“答：”开头，一问一答依次记录")
    attendee_signed = models.BooleanField("被约谈人已签字确认", default=False)
    refusal_note = models.TextField("拒不到场情况说明", blank=True)
    held_at = models.DateTimeField("记录时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="记录人",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="通知人",
    )
    created_at = models.DateTimeField("通知登记时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**ENTERPRISE_SCOPE)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = verbose_name_plural = "约谈"

    def __str__(self):
        return f"约谈 {self.enterprise.name} {self.scheduled_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("followup:interview_detail", args=[self.pk])


class InterviewCommitment(AuditedModel):
    """A commitment the enterprise made at the interview, with its deadline (interview_commitment by default)."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="commitments", verbose_name="约谈")
    content = models.TextField("承诺事项")
    due = models.DateField("完成期限")
    due_text = models.CharField("完成期限（依据）", max_length=100)
    fulfilled_at = models.DateTimeField("确认完成时间", null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )
    fulfilled_note = models.TextField("完成情况", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**{k: f"interview__{v}" for k, v in ENTERPRISE_SCOPE.items()})

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["fulfilled_at", "due"])]
        verbose_name = verbose_name_plural = "约谈承诺事项"

    def __str__(self):
        return self.content[:40]

    def get_absolute_url(self):
        return self.interview.get_absolute_url()


http_url = URLValidator(schemes=["http", "https"], message="请输入以 http:// 或 https:// 开头的有效网址。")


class Case(AuditedModel):
    """案件线索与移送 (002 第十一条): a tracker of the clue, the 立案 decision and the penalty decision, linking to the
    case system (it is not a case system)."""

    class Receiver(models.TextChoices):
        CASE_UNIT = "case_unit", "本局案件办理机构"
        OTHER_AGENCY = "other_agency", "其他部门（移送）"

    class Outcome(models.TextChoices):
        PENALTY = "penalty", "作出行政处罚"
        NO_PENALTY = "no_penalty", "不予行政处罚"
        NOT_FILED = "not_filed", "不予立案"
        TRANSFERRED = "transferred", "移送其他机关处理"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="cases", verbose_name="企业")
    problems = models.ManyToManyField(Problem, blank=True, related_name="cases", verbose_name="涉及的问题")
    clue = models.TextField("案件线索")
    discovered_on = models.DateField("发现线索日期")
    receiver_kind = models.CharField("移交对象", max_length=15, choices=Receiver.choices)
    receiver = models.CharField("接收单位", max_length=100)
    referred_on = models.DateField("移交/移送日期")
    filing_due = models.DateField("立案期限")
    filing_due_text = models.CharField("立案期限（依据）", max_length=100)
    filing_extension_reason = models.TextField("立案期限延长理由", blank=True)
    filed_on = models.DateField("立案日期", null=True, blank=True)
    case_number = models.CharField("案号", max_length=100, blank=True)
    decision_due = models.DateField("处罚决定期限", null=True, blank=True)
    decision_due_text = models.CharField("处罚决定期限（依据）", max_length=100, blank=True)
    decision_extension_reason = models.TextField("处罚决定期限延长理由（经批准）", blank=True)
    suspended_days = models.PositiveIntegerField(
        "不计入期限的天数", default=0, help_text="检测、检验、检疫、鉴定、听证等期间（日）"
    )
    suspension_note = models.TextField("不计入期限的事由", blank=True)
    decided_on = models.DateField("结案/决定日期", null=True, blank=True)
    outcome = models.CharField("处理结果", max_length=15, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("处理结果说明", blank=True)
    link = models.CharField("案件系统链接", max_length=500, blank=True, validators=[http_url])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**ENTERPRISE_SCOPE)

    class Meta:
        ordering = ["-discovered_on", "-id"]
        indexes = [models.Index(fields=["filing_due"]), models.Index(fields=["decision_due"])]
        verbose_name = verbose_name_plural = "案件线索"

    def __str__(self):
        return f"{self.enterprise.name} 案件线索（{self.discovered_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("followup:case_detail", args=[self.pk])

    @property
    def stage(self):
        if self.outcome:
            return self.get_outcome_display()
        return "已立案，待处罚决定" if self.filed_on else "待立案"


# --- rectification orders, revisits, escalation (002 第十条; 001 二(三)(四); DESIGN "Follow-up and enforcement") ---

ORDER_SCOPE = dict(
    region="region",  # the enterprise's, copied onto the order (RectificationOrder.region)
    unit="supervising_unit",
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
        SELF_REPORT = "self_report", "未按时提交年度自查报告"

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
    # The enterprise's region and supervising unit, copied when the order is issued and kept true by the register's
    # enterprises_moved hook (FollowupConfig), so lists and counts are scoped and grouped without joining the
    # register; the county of the enterprise sees the order whoever issued it.
    region = enterprise_region_copy()
    supervising_unit = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name="企业监管单位",
    )

    audit_exclude = frozenset({"region_id", "supervising_unit_id"})  # copies of the register's
    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**ORDER_SCOPE)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "seq"], name="followup_order_seq_per_unit_year")]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["status", "revisit_due"]),
            models.Index(fields=["status", "issued_on"]),
            # the to-do's and 各县逾期情况's aggregates and the keys of its first items, over the orders not closed: a
            # range of region codes (the scope's LIKE 'prefix%', hence the pattern operator class) carrying every column
            # they read or sort by (the id too), so the scan is index-only and touches only the area's open orders
            models.Index(
                fields=["region"],
                opclasses=["varchar_pattern_ops"],
                include=["id", "supervising_unit", "status", "served_on", "deadline", "revisit_due", "issued_on"],
                name="order_open_by_region",
                condition=models.Q(status__in=["issued", "reported", "awaiting_revisit", "persisting"]),
            ),
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

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:  # a new row, also one copied from another (pk set to None)
            self.region_id, self.supervising_unit_id = self.enterprise.region_id, self.enterprise.supervising_unit_id
        super().save(*args, **kwargs)

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
        region="order__region",
        unit="order__supervising_unit",
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
    # the order's copy of the enterprise's region (FollowupConfig.enterprises_moved keeps it true): the to-do counts
    # a county's proposals to confirm from escalation_proposed without reading the orders
    region = enterprise_region_copy()

    audit_exclude = frozenset({"region_id"})
    objects = ScopedQuerySet.as_manager()
    scope = replace(_via("order"), region="region")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=models.Q(status="proposed"),
                name="followup_one_open_escalation_per_order_kind",
            )
        ]
        # the to-do's proposals to confirm, by region (the scope's LIKE 'prefix%'), oldest first
        indexes = [
            models.Index(
                fields=["region", "proposed_at", "id"],
                opclasses=["varchar_pattern_ops", "", ""],
                name="escalation_proposed",
                condition=models.Q(status="proposed"),
            )
        ]
        verbose_name = verbose_name_plural = "升级建议"

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:  # a new row, also one copied from another (pk set to None)
            self.region_id = self.order.region_id
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.order} {self.get_kind_display()}"
