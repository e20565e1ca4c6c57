"""Read endpoints for reports (/api/v1/reports/<kind>/ and /api/v1/reports/<kind>/submissions/), bureau staff only:
a report's tables computed now for a unit the user may look at (their own, or a city's county) and a period, and the
frozen submissions of that report in the user's jurisdiction, newest first."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from postlicense.api.params import ChoiceParam, CursorPages, IdParam, Typed, query
from postlicense.api.views import ApiView

from . import selectors
from .kinds import KINDS
from .models import Submission
from .periods import PARTS, parse

KIND = OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(KINDS), description="报表")


class BureauOnly(permissions.IsAuthenticated):
    message = "报表仅供监管部门人员使用。"

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view) and request.user.is_bureau_staff and request.user.org_unit is not None
        )


class YearParam(Typed, serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=2000, max_value=2100, **kwargs)

    def run_validation(self, data=serializers.empty):
        try:
            return super().run_validation(data)
        except serializers.ValidationError:
            raise serializers.ValidationError(f"年度（year）应为 2000 到 2100 之间的年份，收到的是“{data}”。") from None


class ReportQuery(serializers.Serializer):
    year = YearParam(label="年度", help_text="默认为今年")
    part = ChoiceParam(PARTS, label="期间", help_text="默认为该报表的第一个期间")
    unit = IdParam(label="填报单位", help_text="本单位或所辖单位的编号（id），默认为本单位")


class TableSerializer(serializers.Serializer):
    title = serializers.CharField()
    note = serializers.CharField()
    columns = serializers.ListField(child=serializers.DictField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))


class ReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    table_name = serializers.CharField()
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    year = serializers.IntegerField()
    part = serializers.CharField()
    period = serializers.CharField()
    cut = serializers.DateField()
    tables = TableSerializer(many=True)


class SubmissionSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    tables = TableSerializer(many=True, read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "kind",
            "org_unit",
            "unit_name",
            "year",
            "part",
            "cut",
            "status",
            "filled_by",
            "checked_by",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "tables",
        ]
        read_only_fields = fields


def _kind(key):
    if key not in KINDS:
        raise Http404
    return KINDS[key]


@extend_schema_view(
    get=extend_schema(summary="报表（按单位和期间统计）", parameters=[KIND, ReportQuery], responses=ReportSerializer)
)
class ReportView(ApiView, generics.GenericAPIView):
    permission_classes = [BureauOnly]
    serializer_class = ReportSerializer

    def get(self, request, kind):
        kind = _kind(kind)
        params = query(ReportQuery, request)
        today = timezone.localdate()
        units = selectors.units_for(request.user)
        unit = next((u for u in units if u.pk == params.get("unit", units[0].pk)), None)
        if unit is None:
            raise ValidationError({"unit": ["填报单位（unit）应为本单位或所辖单位。"]})
        try:
            period = parse(params.get("year", today.year), params.get("part") or kind.parts[0], today, kind.parts)
            cut = kind.cut(unit, period, today)  # a due date in a year without calendar data is refused
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"year": exc.messages}) from None
        data = {
            "kind": kind.key,
            "label": kind.label,
            "table_name": kind.table_name,
            "unit": unit.pk,
            "unit_name": unit.name,
            "year": period.year,
            "part": period.part,
            "period": period.label,
            "cut": cut,
            "tables": [t.as_dict() for t in kind.compute(unit, period, cut)],
        }
        return Response(ReportSerializer(data).data)


class SubmissionQuery(serializers.Serializer):
    year = YearParam(label="年度")
    part = ChoiceParam(PARTS, label="期间")


class NewestFirst(CursorPages):
    ordering = "-id"
    page_size = 50


@extend_schema_view(get=extend_schema(summary="报表报送记录", parameters=[KIND, SubmissionQuery]))
class SubmissionList(ApiView, generics.ListAPIView):
    permission_classes = [BureauOnly]
    serializer_class = SubmissionSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        kind = _kind(self.kwargs["kind"])
        params = query(SubmissionQuery, self.request)
        qs = selectors.submissions_for(self.request.user).filter(kind=kind.key)
        if params.get("year"):
            qs = qs.filter(year=params["year"])
        return qs.filter(part=params["part"]) if params.get("part") else qs


urlpatterns = [
    path("reports/<str:kind>/", ReportView.as_view(), name="api-report"),
    path("reports/<str:kind>/submissions/", SubmissionList.as_view(), name="api-report-submissions"),
]
