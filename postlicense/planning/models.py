"""Planning and oversight (004 六; 002 第十九条; 000): annual inspection plans with their entries and hand
adjustments, the city's focus product categories, supervision-class changes, city re-checks with findings about a
county's work, cross-audit campaigns with their visits, self-check reports and findings."""

from django.conf import settings
from django.db import models

from postlicense.core.models import AuditedModel, OrgUnit
from postlicense.core.scoping import ScopedQuerySet, ScopePaths
from postlicense.followup.models import RectificationOrder
from postlicense.inspections.models import InspectionRecord
from postlicense.randomcheck.models import YEAR_VALIDATORS, Task
from postlicense.registry.models import Enterprise, ProductCategory

PLAN_SCOPE = dict(region="org_unit__region", unit="org_unit")


class FocusCategory(AuditedModel):
    """A product category the city names as a focus industry (004 六 重点行业): a raising factor for the year."""

    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="市局")
    product_category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="+", verbose_name="产品类别"
    )
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="city__region", unit="city")

    class Meta:
        ordering = ["year", "product_category"]
        constraints = [
            models.UniqueConstraint(fields=["city", "product_category", "year"], name="one_focus_category_a_year")
        ]
        verbose_name = verbose_name_plural = "重点行业"

    def __str__(self):
        return f"{self.year} {self.product_category}"


class Plan(AuditedModel):
    """年度监督检查计划 of one unit (县局/分局) for a year, generated from the register at the plan date."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿（可调整）"
        APPROVED = "approved", "已批准"

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="plans", verbose_name="单位")
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    plan_date = models.DateField("计划基准日")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="编制人"
    )
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="批准人",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**PLAN_SCOPE)

    class Meta:
        ordering = ["-year", "org_unit"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "year"], name="one_plan_per_unit_year")]
        verbose_name = verbose_name_plural = "年度检查计划"

    def __str__(self):
        return f"{self.org_unit.name}{self.year}年度监督检查计划"


class PlanEntry(models.Model):
    """One enterprise in a plan: its class at the plan date, its raising factors with their source, and the number
    of inspections planned. Written in bulk at generation (the plan's creation is in the audit trail); a change by
    hand is a PlanAdjustment, which is audited."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="entries", verbose_name="计划")
    year = models.PositiveSmallIntegerField("年度")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="plan_entries", verbose_name="企业"
    )
    supervision_class = models.CharField("监管分类（计划基准日）", max_length=1)
    factors = models.JSONField("提高频次因素", default=list, blank=True)
    minimum = models.PositiveSmallIntegerField("最低次数")
    planned = models.PositiveSmallIntegerField("计划次数")
    # Inspections done in the year by the counting rule (rules.COUNTED_KINDS, one enterprise-day once), kept by
    # services.recount_enterprise when a record changes and services.recount_plans in bulk; the behind-plan lists
    # read it (a county of 150,000 enterprises cannot group its records on every page view).
    done = models.PositiveSmallIntegerField("已完成次数", default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="enterprise__region", unit="enterprise__supervising_unit")

    class Meta:
        ordering = ["plan", "enterprise"]
        constraints = [models.UniqueConstraint(fields=["year", "enterprise"], name="one_plan_entry_a_year")]
        indexes = [
            models.Index(fields=["plan", "enterprise"]),
            models.Index(
                fields=["plan", "enterprise"],
                condition=models.Q(done__lt=models.F("planned")),
                name="plan_entry_behind",
            ),
        ]
        verbose_name = verbose_name_plural = "计划企业"

    def __str__(self):
        return f"{self.enterprise_id} {self.planned}"


