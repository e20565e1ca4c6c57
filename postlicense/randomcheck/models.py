"""双随机、一公开 random checks (003): tasks, the frozen candidate list, the seed contributions, the verifiable
draw, the inspector match with its amendments, not-inspected records (003 七(五)) and disclosures (003 六(二))."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from postlicense.core.models import AuditedModel, OrgUnit, Region
from postlicense.core.scoping import ScopedQuerySet, ScopePaths
from postlicense.inspections.models import ChecklistVersion, InspectionRecord
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise, ProductCategory

from .draw import CONTRIBUTION_MAX_LENGTH, STRATA

RATIO_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
YEAR_VALIDATORS = [
    MinValueValidator(2000, "年度应在2000年至2100年之间。"),
    MaxValueValidator(2100, "年度应在2000年至2100年之间。"),
]
DRAWN_SCOPE = dict(
    region="enterprise__region", unit="enterprise__supervising_unit", inspector_user="inspection__inspectors__user"
)


def default_statuses():
    # 003 三 draws from all license holders; 003 七(五) records the 停产 ones that could not be inspected.
    # 注销 enterprises hold no license to check.
    return [Enterprise.Status.PRODUCING, Enterprise.Status.STOPPED, Enterprise.Status.SWITCHED]


class Task(AuditedModel):
    """抽查任务."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        FROZEN = "frozen", "已冻结候选名单"
        DRAWN = "drawn", "已抽取企业"
        MATCHED = "matched", "已匹配人员"
        DISPATCHED = "dispatched", "已派发"
        INSPECTING = "inspecting", "检查中"
        COMPLETED = "completed", "已完成"
        PUBLISHED = "published", "已公示"
        CANCELLED = "cancelled", "已取消"

    plan_number = models.CharField("计划编号", max_length=50, blank=True, help_text="国家双随机平台上的抽查计划编号")
    plan_name = models.CharField("计划名称", max_length=200, blank=True)
    name = models.CharField("任务名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    issuing_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="random_check_tasks", verbose_name="下达单位"
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name="抽查区域", help_text="不选则为下达单位的全部辖区"
    )
    product_categories = models.ManyToManyField(
        ProductCategory, blank=True, related_name="+", verbose_name="产品类别", help_text="不选则为全部产品类别"
    )
    statuses = models.JSONField("纳入的生产状态", default=default_statuses)
    ratio_low = models.DecimalField(
        "低风险抽取比例（%）", max_digits=5, decimal_places=2, default=10, validators=RATIO_VALIDATORS
    )
    ratio_medium = models.DecimalField(
        "中风险抽取比例（%）", max_digits=5, decimal_places=2, default=20, validators=RATIO_VALIDATORS
    )
    ratio_medium_high = models.DecimalField(
        "中高风险抽取比例（%）", max_digits=5, decimal_places=2, default=30, validators=RATIO_VALIDATORS
    )
    ratio_high = models.DecimalField(
        "高风险抽取比例（%）", max_digits=5, decimal_places=2, default=50, validators=RATIO_VALIDATORS
    )
    ratio_reason = models.TextField(
        "调整抽取比例的理由",
        blank=True,
        help_text="抽取比例与许昌双随机实施方案 三 规定的10%、20%、30%、50%不同时必须填写，并随任务公示",
    )
    exclude_recent_months = models.PositiveSmallIntegerField(
        "排除近期已抽查（月）",
        null=True,
        blank=True,
        help_text="排除最近N个月内已在双随机抽查中接受检查的企业；留空不排除",
    )
    deadline = models.DateField("检查截止日期")
    checklist = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="+", verbose_name="检查表")
    inspectors_per_enterprise = models.PositiveSmallIntegerField(
        "每户检查人员数",
        default=2,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text="不少于2人（白城事中事后监管办法 第九条）",
    )
    load_cap = models.PositiveSmallIntegerField(
        "每名检查人员最多检查户数", default=5, validators=[MinValueValidator(1)]
    )
    require_expertise = models.BooleanField("要求检查人员具备该产品类别专业", default=False)
    widen_pool = models.BooleanField(
        "跨单位抽取检查人员",
        default=False,
        help_text="默认各县（市、区）局从本单位检查人员中抽取（许昌双随机实施方案 五(二)）；勾选后可从下达单位辖区内全部单位抽取",
    )
    seed = models.TextField("随机种子", blank=True, help_text="各贡献值按录入顺序以“|”连接")
    candidates_digest = models.CharField("候选名单摘要（SHA-256）", max_length=64, blank=True)
    frozen_at = models.DateTimeField("候选名单冻结时间", null=True, blank=True)
    cancel_reason = models.TextField("取消原因", blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="issuing_unit__region", unit="issuing_unit")

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = verbose_name_plural = "抽查任务"

    def __str__(self):
        return self.name

    @property
    def ratios(self):
        return {stratum: getattr(self, f"ratio_{stratum}") for stratum in STRATA}

    def delete(self, *args, **kwargs):
        # Once its candidate list is frozen a task is public: it can only be cancelled, with a reason.
        if self.frozen_at is not None:
            raise ValidationError("候选名单冻结后任务不能删除，只能注明原因后取消。")
        return super().delete(*args, **kwargs)


