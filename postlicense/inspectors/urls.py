from django.urls import path

from . import views

app_name = "inspectors"
urlpatterns = [
    path("", views.inspector_list, name="inspector_list"),
    path("export.xlsx", views.inspector_export, name="inspector_export"),
    path("new/", views.inspector_edit, name="inspector_create"),
    path("<int:pk>/", views.inspector_detail, name="inspector_detail"),
    path("<int:pk>/edit/", views.inspector_edit, name="inspector_edit"),
]
