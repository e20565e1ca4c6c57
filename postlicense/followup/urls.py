from django.urls import path

from . import views

app_name = "followup"
urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/pending/", views.pending, name="pending"),
    path("orders/overdue/", views.overdue_by_county, name="overdue_by_county"),
    path("orders/new/<int:record_pk>/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/serve/", views.order_serve, name="order_serve"),
    path("orders/<int:pk>/report/", views.order_report, name="order_report"),
    path("orders/<int:pk>/revisit/", views.revisit_new, name="revisit_new"),
    path("orders/<int:pk>/problems/<int:problem_pk>/close/", views.problem_close, name="problem_close"),
    path("orders/<int:pk>/pdf/", views.order_pdf, name="order_pdf"),
    path("orders/<int:pk>/docx/", views.order_docx, name="order_docx"),
    path("escalations/<int:pk>/confirm/", views.escalation_decide, {"action": "confirm"}, name="escalation_confirm"),
    path("escalations/<int:pk>/dismiss/", views.escalation_decide, {"action": "dismiss"}, name="escalation_dismiss"),
    path("reports/files/<int:pk>/", views.report_file, name="report_file"),
    path("revisits/", views.revisit_list, name="revisit_list"),
    path("revisits/<int:pk>/", views.revisit_detail, name="revisit_detail"),
]
