"""Django admin: the product catalogue is national reference data only a superuser changes (数据维护)."""

from django.contrib import admin

from postlicense.core.admin import NationalReferenceAdmin

from .models import Enterprise, License, ProductCategory, ProductUnit


class ProductUnitInline(admin.TabularInline):
    model = ProductUnit
    extra = 1


@admin.register(ProductCategory)
class ProductCategoryAdmin(NationalReferenceAdmin):
    list_display = ["code", "name", "is_focus", "active"]
    list_filter = ["is_focus", "active"]
    search_fields = ["name", "code"]
    inlines = [ProductUnitInline]


@admin.register(ProductUnit)
class ProductUnitAdmin(NationalReferenceAdmin):
    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region", "product_category", "status"]
    search_fields = ["credit_code"]
    raw_id_fields = ["region", "supervising_unit", "product_category"]
    show_full_result_count = False


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ["number", "enterprise", "product_category", "expiry_date", "status"]
    search_fields = ["number"]
    raw_id_fields = ["enterprise"]
    show_full_result_count = False
