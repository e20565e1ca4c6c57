from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse

from postlicense.core.models import AuditedModel, OrgUnit, Region
from postlicense.core.regulations import cite
from postlicense.core.scoping import ScopedQuerySet, ScopePaths

from . import search_text
from .fields import CreditCodeField, LicenseNumberField, PhoneField


class ProductCategory(AuditedModel):
    """产品类别 of the national production-license catalogue (reference data an admin edits)."""

    code = models.CharField(
        "类别编号", max_length=10, unique=True, help_text="许可证编号中 XK 后的两位数字，如 电线电缆 06"
    )
    name = models.CharField("产品类别", max_length=100, unique=True)
    is_focus = models.BooleanField(
        "重点行业", default=False, help_text=f"{cite('001', '三')}、{cite('003', '三')} 所列重点行业"
    )
    active = models.BooleanField("在用", default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "产品类别"

    def __str__(self):
        return self.name


class ProductUnit(AuditedModel):
    """产品单元 within a category (e.g. 水泥 › 通用硅酸盐水泥)."""

    category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="units", verbose_name="产品类别"
    )
    name = models.CharField("产品单元", max_length=100)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)

    class Meta:
        ordering = ["category__code", "name"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="unique_unit_per_category")]
        verbose_name = verbose_name_plural = "产品单元"

    def __str__(self):
        return f"{self.category.name} › {self.name}"


class Enterprise(AuditedModel):
    """获证企业."""

    audit_exclude = frozenset({"search_key"})  # derived from name, products and credit code

    class Status(models.TextChoices):
        PRODUCING = "producing", "在产"
        STOPPED = "stopped", "停产"
        SWITCHED = "switched", "转产"
        CANCELLED = "cancelled", "注销"

    class RiskLevel(models.TextChoices):
        # The values are the draw's stratum names (DESIGN.md "The draw must be verifiable").
        LOW = "low", "低风险"
        MEDIUM = "medium", "中风险"
        MEDIUM_HIGH = "medium_high", "中高风险"
        HIGH = "high", "高风险"

    class SupervisionClass(models.TextChoices):
        A = "A", "A类"
        B = "B", "B类"
        C = "C", "C类"
        D = "D", "D类"

    class Scale(models.TextChoices):
        LARGE = "large", "大型"
        MEDIUM = "medium", "中型"
        SMALL = "small", "小型"
        MICRO = "micro", "微型"

    name = models.CharField("企业名称", max_length=200)
    credit_code = CreditCodeField(
        "统一社会信用代码", max_length=18, unique=True, error_messages={"unique": "该统一社会信用代码已登记。"}
    )
    legal_representative = models.CharField("法定代表人", max_length=50)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = PhoneField("联系电话", max_length=30, blank=True)
    address = models.CharField("住所", max_length=200)
    production_address = models.CharField("生产地址", max_length=200, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="enterprises", verbose_name="所在区县")
    supervising_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="enterprises", verbose_name="监管单位"
    )
    product_category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="enterprises", verbose_name="产品类别"
    )
    products = models.CharField("主要产品", max_length=300, blank=True)
    production_scale = models.CharField("生产规模", max_length=10, choices=Scale.choices, default=Scale.SMALL)
    status = models.CharField("生产状态", max_length=10, choices=Status.choices, default=Status.PRODUCING)
    risk_level = models.CharField("风险等级", max_length=12, choices=RiskLevel.choices, default=RiskLevel.LOW)
    supervision_class = models.CharField(
        "监管分类", max_length=1, choices=SupervisionClass.choices, default=SupervisionClass.A
    )
    is_focus = models.BooleanField("重点企业", default=False)
    notes = models.TextField("备注", blank=True)
    search_key = models.TextField(editable=False, default="")
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        region="region",
        unit="supervising_unit",
        inspector_user="inspections__inspectors__user",
        enterprise_user="accounts__user",
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["region", "-id"]),
            models.Index(fields=["product_category", "-id"]),
            models.Index(fields=["risk_level", "-id"]),
            models.Index(fields=["status", "-id"]),
        ]
        verbose_name = verbose_name_plural = "获证企业"

    def __str__(self):
        return self.name

    @staticmethod
    def make_search_key(name, products, credit_code):
        """The normalised search column (NFKC, casefold, pinyin and initials) of the list's search box."""
        return search_text.search_key(name, products, credit_code)

    def save(self, *args, **kwargs):
        from .services import PLACE_FIELDS, enterprises_moved

        self.search_key = self.make_search_key(self.name, self.products, self.credit_code)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        stored = None  # the region and unit before this save: a change is passed on to the apps that copy them
        if not self._state.adding:
            stored = Enterprise.objects.filter(pk=self.pk).values_list(*PLACE_FIELDS).first()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if stored and stored != tuple(getattr(self, f) for f in PLACE_FIELDS):
                enterprises_moved([self.pk])

    def get_absolute_url(self):
        return reverse("registry:enterprise_detail", args=[self.pk])

    def clean(self):
        if (
            self.region_id
            and self.supervising_unit_id
            and not self.region_id.startswith(self.supervising_unit.region.scope_prefix)
        ):
            raise ValidationError({"supervising_unit": f"{self.supervising_unit.name}不负责{self.region.name}。"})


