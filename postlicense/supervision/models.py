"""Supervision testing (监督检验), complaints and linkage notices (DESIGN "Supervision testing", "Triggers,
complaints and linkage"; seeds 002 第七条、第十五至十八条, 001 二(六)).

A TestOrder carries the whole chain: ordered → sampled (抽样单) or 抽样未果 → sent to a lab → received → report →
enterprise notified → 复检 requested or window passed → handled. Each step's due date is stored when the event it
runs from is recorded (core.deadlines); overdue is a query on those dates. There is no fee field anywhere: testing is
free to the enterprise (002 第十七条).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from postlicense.core.models import AuditedModel, OrgUnit, Region
from postlicense.core.scoping import ScopedQuerySet, ScopePaths
from postlicense.inspections.models import InspectionRecord
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise, License, ProductCategory

ENTERPRISE_SCOPE = dict(
    region="enterprise__region",
    unit="enterprise__supervising_unit",
    enterprise_user="enterprise__accounts__user",
)


class HazardLevel(models.TextChoices):
    GENERAL = "general", "一般"
    MAJOR = "major", "较大"
    SERIOUS = "serious", "严重"


class TestingLab(AuditedModel):
    """有资质的检验机构 (002 第十七条), kept by the city: its qualification and the product categories it may test."""

    __test__ = False  # not a pytest test class, whatever its name

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="登记地市")
    name = models.CharField("检验机构名称", max_length=200)
    qualification_no = models.CharField("资质证书编号", max_length=60)
    qualification_valid_from = models.DateField("资质有效期起", null=True, blank=True)
    qualification_valid_until = models.DateField("资质有效期至")
    address = models.CharField("地址", max_length=200, blank=True)
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    categories = models.ManyToManyField(
        ProductCategory, through="LabScope", related_name="labs", verbose_name="检验范围（产品类别）"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)  # a lab's qualification is public; a city edits its own (views)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "qualification_no"], name="unique_lab_per_city")]
        verbose_name = verbose_name_plural = "检验机构"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("supervision:lab_detail", args=[self.pk])

    def qualified_on(self, day):
        return (
            self.qualification_valid_from is None or self.qualification_valid_from <= day
        ) and day <= self.qualification_valid_until


class LabScope(AuditedModel):
    """One product category a lab may test, with its own report period (工作日) where it differs from lab_report."""

    lab = models.ForeignKey(TestingLab, on_delete=models.CASCADE, related_name="scopes", verbose_name="检验机构")
    product_category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="+", verbose_name="产品类别"
    )
    report_days = models.PositiveSmallIntegerField(
        "检验报告期限（工作日）", null=True, blank=True, help_text="留空：按期限设置中的“检验报告期限”"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)

    class Meta:
        ordering = ["product_category__code"]
        constraints = [models.UniqueConstraint(fields=["lab", "product_category"], name="unique_lab_scope")]
        verbose_name = verbose_name_plural = "检验范围"

    def __str__(self):
        return f"{self.lab} · {self.product_category}"


class LinkageNotice(AuditedModel):
    """通报 (001 二(六)): a license-review problem or a national/provincial sampling failure listing enterprises."""

    class Source(models.TextChoices):
        LICENSE_REVIEW = "license_review", "许可审查发现问题"
        NATIONAL_SAMPLING = "national_sampling", "国家监督抽查不合格"
        PROVINCIAL_SAMPLING = "provincial_sampling", "省级监督抽查不合格"

    SAMPLING_SOURCES = (Source.NATIONAL_SAMPLING, Source.PROVINCIAL_SAMPLING)

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="接收地市")
    source = models.CharField("通报来源", max_length=20, choices=Source.choices)
    doc_no = models.CharField("通报文号", max_length=100)
    doc_date = models.DateField("通报日期")
    received_date = models.DateField("收到日期")
    product = models.CharField("产品", max_length=100)
    failed_items = models.TextField("不合格项目/问题", blank=True)
    submission_token = models.UUIDField("提交标识", null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="region")

    class Meta:
        ordering = ["-received_date", "-id"]
        verbose_name = verbose_name_plural = "通报"

    def __str__(self):
        return f"{self.doc_no}（{self.get_source_display()}）"

    def get_absolute_url(self):
        return reverse("supervision:notice_detail", args=[self.pk])


class NoticeEntry(AuditedModel):
    """One enterprise a notice lists. Matched: a targeted special inspection. Unmatched: a lead of possible
    unlicensed production (003 七(五), 004 六) that a county works through (assign, conclude with a note)."""

    notice = models.ForeignKey(LinkageNotice, on_delete=models.CASCADE, related_name="entries", verbose_name="通报")
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    enterprise_name = models.CharField("企业名称（通报所列）", max_length=200, blank=True)
    product = models.CharField("产品", max_length=100, blank=True)
    failed_items = models.TextField("不合格项目/问题", blank=True)
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="notice_entries", verbose_name="企业"
    )
    inspection = models.OneToOneField(
        InspectionRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notice_entry",
        verbose_name="专项检查",
    )
    # scope: the matched enterprise's region, or the notice's city until a county is assigned the lead
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所属区划")
    assigned_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )
    rectification_order = models.ForeignKey(
        "followup.RectificationOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notice_entries",
        verbose_name="责令改正通知书",
    )
    concluded_at = models.DateTimeField("核查办结时间", null=True, blank=True)
    conclusion = models.TextField("核查结论", blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="办结人",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="region", unit="assigned_unit", enterprise_user="enterprise__accounts__user")

    class Meta:
        ordering = ["notice", "id"]
        constraints = [models.UniqueConstraint(fields=["notice", "credit_code"], name="unique_code_per_notice")]
        verbose_name = verbose_name_plural = "通报所列企业"

    def __str__(self):
        return f"{self.credit_code} {self.enterprise_name}".strip()

    @property
    def is_lead(self):
        return self.enterprise_id is None


class Complaint(AuditedModel):
    """举报投诉 (002 第七条(一)): registered, assigned to a county, answered; a substantiated one opens a special
    inspection."""

    class Source(models.TextChoices):
        HOTLINE = "hotline", "12315热线"
        ONLINE = "online", "网络平台"
        LETTER = "letter", "来信"
        VISIT = "visit", "来访"
        MEDIA = "media", "媒体反映"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        REGISTERED = "registered", "待交办"
        ASSIGNED = "assigned", "办理中"
        ANSWERED = "answered", "已办结"

    number = models.CharField("编号", max_length=30, unique=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    received_date = models.DateField("受理日期")
    complainant = models.CharField("举报人（可匿名）", max_length=100, blank=True)
    content = models.TextField("举报内容")
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name="被举报企业",
    )
    enterprise_text = models.CharField(
        "被举报企业（名称或信用代码）", max_length=200, blank=True, help_text="未登记的企业按举报所写记录"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所属区划")
    assigned_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位"
    )
    answer_due = models.DateField("办结期限")
    answer_due_text = models.CharField("办结期限（含依据）", max_length=100)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REGISTERED)
    substantiated = models.BooleanField("举报属实", null=True, blank=True)
    answer = models.TextField("办理结果/答复", blank=True)
    answered_date = models.DateField("办结日期", null=True, blank=True)
    inspection = models.OneToOneField(
        InspectionRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint",
        verbose_name="专项检查",
    )
    submission_token = models.UUIDField("提交标识", null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="region", unit="assigned_unit")

    class Meta:
        ordering = ["-received_date", "-id"]
        indexes = [models.Index(fields=["status", "answer_due"])]
        verbose_name = verbose_name_plural = "举报投诉"

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("supervision:complaint_detail", args=[self.pk])

    @property
    def target(self):
        return self.enterprise.name if self.enterprise else self.enterprise_text


class TriggerEvidence(AuditedModel):
    """The evidence of a special inspection's trigger (002 第七条): complaint number, media link, 交办文号,
    accident report, audit instruction. Required when a special inspection is created through supervision pages."""

    record = models.OneToOneField(
        InspectionRecord, on_delete=models.CASCADE, related_name="trigger_evidence", verbose_name="检查记录"
    )
    reference = models.CharField(
        "依据编号", max_length=200, help_text="举报编号、交办文号、事故报告编号、通报文号或抽查安排文号"
    )
    link = models.URLField("媒体报道链接", blank=True)
    description = models.TextField("情况说明", blank=True)
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="举报投诉"
    )
    notice = models.ForeignKey(
        LinkageNotice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="通报"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        region="record__enterprise__region",
        unit="record__enterprise__supervising_unit",
        inspector_user="record__inspectors__user",
        enterprise_user="record__enterprise__accounts__user",
    )

    class Meta:
        verbose_name = verbose_name_plural = "专项检查触发依据"

    def __str__(self):
        return self.reference


class TestOrder(AuditedModel):
    """监督检验 of one licensed product (002 第十五至十八条), with its 抽样单 and the chain to its handling."""

    __test__ = False  # not a pytest test class, whatever its name

    class Trigger(models.TextChoices):
        # 002 第十五条 (一)–(四)
        SERIOUS_QUALITY = "serious_quality", "监督检查发现企业产品涉嫌存在严重质量问题"
        CONDITIONS = "conditions", "监督检查发现企业不能持续保持应当具备的条件"
        RECTIFICATION = "rectification", "企业未完成整改，或经复查仍不合格"
        OTHER = "other", "其他需要抽样检验的情形"

    class Status(models.TextChoices):
        ORDERED = "ordered", "待抽样"
        SAMPLED = "sampled", "已抽样待送检"
        NOT_SAMPLED = "not_sampled", "抽样未果"
        SENT = "sent", "已送检"
        RECEIVED = "received", "检验中"
        REPORTED = "reported", "已出报告待告知"
        NOTIFIED = "notified", "已告知企业"
        RETEST = "retest", "已申请复检"
        HANDLED = "handled", "已处理"

    class Place(models.TextChoices):
        # 002 第十六条: 在企业成品仓库内或生产现场
        STORE = "store", "企业成品仓库"
        LINE = "line", "生产现场"

    class Result(models.TextChoices):
        QUALIFIED = "qualified", "合格"
        UNQUALIFIED = "unqualified", "不合格"

    number = models.CharField("抽样单编号", max_length=30, unique=True)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="tests", verbose_name="受检企业")
    license = models.ForeignKey(License, on_delete=models.PROTECT, related_name="tests", verbose_name="生产许可证")
    product_category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="+", verbose_name="产品类别"
    )
    product = models.CharField("产品名称", max_length=100)
    trigger = models.CharField("监督检验原因", max_length=20, choices=Trigger.choices)
    trigger_note = models.TextField("原因说明", blank=True, help_text="“其他”须说明")
    source_record = models.ForeignKey(
        InspectionRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tests",
        verbose_name="来源检查记录",
    )
    source_notice = models.ForeignKey(
        LinkageNotice, null=True, blank=True, on_delete=models.PROTECT, related_name="tests", verbose_name="来源通报"
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="组织单位")
    samplers = models.ManyToManyField(Inspector, through="Sampler", related_name="tests", verbose_name="抽样人员")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ORDERED)

    # 抽样单 (002 第十六条; DESIGN "Supervision testing")
    sampling_date = models.DateField("抽样日期", null=True, blank=True)
    place = models.CharField("抽样地点", max_length=10, choices=Place.choices, blank=True)
    passed_factory_inspection = models.BooleanField("样品为出厂检验合格的产品", default=False)
    specification = models.CharField("规格型号", max_length=100, blank=True)
    trademark = models.CharField("商标", max_length=100, blank=True)
    batch = models.CharField("批号或生产日期", max_length=100, blank=True)
    batch_size = models.CharField("抽样基数", max_length=60, blank=True)
    test_quantity = models.CharField("检验样品数量", max_length=60, blank=True)
    reserve_quantity = models.CharField("备用样品数量", max_length=60, blank=True)
    standard = models.CharField("执行标准", max_length=200, blank=True)
    seal_no = models.CharField("封条编号", max_length=60, blank=True)
    sealed_at = models.DateTimeField("封样时间", null=True, blank=True)
    enterprise_signer = models.CharField("企业签字人", max_length=50, blank=True)
    enterprise_signature = models.ImageField("企业签名", upload_to="signatures/%Y/%m/", blank=True)
    enterprise_signed_at = models.DateTimeField("企业签字时间", null=True, blank=True)
    enterprise_refused = models.BooleanField("企业拒绝签字", default=False)
    enterprise_refusal_note = models.TextField("拒绝签字情况说明", blank=True)
    not_sampled_reason = models.TextField("抽样未果原因", blank=True)
    revision = models.PositiveIntegerField("草稿版本", default=0)
    submission_token = models.UUIDField("提交标识", null=True, blank=True, unique=True, editable=False)

    # sending and the lab
    sending_due = models.DateField("送检期限", null=True, blank=True)
    sending_due_text = models.CharField("送检期限（含依据）", max_length=100, blank=True)
    lab = models.ForeignKey(
        TestingLab, null=True, blank=True, on_delete=models.PROTECT, related_name="tests", verbose_name="检验机构"
    )
    sent_date = models.DateField("送样日期", null=True, blank=True)
    late_reason = models.TextField("逾期送样原因", blank=True)
    received_date = models.DateField("检验机构收样日期", null=True, blank=True)
    report_due = models.DateField("检验报告期限", null=True, blank=True)
    report_due_text = models.CharField("检验报告期限（含依据）", max_length=100, blank=True)
    report_no = models.CharField("检验报告编号", max_length=60, blank=True)
    report_date = models.DateField("检验报告日期", null=True, blank=True)
    result = models.CharField("检验结论", max_length=12, choices=Result.choices, blank=True)
    failed_items = models.TextField("不合格项目", blank=True)
    hazard_level = models.CharField("危害程度", max_length=10, choices=HazardLevel.choices, blank=True)

    # notice to the enterprise, 复检, handling
    notified_date = models.DateField("告知企业日期", null=True, blank=True)
    notify_method = models.CharField("告知方式", max_length=100, blank=True)
    retest_due = models.DateField("复检申请期限", null=True, blank=True)
    retest_due_text = models.CharField("复检申请期限（含依据）", max_length=100, blank=True)
    retest_requested_date = models.DateField("复检申请日期", null=True, blank=True)
    retest_note = models.TextField("复检情况", blank=True)
    stop_selling_date = models.DateField("责令停止销售日期", null=True, blank=True)
    stop_selling_method = models.CharField("停止销售告知方式", max_length=100, blank=True)
    handled_date = models.DateField("处理完毕日期", null=True, blank=True)
    handling_note = models.TextField("处理情况", blank=True)
    # the follow-up (抽查办法 第四十六、四十七条): the order this failure produced, or the order this test re-checks
    rectification_order = models.ForeignKey(
        "followup.RectificationOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tests",
        verbose_name="责令改正通知书",
    )
    source_order = models.ForeignKey(
        "followup.RectificationOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recheck_tests",
        verbose_name="复查所依据的通知书",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="下达人"
    )
    created_at = models.DateTimeField("下达时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**ENTERPRISE_SCOPE, inspector_user="samplers__user")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "sending_due"]),
            models.Index(fields=["status", "report_due"]),
            models.Index(fields=["status", "retest_due"]),
        ]
        verbose_name = verbose_name_plural = "监督检验"

    def __str__(self):
        return f"{self.number} {self.product}"

    def get_absolute_url(self):
        return reverse("supervision:test_detail", args=[self.pk])

    @property
    def sent_late(self):
        return bool(self.sent_date and self.sending_due and self.sent_date > self.sending_due)

    @property
    def failed(self):
        return self.result == self.Result.UNQUALIFIED


class Sampler(AuditedModel):
    """抽样人员 on a test, with the signature drawn on the 抽样单."""

    order = models.ForeignKey(TestOrder, on_delete=models.CASCADE, related_name="crew", verbose_name="监督检验")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="+", verbose_name="抽样人员")
    signature = models.ImageField("签名", upload_to="signatures/%Y/%m/", blank=True)
    signed_at = models.DateTimeField("签字时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**{k: f"order__{v}" for k, v in ENTERPRISE_SCOPE.items()}, inspector_user="inspector__user")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "inspector"], name="unique_sampler_per_test")]
        verbose_name = verbose_name_plural = "抽样人员签名"

    def __str__(self):
        return self.inspector.name


class SamplePhoto(AuditedModel):
    """A photo of the sealed samples (封样照片), checked by content like an inspection attachment."""

    order = models.ForeignKey(TestOrder, on_delete=models.CASCADE, related_name="photos", verbose_name="监督检验")
    file = models.FileField("文件", upload_to="supervision/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        **{k: f"order__{v}" for k, v in ENTERPRISE_SCOPE.items()}, inspector_user="order__samplers__user"
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "sha256"], name="unique_sample_photo")]
        verbose_name = verbose_name_plural = "封样照片"

    def __str__(self):
        return self.original_name
