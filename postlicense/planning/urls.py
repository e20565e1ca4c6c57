from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("focus/", views.focus_categories, name="focus_categories"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("<int:pk>/dispatch/", views.plan_dispatch, name="plan_dispatch"),
    path("entry/<int:pk>/adjust/", views.entry_adjust, name="entry_adjust"),
    path("completion/", views.completion, name="completion"),
    path("classes/", views.class_suggestions, name="class_suggestions"),
    path("classes/<int:pk>/confirm/", views.class_confirm, name="class_confirm"),
    path("rechecks/", views.recheck_list, name="recheck_list"),
    path("rechecks/new/", views.recheck_create, name="recheck_create"),
    path("rechecks/<int:pk>/", views.recheck_detail, name="recheck_detail"),
    path("rechecks/<int:pk>/dispatch/", views.recheck_dispatch, name="recheck_dispatch"),
    path("rechecks/<int:pk>/finding/", views.recheck_finding, name="recheck_finding"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/visit/", views.visit_add, name="visit_add"),
    path("campaigns/<int:pk>/schedule.pdf", views.campaign_schedule_pdf, name="campaign_schedule_pdf"),
    path("campaigns/<int:pk>/report.<slug:fmt>", views.campaign_report, name="campaign_report"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/draw/", views.visit_draw, name="visit_draw"),
    path("visits/<int:pk>/dispatch/", views.visit_dispatch, name="visit_dispatch"),
    path("visits/<int:pk>/materials/", views.visit_materials, name="visit_materials"),
    path("visits/<int:pk>/self-check/", views.visit_self_check, name="visit_self_check"),
    path("visits/<int:pk>/finding/", views.visit_finding, name="visit_finding"),
    path("calibration/", views.calibration, name="calibration"),
]
