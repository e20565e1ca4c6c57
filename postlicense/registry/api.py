"""REST endpoints for the register (/api/v1/enterprises/, /api/v1/licenses/): scoped, paginated.

Everyone reads what their jurisdiction covers; bureau staff also create (POST) and change (PUT/PATCH) inside it.
Writes go through the model fields' validators and the models' clean(), as the forms and the import do, and carry
the version they were loaded at (api.serializers). Filter parameters are validated (api.params).
"""

import copy

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers

from postlicense.api.params import BooleanParam, ChoiceParam, CursorPages, IdParam, TextParam, query
from postlicense.api.serializers import VersionedSerializer
from postlicense.api.views import ApiView
from postlicense.core.models import OrgUnit, Region

from . import selectors
from .fields import CanonicalCharField
from .forms import EnterpriseFilterForm, counties_for, credit_code_taken
from .models import Enterprise, License, ProductCategory
from .services import new_license_bar


class NewestFirst(CursorPages):
    ordering = "-id"
    page_size = 50


class StaffWrites(permissions.IsAuthenticated):
    """Reads for every logged-in user (scoped by the querysets); writes for 市局/县局/分局 staff only."""

    message = "只有市局、县局/分局人员可以修改名录。"

    def has_permission(self, request, view):
        return super().has_permission(request, view) and (
            request.method in permissions.SAFE_METHODS or request.user.is_bureau_staff
        )


class CanonicalField(serializers.CharField):
    """A CanonicalCharField's value folded as the model field's to_python folds it, before its validators run."""

    def __init__(self, *, canonical, **kwargs):
        self.canonical = canonical
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return self.canonical(super().to_internal_value(data))


# The model fields' own folding and validators, the model's clean(), and choices scoped to the user. (A comment,
# not a docstring: drf-spectacular would publish a docstring as the description of every serializer below.)
class RegisterSerializer(VersionedSerializer):
    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, CanonicalCharField):
            return CanonicalField, {**kwargs, "canonical": model_field.canonical}
        return field_class, kwargs

    @property
    def user(self):
        return self.context["request"].user

    def validate(self, attrs):
        candidate = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        candidate.clean()
        return attrs


class LicenseSerializer(RegisterSerializer):
    enterprise_credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    product_category = serializers.SlugRelatedField(
        slug_field="name",
        queryset=ProductCategory.objects.filter(active=True),
        help_text="产品目录中的类别名称，如 水泥",
    )
    product_units = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = License
        fields = [
            "id",
            "number",
            "enterprise",
            "enterprise_credit_code",
            "product_category",
            "product_units",
            "issue_date",
            "expiry_date",
            "issuing_authority",
            "status",
        ]
        # 撤销/撤回/吊销/注销 come only from a recorded decision (跟踪处置 › 许可处理建议); a new license is 有效
        read_only_fields = ["status"]

    def get_fields(self):
        fields = super().get_fields()
        fields["enterprise"].queryset = selectors.enterprises_for(self.user)
        return fields

    def validate(self, attrs):
        current = self.instance.status if self.instance else License.Status.VALID
        if "status" in self.initial_data and self.initial_data["status"] != current:
            raise serializers.ValidationError(
                {
                    "status": "证书状态不能直接修改：撤销、撤回、吊销、注销只能通过录入许可机关的决定变更（跟踪处置 › 许可处理建议）。"
                }
            )
        attrs = super().validate(attrs)
        category = attrs.get("product_category")
        if category and (self.instance is None or category != self.instance.product_category):
            enterprise = attrs.get("enterprise") or self.instance.enterprise
            bar = new_license_bar(enterprise.credit_code, category.pk)
            if bar:
                raise serializers.ValidationError({"product_category": bar})
        return attrs


class EnterpriseSerializer(RegisterSerializer):
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.none(), help_text="所在区县的6位区划代码，如 411082"
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    supervising_unit = serializers.SlugRelatedField(
        slug_field="name", queryset=OrgUnit.objects.none(), help_text="监管单位名称，如 长葛市市场监督管理局"
    )
    product_category = serializers.SlugRelatedField(
        slug_field="name",
        queryset=ProductCategory.objects.filter(active=True),
        help_text="产品目录中的类别名称，如 水泥",
    )

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "legal_representative",
            "contact",
            "phone",
            "address",
            "production_address",
            "region",
            "region_name",
            "supervising_unit",
            "product_category",
            "products",
            "production_scale",
            "status",
            "risk_level",
            "supervision_class",
            "is_focus",
            "updated_at",
        ]
        # credit_code_taken replaces the plain unique check: it names the holder only inside the user's scope.
        extra_kwargs = {"credit_code": {"validators": Enterprise._meta.get_field("credit_code").validators}}

    def get_fields(self):
        fields = super().get_fields()
        fields["region"].queryset = counties_for(self.user)
        fields["supervising_unit"].queryset = OrgUnit.objects.for_user(self.user)
        return fields

    def validate_credit_code(self, code):
        message = credit_code_taken(self.user, code, self.instance.pk if self.instance else None, link=False)
        if message:
            raise serializers.ValidationError(message)
        return code


