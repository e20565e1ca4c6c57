"""Read endpoints for supervision testing (/api/v1/tests/, /api/v1/complaints/, /api/v1/notices/): scoped to the
user's jurisdiction as the pages are (an enterprise user reads its own tests), cursor-paginated, newest first."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers

from postlicense.api.params import ChoiceParam, CursorPages, TextParam, query
from postlicense.api.views import ApiView

from . import selectors
from .models import Complaint, LinkageNotice, TestOrder


class NewestFirst(CursorPages):
    ordering = "-id"
    page_size = 50


class BureauOnly(permissions.IsAuthenticated):
    message = "只有市局、县局/分局人员可以查看。"

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.is_bureau_staff


class TestOrderSerializer(serializers.ModelSerializer):
    enterprise_credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    license_number = serializers.CharField(source="license.number", read_only=True)
    lab_name = serializers.CharField(source="lab.name", read_only=True, default="")

    class Meta:
        model = TestOrder
        fields = [
            "id",
            "number",
            "enterprise",
            "enterprise_credit_code",
            "license_number",
            "product",
            "trigger",
            "trigger_note",
            "status",
            "sampling_date",
            "place",
            "seal_no",
            "not_sampled_reason",
            "sending_due",
            "sent_date",
            "late_reason",
            "lab_name",
            "received_date",
            "report_due",
            "report_no",
            "report_date",
            "result",
            "failed_items",
            "hazard_level",
            "notified_date",
            "stop_selling_date",
            "retest_due",
            "retest_requested_date",
            "handled_date",
            "rectification_order",
            "source_order",
        ]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "source",
            "received_date",
            "enterprise",
            "enterprise_text",
            "assigned_unit",
            "answer_due",
            "status",
            "substantiated",
            "answered_date",
            "inspection",
        ]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LinkageNotice
        fields = ["id", "source", "doc_no", "doc_date", "received_date", "product", "failed_items"]
        read_only_fields = fields


class TestQuery(serializers.Serializer):
    status = ChoiceParam(TestOrder.Status.choices, label="状态")
    result = ChoiceParam(TestOrder.Result.choices, label="检验结论")
    q = TextParam(label="企业/产品/编号")


@extend_schema_view(get=extend_schema(summary="监督检验列表", parameters=[TestQuery]))
class TestList(ApiView, generics.ListAPIView):
    serializer_class = TestOrderSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        params = query(TestQuery, self.request)
        return selectors.filter_tests(selectors.tests_for(self.request.user), **params).select_related("license")


@extend_schema_view(get=extend_schema(summary="监督检验详情"))
class TestDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = TestOrderSerializer

    def get_queryset(self):
        return selectors.tests_for(self.request.user).select_related("license")


@extend_schema_view(get=extend_schema(summary="举报投诉列表"))
class ComplaintList(ApiView, generics.ListAPIView):
    serializer_class = ComplaintSerializer
    pagination_class = NewestFirst
    permission_classes = [BureauOnly]

    def get_queryset(self):
        return selectors.complaints_for(self.request.user)


@extend_schema_view(get=extend_schema(summary="通报列表"))
class NoticeList(ApiView, generics.ListAPIView):
    serializer_class = NoticeSerializer
    pagination_class = NewestFirst
    permission_classes = [BureauOnly]

    def get_queryset(self):
        return selectors.notices_for(self.request.user)


urlpatterns = [
    path("tests/", TestList.as_view(), name="api-tests"),
    path("tests/<int:pk>/", TestDetail.as_view(), name="api-test"),
    path("complaints/", ComplaintList.as_view(), name="api-complaints"),
    path("notices/", NoticeList.as_view(), name="api-notices"),
]
