from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/export.xlsx", views.enterprise_export, name="enterprise_export"),
    path("enterprises/new/", views.enterprise_edit, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:enterprise_pk>/licenses/new/", views.license_edit, name="license_create"),
    path("enterprises/<int:enterprise_pk>/licenses/<int:pk>/", views.license_edit, name="license_edit"),
    path("enterprises/<int:enterprise_pk>/equipment/new/", views.equipment_edit, name="equipment_create"),
    path("enterprises/<int:enterprise_pk>/equipment/<int:pk>/", views.equipment_edit, name="equipment_edit"),
    path("import/<str:kind>/", views.import_upload, name="import_upload"),
    path("import/<str:kind>/template.xlsx", views.import_template, name="import_template"),
    path("import-jobs/<int:pk>/", views.import_job, name="import_job"),
]
