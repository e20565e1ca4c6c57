from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("org-units/", views.org_unit_list, name="org_unit_list"),
    path("history/<str:label>/<str:pk>/", views.record_history, name="record_history"),
    path("calendar/", views.calendar, name="calendar"),
    path("todo/", views.todo, name="todo"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("deadlines/", views.deadline_settings, name="deadline_settings"),
    path("deadlines/<str:key>/", views.deadline_edit, name="deadline_edit"),
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("2fa/enrol/", views.otp_enrol, name="otp_enrol"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("users/<int:pk>/2fa-reset/", views.user_two_factor_reset, name="user_two_factor_reset"),
]
