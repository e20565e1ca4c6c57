"""Read endpoints for planning (/api/v1/plans/, /api/v1/plans/<id>/entries/, /api/v1/rechecks/,
/api/v1/campaigns/): scoped to the reader's jurisdiction, cursor-paginated."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers

from postlicense.api.params import CursorPages
from postlicense.api.views import ApiView
from postlicense.core.scoping import get_scoped_or_404

from . import oversight, selectors
from .models import Campaign, CampaignVisit, Plan, PlanEntry, Recheck


class ById(CursorPages):
    ordering = "id"
    page_size = 50


class StaffOnly(permissions.IsAuthenticated):
    message = "只有市局、县局/分局人员可以查看计划与督查。"

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.is_bureau_staff


class PlanSerializer(serializers.ModelSerializer):
    org_unit = serializers.CharField(source="org_unit.name", read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "org_unit", "year", "plan_date", "status", "approved_at"]


class EntrySerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)

    class Meta:
        model = PlanEntry
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "credit_code",
            "supervision_class",
            "factors",
            "minimum",
            "planned",
            "done",
        ]


class RecheckSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.name", read_only=True)
    task = serializers.PrimaryKeyRelatedField(read_only=True, help_text="抽取任务（双随机抽查任务编号，公示页可验证）")
    done = serializers.SerializerMethodField(help_text="已完成复查的企业数")

    class Meta:
        model = Recheck
        fields = ["id", "county", "year", "licensed", "target", "task", "done"]

    def get_done(self, recheck) -> int:
        return oversight.recheck_done(recheck)


class VisitSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.name", read_only=True)
    group = serializers.SerializerMethodField(help_text="督查互查组成员单位")

    class Meta:
        model = CampaignVisit
        fields = ["id", "branch", "date", "group", "task", "materials_sampled"]

    def get_group(self, visit) -> list[str]:
        return [unit.name for unit in oversight.visit_group(visit)]


class CampaignSerializer(serializers.ModelSerializer):
    organiser = serializers.CharField(source="organiser.name", read_only=True)
    visits = VisitSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "year",
            "organiser",
            "self_check_start",
            "self_check_end",
            "audit_start",
            "audit_end",
            "visits",
        ]


@extend_schema_view(get=extend_schema(summary="年度检查计划列表"))
class PlanList(ApiView, generics.ListAPIView):
    serializer_class = PlanSerializer
    pagination_class = ById
    permission_classes = [StaffOnly]

    def get_queryset(self):
        return selectors.plans_for(self.request.user)


@extend_schema_view(get=extend_schema(summary="计划企业（应检与已检次数）"))
class PlanEntries(ApiView, generics.ListAPIView):
    serializer_class = EntrySerializer
    pagination_class = ById
    permission_classes = [StaffOnly]

    def get_queryset(self):
        plan = get_scoped_or_404(Plan, self.request.user, pk=self.kwargs["pk"])
        return plan.entries.select_related("enterprise")


@extend_schema_view(get=extend_schema(summary="市局复查列表"))
class RecheckList(ApiView, generics.ListAPIView):
    serializer_class = RecheckSerializer
    pagination_class = ById
    permission_classes = [StaffOnly]

    def get_queryset(self):
        return selectors.rechecks_for(self.request.user)


@extend_schema_view(get=extend_schema(summary="督查互查列表（含时间安排）"))
class CampaignList(ApiView, generics.ListAPIView):
    serializer_class = CampaignSerializer
    pagination_class = ById
    permission_classes = [StaffOnly]

    def get_queryset(self):
        return selectors.campaigns_for(self.request.user).prefetch_related("visits__branch")


urlpatterns = [
    path("plans/", PlanList.as_view(), name="api-plan-list"),
    path("plans/<int:pk>/entries/", PlanEntries.as_view(), name="api-plan-entries"),
    path("rechecks/", RecheckList.as_view(), name="api-recheck-list"),
    path("campaigns/", CampaignList.as_view(), name="api-campaign-list"),
]
