"""Read endpoints for rectification orders and revisits (/api/v1/rectification-orders/, /api/v1/revisits/): scoped
by the jurisdiction like the pages (an enterprise user reads its own orders, an inspector the revisits they are on),
cursor-paginated, filters validated (api.params). Orders are written through the pages (issue, serve, report)."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers

from postlicense.api.params import BooleanParam, ChoiceParam, CursorPages, IdParam, TextParam, query
from postlicense.api.views import ApiView

from . import selectors
from .models import OrderItem, RectificationOrder, Revisit


class NewestFirst(CursorPages):
    ordering = "-id"
    page_size = 50


class OrderItemSerializer(serializers.ModelSerializer):
    problem_status = serializers.CharField(source="problem.status", read_only=True, default=None, allow_null=True)

    class Meta:
        model = OrderItem
        fields = ["position", "description", "requirement", "problem", "problem_status"]


class OrderSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise_credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    title = serializers.CharField(read_only=True, help_text="责令改正通知书 或 停产整顿通知书")
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = RectificationOrder
        fields = [
            "id",
            "number",
            "title",
            "unit_name",
            "enterprise",
            "enterprise_name",
            "enterprise_credit_code",
            "source_kind",
            "source_label",
            "source_record",
            "parent",
            "measure",
            "legal_basis",
            "period_key",
            "period_days",
            "issued_on",
            "status",
            "served_on",
            "service_method",
            "refused",
            "deadline",
            "deadline_text",
            "revisit_due",
            "revisit_due_text",
            "closed_at",
            "items",
        ]
        read_only_fields = fields


class RevisitSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    enterprise_name = serializers.CharField(source="order.enterprise.name", read_only=True)
    record_status = serializers.CharField(source="record.status", read_only=True)
    due_date = serializers.DateField(source="record.due_date", read_only=True)
    inspection_date = serializers.DateField(source="record.inspection_date", read_only=True, allow_null=True)

    class Meta:
        model = Revisit
        fields = [
            "id",
            "order",
            "order_number",
            "enterprise_name",
            "record",
            "record_status",
            "due_date",
            "inspection_date",
            "outcome",
            "dispatched_at",
        ]
        read_only_fields = fields


class OrderQuery(serializers.Serializer):
    status = ChoiceParam(RectificationOrder.Status.choices, label="状态")
    enterprise = IdParam(label="企业", help_text="获证企业的编号")
    q = TextParam(label="文号/企业名称")
    overdue = BooleanParam(label="仅逾期", help_text="整改期满未报告，或复查期限已过未派发复查")


def orders_of(user):
    return selectors.orders_for(user).prefetch_related("items__problem")


@extend_schema_view(get=extend_schema(summary="责令改正通知书列表", parameters=[OrderQuery]))
class OrderList(ApiView, generics.ListAPIView):
    serializer_class = OrderSerializer
    pagination_class = NewestFirst
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        params = query(OrderQuery, self.request)
        qs = orders_of(self.request.user)
        if params.get("enterprise"):
            qs = qs.filter(enterprise_id=params["enterprise"])
        return selectors.filter_orders(
            qs,
            status=params.get("status", ""),
            q=params.get("q", ""),
            overdue="1" if params.get("overdue") else "",
            today=timezone.localdate(),
        )


@extend_schema_view(get=extend_schema(summary="责令改正通知书详情"))
class OrderDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = OrderSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return orders_of(self.request.user)


class RevisitQuery(serializers.Serializer):
    order = IdParam(label="责令改正通知书", help_text="通知书的编号（id）")


@extend_schema_view(get=extend_schema(summary="回访/复查列表", parameters=[RevisitQuery]))
class RevisitList(ApiView, generics.ListAPIView):
    serializer_class = RevisitSerializer
    pagination_class = NewestFirst
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        params = query(RevisitQuery, self.request)
        qs = selectors.revisits_for(self.request.user)
        return qs.filter(order_id=params["order"]) if params.get("order") else qs


@extend_schema_view(get=extend_schema(summary="回访/复查详情"))
class RevisitDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = RevisitSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return selectors.revisits_for(self.request.user)


urlpatterns = [
    path("rectification-orders/", OrderList.as_view(), name="api-rectification-orders"),
    path("rectification-orders/<int:pk>/", OrderDetail.as_view(), name="api-rectification-order"),
    path("revisits/", RevisitList.as_view(), name="api-revisits"),
    path("revisits/<int:pk>/", RevisitDetail.as_view(), name="api-revisit"),
]
