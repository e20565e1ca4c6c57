from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("submissions/", views.submissions, name="submissions"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("<str:key>/", views.report, name="report"),
    path("<str:key>/submit/", views.submit, name="submit"),
]