class License(AuditedModel):
    """生产许可证. Expiry is a query on the dates, never a stored flag."""

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        EXPIRED = "expired", "过期"
        RESCINDED = "rescinded", "撤销"
        REVOKED = "revoked", "吊销"
        CANCELLED = "cancelled", "注销"
        WITHDRAWN = "withdrawn", "撤回"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="licenses", verbose_name="企业")
    number = LicenseNumberField(
        "许可证编号", max_length=40, unique=True, error_messages={"unique": "该许可证编号已登记。"}
    )
    product_category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="licenses", verbose_name="产品类别"
    )
    product_units = models.ManyToManyField(ProductUnit, blank=True, related_name="licenses", verbose_name="产品单元")
    issue_date = models.DateField("发证日期")
    expiry_date = models.DateField("有效期至")
    issuing_authority = models.CharField("发证机关", max_length=100)
    status = models.CharField("证书状态", max_length=10, choices=Status.choices, default=Status.VALID)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        region="enterprise__region",
        unit="enterprise__supervising_unit",
        inspector_user="enterprise__inspections__inspectors__user",
        enterprise_user="enterprise__accounts__user",
    )

    class Meta:
        ordering = ["expiry_date"]
        constraints = [
            models.CheckConstraint(condition=Q(expiry_date__gt=F("issue_date")), name="license_expiry_after_issue"),
        ]
        indexes = [
            models.Index(fields=["expiry_date"]),
            # The enterprise list's expiry filters read the holders' ids newest first from this index alone
            # (selectors._seek); PostgreSQL also gets a number-prefix index carrying the holder (migration 0007).
            models.Index(fields=["enterprise", "status", "expiry_date"], name="registry_license_holder_idx"),
        ]
        verbose_name = verbose_name_plural = "生产许可证"

    def __str__(self):
        return self.number

    def clean(self):
        if self.issue_date and self.expiry_date and self.expiry_date <= self.issue_date:
            raise ValidationError({"expiry_date": "有效期至须晚于发证日期。"})


class KeyEquipment(AuditedModel):
    """关键生产设备/检验设备: the registered list, the second of the 一企两表."""

    class Kind(models.TextChoices):
        PRODUCTION = "production", "关键生产设备"
        INSPECTION = "inspection", "检验设备"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="equipment", verbose_name="企业")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    name = models.CharField("设备名称", max_length=100)
    model = models.CharField("规格型号", max_length=100, blank=True)
    quantity = models.PositiveIntegerField("数量", default=1)
    is_measuring_instrument = models.BooleanField("计量器具", default=False)
    calibration_due = models.DateField("检定有效期至", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        region="enterprise__region",
        unit="enterprise__supervising_unit",
        inspector_user="enterprise__inspections__inspectors__user",
        enterprise_user="enterprise__accounts__user",
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = verbose_name_plural = "关键设备"

    def __str__(self):
        return f"{self.name} {self.model}".strip()


class EnterpriseAccount(models.Model):
    """Links an enterprise user's login to its enterprise (the enterprise user sees only this one)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_account")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="accounts")

    class Meta:
        verbose_name = verbose_name_plural = "企业账号"

    def __str__(self):
        return f"{self.user} → {self.enterprise}"
