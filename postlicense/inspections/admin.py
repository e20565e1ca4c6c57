from django.contrib import admin

from .models import PrintTemplate

# Checklists are edited on their own page (检查表, checklist_views), not as JSON here.


@admin.register(PrintTemplate)
class PrintTemplateAdmin(admin.ModelAdmin):
    list_display = ("template", "docx", "uploaded_at")
