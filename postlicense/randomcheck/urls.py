from django.urls import path

from . import views

app_name = "randomcheck"
urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("new/", views.task_create, name="task_create"),
    path("tracking/", views.tracking, name="tracking"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("<int:pk>/contribute/", views.task_contribute, name="task_contribute"),
    path("<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("<int:pk>/step/<slug:action>/", views.task_step, name="task_step"),
    path("<int:pk>/candidates.csv", views.task_candidates, name="task_candidates"),
    path("<int:pk>/export/<slug:kind>.<slug:fmt>", views.task_export, name="task_export"),
    path("<int:pk>/report/", views.task_report, name="task_report"),
    path("<int:pk>/print-records/", views.task_print, name="task_print"),
    path("drawn/<int:pk>/swap/", views.drawn_swap, name="drawn_swap"),
    path("drawn/<int:pk>/not-inspected/", views.drawn_not_inspected, name="drawn_not_inspected"),
    path("drawn/<int:pk>/publish/", views.drawn_publish, name="drawn_publish"),
]
