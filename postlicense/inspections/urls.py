from django.urls import path

from . import checklist_views, views

app_name = "inspections"
urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("mine/", views.my_inspections, name="my_inspections"),
    path("export/", views.record_list_export, name="record_list_export"),
    path("new/", views.record_new, name="record_new"),
    path("<int:pk>/", views.record_detail, name="record_detail"),
    path("<int:pk>/crew/", views.record_crew, name="record_crew"),
    path("<int:pk>/fill/", views.record_fill, name="record_fill"),
    path("<int:pk>/draft/", views.record_draft, name="record_draft"),
    path("<int:pk>/sign/", views.record_sign, name="record_sign"),
    path("<int:pk>/equipment/", views.equipment_add, name="equipment_add"),
    path("<int:pk>/items/<int:item_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/signature/<str:who>/", views.signature_image, name="signature_image"),
    path("<int:pk>/amend/", views.record_amend, name="record_amend"),
    path("<int:pk>/pdf/", views.record_pdf, name="record_pdf"),
    path("<int:pk>/docx/", views.record_docx, name="record_docx"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("checklists/", checklist_views.checklist_list, name="checklist_list"),
    path("checklists/<int:pk>/draft/", checklist_views.checklist_new_draft, name="checklist_new_draft"),
    path("checklists/rows/", checklist_views.checklist_item_row, name="checklist_item_row"),
    path("checklists/versions/<int:pk>/", checklist_views.checklist_preview, name="checklist_preview"),
    path("checklists/versions/<int:pk>/edit/", checklist_views.checklist_edit, name="checklist_edit"),
    path("checklists/versions/<int:pk>/print/", checklist_views.checklist_print, name="checklist_print"),
    path("checklists/versions/<int:pk>/pdf/", checklist_views.checklist_pdf, name="checklist_pdf"),
]
