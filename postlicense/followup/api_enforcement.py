"""Read endpoints for license-decision proposals, interviews and cases (/api/v1/followup/...): scoped, paginated.

Writes go through the pages (each step records who, when and why); the API only reads.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers

from postlicense.api.params import ChoiceParam, CursorPages, IdParam, query
from postlicense.api.views import ApiView

from . import cases, decisions, interviews
from .models import Case, Interview, InterviewCommitment, LicenseDecisionProposal


class NewestFirst(CursorPages):
    ordering = "-id"
    page_size = 50


class ProposalSerializer(serializers.ModelSerializer):
    license_number = serializers.CharField(source="license.number", read_only=True)
    enterprise = serializers.IntegerField(source="license.enterprise_id", read_only=True)
    enterprise_name = serializers.CharField(source="license.enterprise.name", read_only=True)
    proposed_by = serializers.StringRelatedField()

    class Meta:
        model = LicenseDecisionProposal
        fields = [
            "id",
            "license",
            "license_number",
            "enterprise",
            "enterprise_name",
            "kind",
            "ground",
            "facts",
            "source",
            "status",
            "proposed_at",
            "proposed_by",
            "confirm_due",
            "confirmed_at",
            "forwarded_at",
            "dismissed_at",
            "dismiss_reason",
            "decision_number",
            "decision_date",
            "decision_outcome",
            "decision_authority",
        ]


class CommitmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = InterviewCommitment
        fields = ["id", "content", "due", "due_text", "fulfilled_at", "fulfilled_note"]


class InterviewSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    officials = serializers.StringRelatedField(many=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta:
        model = Interview
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "reason",
            "problems",
            "notice_date",
            "scheduled_at",
            "place",
            "officials",
            "status",
            "attendee_kind",
            "attendee_name",
            "attendee_position",
            "record",
            "attendee_signed",
            "refusal_note",
            "commitments",
        ]


class CaseSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "clue",
            "problems",
            "discovered_on",
            "receiver_kind",
            "receiver",
            "referred_on",
            "filing_due",
            "filing_due_text",
            "filing_extension_reason",
            "filed_on",
            "case_number",
            "decision_due",
            "decision_due_text",
            "decision_extension_reason",
            "suspended_days",
            "decided_on",
            "outcome",
            "outcome_note",
            "link",
        ]


class ProposalQuery(serializers.Serializer):
    status = ChoiceParam(LicenseDecisionProposal.Status.choices, label="状态")
    kind = ChoiceParam(LicenseDecisionProposal.Kind.choices, label="建议处理")
    enterprise = IdParam(label="获证企业", help_text="获证企业的编号")


class EnterpriseQuery(serializers.Serializer):
    enterprise = IdParam(label="获证企业", help_text="获证企业的编号")


def _by_enterprise(qs, params, path="enterprise_id"):
    return qs.filter(**{path: params["enterprise"]}) if params.get("enterprise") else qs


@extend_schema_view(get=extend_schema(summary="许可处理建议列表", parameters=[ProposalQuery]))
class ProposalList(ApiView, generics.ListAPIView):
    serializer_class = ProposalSerializer
    pagination_class = NewestFirst
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        params = query(ProposalQuery, self.request)
        qs = _by_enterprise(decisions.proposals_for(self.request.user), params, "license__enterprise_id")
        for key in ("status", "kind"):
            if params.get(key):
                qs = qs.filter(**{key: params[key]})
        return qs


@extend_schema_view(get=extend_schema(summary="许可处理建议详情"))
class ProposalDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = ProposalSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return decisions.proposals_for(self.request.user)


@extend_schema_view(get=extend_schema(summary="约谈列表", parameters=[EnterpriseQuery]))
class InterviewList(ApiView, generics.ListAPIView):
    serializer_class = InterviewSerializer
    pagination_class = NewestFirst
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        qs = interviews.interviews_for(self.request.user).prefetch_related("officials", "problems", "commitments")
        return _by_enterprise(qs, query(EnterpriseQuery, self.request))


@extend_schema_view(get=extend_schema(summary="约谈详情"))
class InterviewDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = InterviewSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return interviews.interviews_for(self.request.user).prefetch_related("officials", "problems", "commitments")


class StaffOnly(permissions.IsAuthenticated):
    message = "只有市局、县局/分局人员可以查看案件线索。"

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.is_bureau_staff


@extend_schema_view(get=extend_schema(summary="案件线索列表", parameters=[EnterpriseQuery]))
class CaseList(ApiView, generics.ListAPIView):
    serializer_class = CaseSerializer
    pagination_class = NewestFirst
    permission_classes = [StaffOnly]

    def get_queryset(self):
        qs = cases.cases_for(self.request.user).prefetch_related("problems")
        return _by_enterprise(qs, query(EnterpriseQuery, self.request))


@extend_schema_view(get=extend_schema(summary="案件线索详情"))
class CaseDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = CaseSerializer
    permission_classes = [StaffOnly]

    def get_queryset(self):
        return cases.cases_for(self.request.user).prefetch_related("problems")


urlpatterns = [
    path("followup/decisions/", ProposalList.as_view(), name="api-followup-decisions"),
    path("followup/decisions/<int:pk>/", ProposalDetail.as_view(), name="api-followup-decision"),
    path("followup/interviews/", InterviewList.as_view(), name="api-followup-interviews"),
    path("followup/interviews/<int:pk>/", InterviewDetail.as_view(), name="api-followup-interview"),
    path("followup/cases/", CaseList.as_view(), name="api-followup-cases"),
    path("followup/cases/<int:pk>/", CaseDetail.as_view(), name="api-followup-case"),
]
