"""The OpenAPI schema tells the truth about errors: every operation lists the 400/403/404/409 bodies it can return,
in the shapes the API really sends (DRF's {"detail": ...}, {field: [messages]} and api.views.StaleWrite)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

TEXT = {"type": "string"}

ERROR = {"type": "object", "properties": {"detail": {**TEXT, "description": "中文说明"}}, "required": ["detail"]}

FIELD_ERRORS = {
    "type": "object",
    "description": "键为出错的字段或查询参数名（non_field_errors 为整体错误），值为中文说明的列表；"
    "整个请求无法读取时只有 detail。",
    "properties": {"detail": TEXT},
    "additionalProperties": {"type": "array", "items": TEXT},
}

STALE_WRITE = {
    "type": "object",
    "properties": {
        "detail": {**TEXT, "description": "中文说明，列出对方修改过的项目"},
        "conflicts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "label": {**TEXT, "description": "项目名称"},
                    "theirs": {**TEXT, "description": "当前保存的值"},
                    "yours": {**TEXT, "description": "本次提交的值"},
                },
                "required": ["label", "theirs", "yours"],
            },
        },
        "version": {**TEXT, "description": "记录当前的版本：核对后以它再次提交，将以本次提交的内容为准"},
    },
    "required": ["detail", "conflicts", "version"],
}


class ApiSchema(AutoSchema):
    """Adds the error responses an operation can return to the ones drf-spectacular derives from the view."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        errors = {}
        if self.method in ("POST", "PUT", "PATCH") or any(p["in"] == "query" for p in self._get_parameters()):
            errors["400"] = ("FieldErrors", FIELD_ERRORS, "请求有误：字段或查询参数的值无效")
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors["403"] = ("Error", ERROR, "未登录，或无权进行此操作")
        if "{" in self.path:
            errors["404"] = ("Error", ERROR, "记录不存在或不在您的辖区内")
        if self.method in ("PUT", "PATCH"):
            errors["409"] = ("StaleWrite", STALE_WRITE, "记录在读取之后已被他人修改，或提交的 version 无效")
        for code, (name, schema, description) in errors.items():
            component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
            self.registry.register_on_missing(component)
            bodies.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": component.ref}}}
            )
        return bodies