class TaskStep(AuditedModel):
    """Who moved the task into a state, and when. One row per state: a step is never redone."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="steps", verbose_name="任务")
    state = models.CharField("步骤", max_length=12, choices=Task.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="task__issuing_unit__region", unit="task__issuing_unit")

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "state"], name="one_step_per_state")]
        verbose_name = verbose_name_plural = "任务步骤"

    def __str__(self):
        return f"{self.task_id} {self.get_state_display()}"


class Candidate(models.Model):
    """One row of a task's frozen candidate list (the list whose SHA-256 digest is published).

    Not an AuditedModel: the rows are written once, with the draw, and never changed. Their integrity is the
    digest, which is on the task (whose change is in the audit chain) and which verify-draw recomputes from these
    rows; an entry per row would only repeat that, a million times over at national scale.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="candidates", verbose_name="任务")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name="企业")
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    stratum = models.CharField("风险等级", max_length=12, choices=Enterprise.RiskLevel.choices)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="task__issuing_unit__region", unit="task__issuing_unit")

    class Meta:
        ordering = ["credit_code"]
        constraints = [models.UniqueConstraint(fields=["task", "credit_code"], name="unique_candidate_per_task")]
        indexes = [models.Index(fields=["task", "stratum"])]
        verbose_name = verbose_name_plural = "候选企业"

    def __str__(self):
        return f"{self.credit_code},{self.stratum}"


class SeedContribution(AuditedModel):
    """One named person's part of the seed, entered after the freeze (DESIGN "The draw must be verifiable")."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="contributions", verbose_name="任务")
    position = models.PositiveSmallIntegerField("顺序")
    contributor = models.CharField("贡献人", max_length=50)
    contributor_unit = models.CharField("贡献人单位", max_length=100)
    value = models.CharField("贡献值", max_length=CONTRIBUTION_MAX_LENGTH)
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="task__issuing_unit__region", unit="task__issuing_unit")

    class Meta:
        ordering = ["task", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "position"], name="one_contribution_per_position")]
        verbose_name = verbose_name_plural = "随机种子贡献值"

    def __str__(self):
        return f"{self.contributor}（{self.contributor_unit}）：{self.value}"


def drawn_str(enterprise_name, credit_code):
    """str() of a DrawnEnterprise, also for the audit entries of drawn rows written without an instance."""
    return f"{enterprise_name}（{credit_code}）"


class DrawnEnterprise(AuditedModel):
    """An enterprise the draw selected; later linked to its inspection record (一企两表)."""

    class NotInspected(models.TextChoices):
        STOPPED = "stopped", "停产"
        SWITCHED = "switched", "转产"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="drawn", verbose_name="任务")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="random_draws", verbose_name="企业"
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    stratum = models.CharField("风险等级", max_length=12, choices=Enterprise.RiskLevel.choices)
    rank = models.CharField("排序值（SHA-256）", max_length=64)
    inspection = models.OneToOneField(
        InspectionRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="random_draw",
        verbose_name="检查记录",
    )
    not_inspected_reason = models.CharField("未检查原因", max_length=10, choices=NotInspected.choices, blank=True)
    not_inspected_note = models.TextField("情况说明", blank=True)
    not_inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记人",
    )
    not_inspected_at = models.DateTimeField("登记时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**DRAWN_SCOPE)

    class Meta:
        ordering = ["task", "stratum", "rank"]
        constraints = [models.UniqueConstraint(fields=["task", "enterprise"], name="unique_drawn_per_task")]
        verbose_name = verbose_name_plural = "抽中企业"

    def __str__(self):
        return drawn_str(self.enterprise.name, self.credit_code)


def assignment_str(drawn_id, inspector):
    """str() of an Assignment, also for the audit entries of assignments written without an instance."""
    return f"{drawn_id} → {inspector}"


class Assignment(AuditedModel):
    """A matched inspector of a drawn enterprise. A swap ends it (`removed_by`) instead of deleting it."""

    drawn = models.ForeignKey(
        DrawnEnterprise, on_delete=models.CASCADE, related_name="assignments", verbose_name="抽中企业"
    )
    inspector = models.ForeignKey(
        Inspector, on_delete=models.PROTECT, related_name="random_assignments", verbose_name="检查人员"
    )
    rank = models.CharField("排序值（SHA-256）", max_length=64)
    removed_by = models.ForeignKey(
        "Swap", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="被调整"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**{key: f"drawn__{path}" for key, path in DRAWN_SCOPE.items()})

    class Meta:
        ordering = ["drawn", "rank"]
        verbose_name = verbose_name_plural = "人员匹配"

    def __str__(self):
        return assignment_str(self.drawn_id, self.inspector)


class Swap(AuditedModel):
    """调整检查人员: an amendment of the match with its reason; the original assignment stays visible."""

    drawn = models.ForeignKey(DrawnEnterprise, on_delete=models.CASCADE, related_name="swaps", verbose_name="抽中企业")
    removed = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="+", verbose_name="调出人员")
    added = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="+", verbose_name="调入人员")
    reason = models.TextField("调整原因")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="调整人")
    at = models.DateTimeField("调整时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**{key: f"drawn__{path}" for key, path in DRAWN_SCOPE.items()})

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "检查人员调整"

    def __str__(self):
        return f"{self.removed.name} → {self.added.name}"


class Disclosure(AuditedModel):
    """公示: the result as published, copied at publication so the public page never changes afterwards."""

    drawn = models.OneToOneField(
        DrawnEnterprise, on_delete=models.PROTECT, related_name="disclosure", verbose_name="抽中企业"
    )
    enterprise_name = models.CharField("企业名称", max_length=200)
    inspection_date = models.DateField("检查日期", null=True)
    result = models.CharField("检查结果", max_length=50)
    problems_summary = models.TextField("发现的问题", blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="公示人"
    )
    published_at = models.DateTimeField("公示时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**{key: f"drawn__{path}" for key, path in DRAWN_SCOPE.items()})

    class Meta:
        ordering = ["drawn"]
        verbose_name = verbose_name_plural = "结果公示"

    def __str__(self):
        return f"{self.enterprise_name} {self.result}"
