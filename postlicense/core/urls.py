from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("org-units/", views.org_unit_list, name="org_unit_list"),
    path("history/<str:label>/<str:pk>/", views.record_history, name="record_history"),
    path("calendar/", views.calendar, name="calendar"),
]
