from django.contrib import admin

from .models import Inspector


@admin.register(Inspector)
class InspectorAdmin(admin.ModelAdmin):
    list_display = ["name", "org_unit", "position", "certificate_no", "certificate_valid_until", "active"]
    list_filter = ["active", "org_unit"]
    search_fields = ["name", "certificate_no"]
    filter_horizontal = ["expertise"]
    raw_id_fields = ["avoid_enterprises", "user"]
