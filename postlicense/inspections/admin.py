from django.contrib import admin, messages

from . import services
from .models import ChecklistItem, ChecklistTemplate, ChecklistVersion, PrintTemplate


class ItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.published  # a published version is frozen: edit a new version

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(admin.ModelAdmin):
    list_display = ("template", "number", "title", "published", "created_at")
    list_filter = ("template", "published")
    inlines = [ItemInline]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.published:
            return [f.name for f in obj._meta.fields]
        return ["number"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.records.exists()


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "source")
    actions = ["make_new_version"]

    @admin.action(description="修改检查表：复制最新版本为新的草稿版本")
    def make_new_version(self, request, queryset):
        for template in queryset:
            if not template.versions.exists():
                messages.error(request, f"{template}：尚无版本，请先在“检查表版本”中添加第1版。")
                continue
            version = services.new_version(template)
            messages.success(request, f"已创建 {version}（草稿）：修改检查项后勾选“已发布”即启用。")


@admin.register(PrintTemplate)
class PrintTemplateAdmin(admin.ModelAdmin):
    list_display = ("template", "docx", "uploaded_at")
