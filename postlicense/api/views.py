"""What every endpoint under /api/v1/ shares: Chinese errors in the shapes api.schema documents, a JSON 404 for
any unknown address, the stale-write refusal, and the schema and docs for bureau staff only."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes, schema
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from postlicense.core.workdays import add_working_days

from .schema import ApiSchema

NOT_FOUND = "记录不存在，或不在您的辖区内。"


class UnstorableText(ParseError):
    default_detail = "请求内容含有不能保存的字符：空字符（\\x00）或不成对的 UTF-16 代理字符。"


def _storable(value):
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    return True


class TextJSONParser(JSONParser):
    """JSON whose every string (keys too) a database can store: PostgreSQL refuses NUL in text and UTF-8 has no lone
    surrogates, so such a value must be a 400 here, before any field (a related field's lookup as much as a text
    field) takes it to a query."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not _storable(data):
            raise UnstorableText()
        return data


class ApiView:
    """Mix into every API view (before DRF's class): JSON bodies only, the documented error responses and Chinese
    404/400 texts (Django's Http404 and DRF's parse error speak English)."""

    schema = ApiSchema()
    parser_classes = [TextJSONParser]

    def handle_exception(self, exc):
        if isinstance(exc, Http404):
            exc = NotFound(NOT_FOUND)
        elif isinstance(exc, ParseError) and not isinstance(exc, UnstorableText):
            exc = ParseError("请求内容不是有效的 JSON。")
        return super().handle_exception(exc)


class StaleWrite(APIException):
    """409 for a PUT/PATCH whose version is not the record's (core.concurrency.StaleEdit), listing what differs."""

    status_code = 409

    def __init__(self, stale):
        changes = "；".join(str(c) for c in stale.conflicts)
        super().__init__(
            {
                "detail": "保存未成功：这条记录在您读取之后已被他人修改（或提交的 version 无效），以下项目当前保存的值"
                f"与您提交的不同（项目：当前保存的值 → 您提交的值）：{changes}。请核对后以返回的 version 再次提交，"
                "再次提交将以您提交的内容为准。",
                "conflicts": [{"label": c.label, "theirs": c.theirs, "yours": c.yours} for c in stale.conflicts],
                "version": stale.version,
            }
        )


class BureauStaff(IsAuthenticated):
    message = "只有市局、县局/分局人员可以查看接口说明。"

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.is_bureau_staff


@extend_schema_view(get=extend_schema(exclude=True))
class SchemaView(SpectacularAPIView):
    permission_classes = [BureauStaff]


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [BureauStaff]


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request, *args, **kwargs):
    raise NotFound("接口地址不存在。")


class AddWorkingDaysQuery(serializers.Serializer):
    start = serializers.DateField(input_formats=["%Y-%m-%d"], error_messages={"invalid": "日期格式应为 YYYY-MM-DD。"})
    days = serializers.IntegerField(min_value=1, max_value=3650)


@extend_schema(
    summary="第 N 个工作日",
    description="返回 start 之后的第 days 个工作日（不含 start 当日；按国务院节假日安排，含调休）。",
    parameters=[AddWorkingDaysQuery],
    responses={200: inline_serializer("AddWorkingDaysResult", {"date": serializers.DateField()})},
)
@api_view(["GET"])
@permission_classes([AllowAny])
@schema(ApiSchema())
def calendar_add_working_days(request):
    query = AddWorkingDaysQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    try:
        result = add_working_days(query.validated_data["start"], query.validated_data["days"])
    except ValidationError as exc:
        return Response({"detail": exc.messages[0]}, status=400)
    return Response({"date": result.isoformat()})
