from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("mine/", views.my_inspections, name="my_inspections"),
    path("new/", views.record_new, name="record_new"),
    path("<int:pk>/", views.record_detail, name="record_detail"),
    path("<int:pk>/fill/", views.record_fill, name="record_fill"),
    path("<int:pk>/draft/", views.record_draft, name="record_draft"),
    path("<int:pk>/finish/", views.record_finish, name="record_finish"),
    path("<int:pk>/sign/", views.record_sign, name="record_sign"),
    path("<int:pk>/equipment/", views.equipment_add, name="equipment_add"),
    path("<int:pk>/items/<int:item_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/signature/<str:who>/", views.signature_image, name="signature_image"),
    path("<int:pk>/amend/", views.record_amend, name="record_amend"),
    path("<int:pk>/pdf/", views.record_pdf, name="record_pdf"),
    path("<int:pk>/docx/", views.record_docx, name="record_docx"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
]
