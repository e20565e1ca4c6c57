from datetime import date

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from postlicense.core.workdays import add_working_days


class AddWorkingDaysQuery(serializers.Serializer):
    start = serializers.DateField(input_formats=["%Y-%m-%d"], error_messages={"invalid": "日期格式应为 YYYY-MM-DD。"})
    days = serializers.IntegerField(min_value=1, max_value=3650)


@extend_schema(
    summary="第 N 个工作日",
    description="返回 start 之后的第 days 个工作日（不含 start 当日；按国务院节假日安排，含调休）。",
    parameters=[
        OpenApiParameter("start", date, required=True),
        OpenApiParameter("days", int, required=True),
    ],
    responses={200: inline_serializer("AddWorkingDaysResult", {"date": serializers.DateField()})},
)
@api_view(["GET"])
@permission_classes([AllowAny])
def calendar_add_working_days(request):
    query = AddWorkingDaysQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    try:
        result = add_working_days(query.validated_data["start"], query.validated_data["days"])
    except ValidationError as exc:
        return Response({"detail": exc.messages[0]}, status=400)
    return Response({"date": result.isoformat()})
