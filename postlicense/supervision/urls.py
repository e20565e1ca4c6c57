from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.test_list, name="test_list"),
    path("new/", views.test_new, name="test_new"),
    path("<int:pk>/", views.test_detail, name="test_detail"),
    path("<int:pk>/fill/", views.test_fill, name="test_fill"),
    path("<int:pk>/draft/", views.test_draft, name="test_draft"),
    path("<int:pk>/sign/", views.test_sign, name="test_sign"),
    path("<int:pk>/photos/", views.test_photo, name="test_photo"),
    path("<int:pk>/signature/<str:who>/", views.signature_image, name="signature_image"),
    path("<int:pk>/pdf/", views.test_pdf, name="test_pdf"),
    path("<int:pk>/step/<slug:step>/", views.test_step, name="test_step"),
    path("<int:pk>/rectify/", views.test_rectify, name="test_rectify"),
    path("photos/<int:pk>/", views.photo_file, name="photo_file"),
    path("labs/", views.lab_list, name="lab_list"),
    path("labs/new/", views.lab_edit, name="lab_new"),
    path("labs/<int:pk>/", views.lab_detail, name="lab_detail"),
    path("labs/<int:pk>/edit/", views.lab_edit, name="lab_edit"),
    path("labs/scopes/<int:pk>/remove/", views.lab_scope_remove, name="lab_scope_remove"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("special/new/", views.special_new, name="special_new"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/template/", views.notice_template, name="notice_template"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/orders/", views.notice_orders, name="notice_orders"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/<int:pk>/", views.lead_action, name="lead_action"),
    path("risks/", views.risk_list, name="risk_list"),
]
