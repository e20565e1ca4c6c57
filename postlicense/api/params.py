"""Query parameters of the list endpoints, validated: a value the endpoint cannot use is a 400 whose Chinese message
names the parameter and what it accepts, never a filter silently ignored. Each endpoint declares its parameters
once, as a serializer, which both validates the request and is published in the schema
(extend_schema(parameters=[TheQuery]))."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


def named(field):
    return f"{field.label}（{field.field_name}）"


class ChoiceParam(serializers.ChoiceField):
    """One of fixed values; empty means "all", as on the list pages."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices, required=False, allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        if data not in self.choice_strings_to_values and data != "":
            allowed = "、".join(f"{value}（{label}）" for value, label in self.choices.items())
            raise serializers.ValidationError(f"{named(self)}只能是 {allowed} 之一，收到的是“{data}”。")
        return super().to_internal_value(data)


class Typed:
    """DRF reads an empty query value as "not given"; a boolean or integer parameter refuses "" like any other
    value that is not one, as the schema says."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, serializers.empty)


class BooleanParam(Typed, serializers.BooleanField):
    def __init__(self, **kwargs):
        super().__init__(required=False, default=False, **kwargs)

    def to_internal_value(self, data):
        if data not in self.TRUE_VALUES | self.FALSE_VALUES:
            raise serializers.ValidationError(f"{named(self)}只能是 true 或 false，收到的是“{data}”。")
        return super().to_internal_value(data)


class IdParam(Typed, serializers.IntegerField):
    """A record's id (positive, within the database's integer range)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, max_value=2**63 - 1, **kwargs)

    def run_validation(self, data=serializers.empty):
        try:
            return super().run_validation(data)
        except serializers.ValidationError:
            raise serializers.ValidationError(f"{named(self)}应为正整数编号，收到的是“{data}”。") from None


@extend_schema_field({"type": "string", "pattern": r"^[^\x00]*$"})
class TextParam(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, **kwargs)

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(f"{named(self)}不能包含空字符（\\x00）。")
        return super().run_validation(data)


def query(serializer_class, request, **context):
    """The validated query parameters of `request`, or a 400 {parameter: [message]}."""
    params = serializer_class(data=request.query_params, context={"request": request, **context})
    params.is_valid(raise_exception=True)
    return params.validated_data


class CursorPages(CursorPagination):
    """Cursor (keyset) pages: no COUNT, stable at a million rows; a damaged cursor is a 400 like any bad parameter."""

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {self.cursor_query_param: ["翻页游标（cursor）无效：请使用上一页返回的 next 或 previous 链接。"]}
            ) from None
