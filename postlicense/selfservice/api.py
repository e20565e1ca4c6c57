"""Read endpoints of self-service (/api/v1/self-reports/, /api/v1/enterprise-feedback/), cursor-paginated, filters
validated (api.params). Self-reports are scoped like the pages: an enterprise user reads its own (drafts too), bureau
staff the filed reports of their jurisdiction. Feedback on inspectors goes to the city only (002 第二十、二十一条):
a city admin of a 市局 reads its city's; everyone else, the enterprise included, gets an empty list and 404s (the
enterprise reads its own feedback on its pages). Reports and feedback are written through the pages."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers

from postlicense.api.params import ChoiceParam, CursorPages, IdParam, Typed, query
from postlicense.api.views import ApiView

from . import selectors
from .models import Feedback, SelfReport


class NewestFirst(CursorPages):
    ordering = "-id"
    page_size = 50


class SelfReportSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise_credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)

    class Meta:
        model = SelfReport
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "enterprise_credit_code",
            "year",
            "status",
            "source",
            "source_file",
            "declarant",
            "declarant_position",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "inspection",
            "content",
        ]
        read_only_fields = fields


class FeedbackSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    inspector_name = serializers.CharField(source="inspector.name", read_only=True)
    categories = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="反映事项")

    class Meta:
        model = Feedback
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "record",
            "inspector",
            "inspector_name",
            "categories",
            "text",
            "status",
            "submitted_at",
            "ack_due",
            "ack_due_text",
            "acknowledged_at",
            "substantiated",
            "action",
            "concluded_at",
        ]
        read_only_fields = fields


def reports_of(user):
    qs = selectors.reports_for(user)
    if selectors.enterprise_of(user) is None:
        qs = qs.exclude(status=SelfReport.Status.DRAFT)  # a draft is the enterprise's until it is filed
    return qs


def feedback_of(user):
    qs = selectors.feedback_for(user)
    return qs.none() if selectors.enterprise_of(user) is not None else qs


class YearParam(Typed, serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=2000, max_value=2100, **kwargs)


class ReportQuery(serializers.Serializer):
    year = YearParam(label="报告年度")
    status = ChoiceParam(SelfReport.Status.choices, label="状态")
    enterprise = IdParam(label="企业", help_text="获证企业的编号")


@extend_schema_view(get=extend_schema(summary="企业年度自查报告列表", parameters=[ReportQuery]))
class ReportList(ApiView, generics.ListAPIView):
    serializer_class = SelfReportSerializer
    pagination_class = NewestFirst
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        params = query(ReportQuery, self.request)
        qs = reports_of(self.request.user)
        for key, lookup in (("year", "year"), ("status", "status"), ("enterprise", "enterprise_id")):
            if params.get(key):
                qs = qs.filter(**{lookup: params[key]})
        return qs


@extend_schema_view(get=extend_schema(summary="企业年度自查报告详情"))
class ReportDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = SelfReportSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return reports_of(self.request.user)


class FeedbackQuery(serializers.Serializer):
    status = ChoiceParam(Feedback.Status.choices, label="状态")


@extend_schema_view(get=extend_schema(summary="执法行为反馈列表（市局）", parameters=[FeedbackQuery]))
class FeedbackList(ApiView, generics.ListAPIView):
    serializer_class = FeedbackSerializer
    pagination_class = NewestFirst
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        params = query(FeedbackQuery, self.request)
        qs = feedback_of(self.request.user)
        return qs.filter(status=params["status"]) if params.get("status") else qs


@extend_schema_view(get=extend_schema(summary="执法行为反馈详情（市局）"))
class FeedbackDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = FeedbackSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return feedback_of(self.request.user)


urlpatterns = [
    path("self-reports/", ReportList.as_view(), name="api-self-reports"),
    path("self-reports/<int:pk>/", ReportDetail.as_view(), name="api-self-report"),
    path("enterprise-feedback/", FeedbackList.as_view(), name="api-enterprise-feedback-list"),
    path("enterprise-feedback/<int:pk>/", FeedbackDetail.as_view(), name="api-enterprise-feedback"),
]
