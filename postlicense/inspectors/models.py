from django.conf import settings
from django.db import models
from django.urls import reverse

from postlicense.core.models import AuditedModel, OrgUnit
from postlicense.core.scoping import ScopedQuerySet, ScopePaths
from postlicense.registry.fields import PhoneField
from postlicense.registry.models import Enterprise, ProductCategory


class Inspector(AuditedModel):
    """执法检查人员 (003 二(二)): holds an enforcement certificate (执法证)."""

    name = models.CharField("姓名", max_length=50)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="inspectors", verbose_name="所在单位")
    position = models.CharField("职务", max_length=50, blank=True)
    phone = PhoneField("联系电话", max_length=30, blank=True)
    certificate_no = models.CharField("执法证号", max_length=40, unique=True)
    certificate_valid_from = models.DateField("执法证有效期起", null=True, blank=True)
    certificate_valid_until = models.DateField("执法证有效期至")
    expertise = models.ManyToManyField(ProductCategory, blank=True, related_name="experts", verbose_name="专业领域")
    avoid_enterprises = models.ManyToManyField(
        Enterprise,
        blank=True,
        related_name="avoiding_inspectors",
        verbose_name="回避企业",
        help_text="与本人存在利害关系、检查时须回避的企业",
    )
    active = models.BooleanField("在岗", default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector",
        verbose_name="登录账号",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="org_unit__region", unit="org_unit", inspector_user="user")

    class Meta:
        ordering = ["org_unit", "name"]
        verbose_name = verbose_name_plural = "执法检查人员"

    def __str__(self):
        return f"{self.name}（{self.certificate_no}）"

    def get_absolute_url(self):
        return reverse("inspectors:inspector_detail", args=[self.pk])

    def certificate_valid_on(self, day):
        return (
            self.certificate_valid_from is None or self.certificate_valid_from <= day
        ) and day <= self.certificate_valid_until
