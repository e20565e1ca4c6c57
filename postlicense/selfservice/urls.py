from django.urls import path

from . import views

app_name = "selfservice"
urlpatterns = [
    # the enterprise's own pages
    path("", views.home, name="home"),
    path("password/", views.password_first, name="password_first"),
    path("correction/", views.correction_request, name="correction_request"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/start/<int:year>/", views.report_start, name="report_start"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/draft/", views.report_draft, name="report_draft"),
    path("reports/<int:pk>/amend/", views.report_amend, name="report_amend"),
    path("reports/<int:pk>/attachments/", views.report_attachment, name="report_attachment"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("records/", views.record_list, name="record_list"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/<int:record_pk>/", views.feedback_new, name="feedback_new"),
    path("feedback/<int:pk>/", views.feedback, name="feedback"),
    # the bureau's pages
    path("manage/accounts/", views.account_list, name="account_list"),
    path("manage/accounts/<int:pk>/<str:action>/", views.account_action, name="account_action"),
    path("manage/reports/", views.review_list, name="review_list"),
    path("manage/reports/<int:pk>/review/", views.review, name="review"),
    path("manage/late/<int:enterprise_pk>/", views.late_filing, name="late_filing"),
    path("manage/non-filers/order/", views.order_non_filers, name="order_non_filers"),
    path("manage/corrections/", views.correction_list, name="correction_list"),
    path("manage/corrections/<int:pk>/", views.correction_handle, name="correction_handle"),
    path("manage/import/", views.import_reports, name="import_reports"),
    path("manage/import/<int:pk>/", views.import_job, name="import_job"),
    path("manage/feedback/", views.feedback_manage, name="feedback_manage"),
]
