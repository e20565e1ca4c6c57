from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEntry, CalendarDay, CalendarYear, OrgUnit, Region, User

# django-otp's device admins are English and show the keys; a lost phone is handled on 用户管理 (重置双因素认证).
admin.site.unregister([TOTPDevice, StaticDevice])


class NationalReferenceAdmin(admin.ModelAdmin):
    """Reference data that changes every jurisdiction's deadlines (holiday calendar, product catalogue): a city
    admin may look, only a superuser may change it (separation of duties, issue 11 item 9), whatever the
    permissions a group was given."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["level"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(User)
class PostlicenseUserAdmin(UserAdmin):
    """Superusers only: a city admin manages its own jurisdiction's users on 用户管理 (core.users), where the list is
    scoped and no one can be made a superuser."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission

    list_display = ["username", "display_name", "role", "org_unit", "is_active"]
    list_filter = ["role", "is_active", "org_unit"]
    fieldsets = UserAdmin.fieldsets + (("岗位", {"fields": ("display_name", "role", "org_unit")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("岗位", {"fields": ("display_name", "role", "org_unit")}),)


@admin.register(CalendarYear)
class CalendarYearAdmin(NationalReferenceAdmin):
    list_display = ["year", "source"]


@admin.register(CalendarDay)
class CalendarDayAdmin(NationalReferenceAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the chain is written by the system and only ever read by people."""

    list_display = ["id", "at", "actor_name", "action", "model", "object_id", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["object_repr", "object_id", "actor_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
