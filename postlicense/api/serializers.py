"""No lost updates through the API (issue 11 item 3): every representation carries the record's version
(core.concurrency.version_of over the fields the API writes); a PUT or PATCH sends it back and is refused with 409
(api.views.StaleWrite) when it would overwrite what someone else saved since. A PUT or PATCH without a version is a 400."""

from django.db import transaction
from rest_framework import serializers

from postlicense.core.concurrency import StaleEdit, check_version, locked, version_of

from .views import StaleWrite


class VersionField(serializers.CharField):
    def __init__(self):
        super().__init__(
            required=False,
            help_text="记录的版本：读取时返回；修改（PUT/PATCH）时必须原样提交，记录在此期间被他人修改则拒绝保存（409）",
        )

    def get_attribute(self, instance):
        return version_of(instance, self.parent.versioned_fields())


class VersionedSerializer(serializers.ModelSerializer):
    version = VersionField()

    def get_field_names(self, declared_fields, info):
        return [*super().get_field_names(declared_fields, info), "version"]

    def versioned_fields(self):
        return [field.source for name, field in self.fields.items() if not field.read_only and name != "version"]

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        self.loaded_version = attrs.pop("version", "")
        return attrs

    def run_validation(self, data=serializers.empty):
        # After the fields and the model's rules: a wrong value is reported as such, with or without a version.
        attrs = super().run_validation(data)
        if self.instance is not None and not self.loaded_version:
            raise serializers.ValidationError({"version": ["修改时必须提交读取这条记录时返回的 version。"]})
        return attrs

    def update(self, instance, validated_data):
        with transaction.atomic():
            current = locked(instance)
            try:
                check_version(current, self.loaded_version, validated_data, self.versioned_fields())
            except StaleEdit as stale:
                raise StaleWrite(stale) from None
            return super().update(current, validated_data)