EXPIRY = EnterpriseFilterForm.base_fields["expiry"].choices[1:]  # the list page's, without 全部


class EnterpriseQuery(serializers.Serializer):
    q = TextParam(label="名称/拼音首字母/信用代码", help_text="名称、拼音首字母（如 xcsn）或信用代码")
    license_number = TextParam(label="许可证编号")
    region = serializers.RegexField(
        r"^[0-9]{6}$",
        label="区县",
        required=False,
        allow_blank=True,
        help_text="区县的6位区划代码，如 411082；辖区外的区县没有结果",
        error_messages={"invalid": "区县（region）应为6位区划代码，如 411082。"},
    )
    category = IdParam(label="产品类别", help_text="产品类别的编号")
    risk_level = ChoiceParam(Enterprise.RiskLevel.choices, label="风险等级")
    supervision_class = ChoiceParam(Enterprise.SupervisionClass.choices, label="监管分类")
    status = ChoiceParam(Enterprise.Status.choices, label="生产状态")
    expiry = ChoiceParam(EXPIRY, label="许可证")
    focus = BooleanParam(label="仅重点企业")


@extend_schema_view(
    get=extend_schema(summary="获证企业列表", parameters=[EnterpriseQuery]), post=extend_schema(summary="新增获证企业")
)
class EnterpriseList(ApiView, generics.ListCreateAPIView):
    serializer_class = EnterpriseSerializer
    pagination_class = NewestFirst
    permission_classes = [StaffWrites]

    def get_queryset(self):
        qs = selectors.enterprises_for(self.request.user)
        if self.request.method == "GET":
            qs = selectors.filter_enterprises(qs, selectors.EnterpriseFilter(**query(EnterpriseQuery, self.request)))
        return qs.select_related("region", "supervising_unit", "product_category")


def detail_schema(noun):
    return extend_schema_view(
        get=extend_schema(summary=f"{noun}详情"),
        put=extend_schema(summary=f"修改{noun}"),
        patch=extend_schema(summary=f"修改{noun}（部分字段）"),
    )


@detail_schema("获证企业")
class EnterpriseDetail(ApiView, generics.RetrieveUpdateAPIView):
    serializer_class = EnterpriseSerializer
    permission_classes = [StaffWrites]

    def get_queryset(self):
        return selectors.enterprises_for(self.request.user).select_related(
            "region", "supervising_unit", "product_category"
        )


class LicenseQuery(serializers.Serializer):
    enterprise = IdParam(label="获证企业", help_text="获证企业的编号")
    expiry = ChoiceParam(EXPIRY, label="到期情况")


@extend_schema_view(
    get=extend_schema(summary="生产许可证列表", parameters=[LicenseQuery]),
    post=extend_schema(summary="新增生产许可证"),
)
class LicenseList(ApiView, generics.ListCreateAPIView):
    serializer_class = LicenseSerializer
    pagination_class = NewestFirst
    permission_classes = [StaffWrites]

    def get_queryset(self):
        qs = licenses_of(self.request.user)
        if self.request.method != "GET":
            return qs
        params = query(LicenseQuery, self.request)
        if params.get("enterprise"):
            qs = qs.filter(enterprise_id=params["enterprise"])
        if params.get("expiry") == "expiring":
            qs = qs.filter(selectors.expiring_q())
        elif params.get("expiry") == "expired":
            qs = qs.filter(selectors.expired_q())
        return qs


def licenses_of(user):
    return (
        selectors.licenses_for(user).select_related("enterprise", "product_category").prefetch_related("product_units")
    )


@detail_schema("生产许可证")
class LicenseDetail(ApiView, generics.RetrieveUpdateAPIView):
    serializer_class = LicenseSerializer
    permission_classes = [StaffWrites]

    def get_queryset(self):
        return licenses_of(self.request.user)


urlpatterns = [
    path("enterprises/", EnterpriseList.as_view(), name="api-enterprises"),
    path("enterprises/<int:pk>/", EnterpriseDetail.as_view(), name="api-enterprise"),
    path("licenses/", LicenseList.as_view(), name="api-licenses"),
    path("licenses/<int:pk>/", LicenseDetail.as_view(), name="api-license"),
]