class PlanAdjustment(AuditedModel):
    """调整: the planned number of one entry changed by hand, with the reason."""

    entry = models.ForeignKey(PlanEntry, on_delete=models.CASCADE, related_name="adjustments", verbose_name="计划企业")
    planned_before = models.PositiveSmallIntegerField("调整前次数")
    planned_after = models.PositiveSmallIntegerField("调整后次数")
    reason = models.TextField("调整理由")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="调整人")
    at = models.DateTimeField("调整时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="entry__enterprise__region", unit="entry__enterprise__supervising_unit")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "计划调整"

    def __str__(self):
        return f"{self.planned_before} → {self.planned_after}"


class PlanBatch(AuditedModel):
    """派发批次: inspections of a plan's enterprises dispatched together (the token makes a resubmit a no-op)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="batches", verbose_name="计划")
    token = models.UUIDField("提交标识", unique=True, editable=False)
    kind = models.CharField("检查类型", max_length=20, choices=InspectionRecord.Kind.choices)
    records = models.ManyToManyField(InspectionRecord, related_name="+", verbose_name="检查记录")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="派发人")
    at = models.DateTimeField("派发时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**{key: f"plan__{path}" for key, path in PLAN_SCOPE.items()})

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "计划派发批次"

    def __str__(self):
        return f"{self.plan_id} {self.at:%Y-%m-%d}"


class ClassChange(AuditedModel):
    """监管分类调整 confirmed by the city, with its reason (DESIGN: the city confirms the suggestion)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="class_changes", verbose_name="企业"
    )
    from_class = models.CharField("原分类", max_length=1)
    to_class = models.CharField("新分类", max_length=1, choices=Enterprise.SupervisionClass.choices)
    reason = models.TextField("理由")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="确认人")
    at = models.DateTimeField("确认时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="enterprise__region", unit="enterprise__supervising_unit")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "监管分类调整"

    def __str__(self):
        return f"{self.from_class} → {self.to_class}"


class Recheck(AuditedModel):
    """市局复查 of one county for a year (002 第十九条): at least ceil(10%) of its licensed enterprises, drawn with the
    random check's verifiable draw (the task) and inspected by the city's own inspectors."""

    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="市局")
    county = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="rechecks", verbose_name="被复查单位")
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    licensed = models.PositiveIntegerField("获证企业数（计划基准日）")
    target = models.PositiveIntegerField("应复查企业数")
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="recheck", verbose_name="抽取任务")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="county__region", unit="city")

    class Meta:
        ordering = ["-year", "county"]
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="one_recheck_per_county_year")]
        verbose_name = verbose_name_plural = "市局复查"

    def __str__(self):
        return f"{self.year}年{self.county.name}复查"


class CountyFinding(AuditedModel):
    """What the city found about a county's work (002 第十九条: feeds its annual evaluation)."""

    recheck = models.ForeignKey(Recheck, on_delete=models.CASCADE, related_name="findings", verbose_name="复查")
    text = models.TextField("发现的问题")
    serious = models.BooleanField("较大失误（责令改正）", default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="recheck__county__region", unit="recheck__city")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "复查发现（县局工作）"

    def __str__(self):
        return self.text[:30]


class Campaign(AuditedModel):
    """督查互查 (000): the organiser audits its branches with mixed groups, after the branches' self-check."""

    name = models.CharField("名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    organiser = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="campaigns", verbose_name="组织单位")
    self_check_start = models.DateField("自查开始")
    self_check_end = models.DateField("自查结束")
    audit_start = models.DateField("督查互查开始")
    audit_end = models.DateField("督查互查结束")
    report_summary = models.TextField("工作总结", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="organiser__region", unit="organiser")

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = verbose_name_plural = "督查互查"

    def __str__(self):
        return self.name


class CampaignVisit(AuditedModel):
    """One branch's audit day (000 附件1 row); its group is computed by rules.cross_audit_groups."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="visits", verbose_name="督查互查")
    branch = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="被检查单位")
    date = models.DateField("时间")
    task = models.OneToOneField(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="campaign_visit", verbose_name="抽取任务"
    )
    materials_sampled = models.PositiveIntegerField("抽查巡查、年审材料数", null=True, blank=True)
    materials_overall = models.TextField("巡查、年审材料抽查整体情况", blank=True)
    self_check_report = models.FileField("自查报告", upload_to="planning/self_checks/%Y/", blank=True)
    self_check_uploaded_at = models.DateTimeField("自查报告上传时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="campaign__organiser__region", unit="branch")

    class Meta:
        ordering = ["campaign", "date", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "branch"], name="one_visit_per_branch")]
        verbose_name = verbose_name_plural = "督查互查安排"

    def __str__(self):
        return f"{self.date} {self.branch.name}"


class CampaignFinding(AuditedModel):
    """A finding of a cross-audit visit; one about a drawn enterprise is put on a 责令改正通知书 of the audited branch
    (oversight.add_campaign_finding through followup.services.issue_order; 000 三、2)."""

    visit = models.ForeignKey(CampaignVisit, on_delete=models.CASCADE, related_name="findings", verbose_name="安排")
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="企业"
    )
    record = models.ForeignKey(
        InspectionRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="检查记录"
    )
    text = models.TextField("发现的问题")
    order = models.ForeignKey(
        RectificationOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="责令改正通知书",
    )
    submission_token = models.UUIDField("提交标识", null=True, unique=True, editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="visit__campaign__organiser__region", unit="visit__branch")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "督查互查发现"

    def __str__(self):
        return self.text[:30]
