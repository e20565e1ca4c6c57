"""Read-only REST endpoints for the register (/api/v1/enterprises/, /api/v1/licenses/): scoped, paginated."""
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination

from . import selectors
from .forms import EnterpriseFilterForm
from .models import Enterprise, License


class NewestFirst(CursorPagination):
    """Cursor (keyset) pages: no COUNT, stable at a million rows."""

    ordering = "-id"
    page_size = 50


class LicenseSerializer(serializers.ModelSerializer):
    enterprise_credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    product_category = serializers.CharField(source="product_category.name", read_only=True)
    product_units = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = License
        fields = ["id", "number", "enterprise", "enterprise_credit_code", "product_category", "product_units",
                  "issue_date", "expiry_date", "issuing_authority", "status"]


class EnterpriseSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    supervising_unit = serializers.CharField(source="supervising_unit.name", read_only=True)
    product_category = serializers.CharField(source="product_category.name", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "legal_representative", "contact", "phone", "address", "production_address",
                  "region", "region_name", "supervising_unit", "product_category", "products", "production_scale",
                  "status", "risk_level", "supervision_class", "is_focus", "updated_at"]


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="名称、拼音首字母（如 xcsn）或信用代码"),
    OpenApiParameter("license_number", str), OpenApiParameter("region", str, description="区划代码前缀"),
    OpenApiParameter("category", int), OpenApiParameter("risk_level", str, enum=Enterprise.RiskLevel.values),
    OpenApiParameter("supervision_class", str, enum=Enterprise.SupervisionClass.values),
    OpenApiParameter("status", str, enum=Enterprise.Status.values),
    OpenApiParameter("expiry", str, enum=["expiring", "expired"]),
]


@extend_schema(summary="获证企业列表", parameters=FILTER_PARAMETERS)
class EnterpriseList(generics.ListAPIView):
    serializer_class = EnterpriseSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        form = EnterpriseFilterForm(self.request.query_params or None, user=self.request.user)
        qs = selectors.filter_enterprises(selectors.enterprises_for(self.request.user), form.to_filter())
        return qs.select_related("region", "supervising_unit", "product_category")


@extend_schema(summary="获证企业详情")
class EnterpriseDetail(generics.RetrieveAPIView):
    serializer_class = EnterpriseSerializer

    def get_queryset(self):
        return selectors.enterprises_for(self.request.user).select_related("region", "supervising_unit", "product_category")


@extend_schema(summary="生产许可证列表", parameters=[OpenApiParameter("enterprise", int),
                                               OpenApiParameter("expiry", str, enum=["expiring", "expired"])])
class LicenseList(generics.ListAPIView):
    serializer_class = LicenseSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        qs = selectors.licenses_for(self.request.user).select_related("enterprise", "product_category").prefetch_related("product_units")
        params = self.request.query_params
        if params.get("enterprise", "").isdigit():
            qs = qs.filter(enterprise_id=params["enterprise"])
        if params.get("expiry") == "expiring":
            qs = qs.filter(selectors.expiring_q())
        elif params.get("expiry") == "expired":
            qs = qs.filter(selectors.expired_q())
        return qs


urlpatterns = [
    path("enterprises/", EnterpriseList.as_view(), name="api-enterprises"),
    path("enterprises/<int:pk>/", EnterpriseDetail.as_view(), name="api-enterprise"),
    path("licenses/", LicenseList.as_view(), name="api-licenses"),
]
