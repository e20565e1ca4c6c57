from django.urls import path

from . import views
from . import views_enforcement as enforcement

app_name = "followup"
urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/pending/", views.pending, name="pending"),
    path("orders/export/", views.order_list_export, name="order_list_export"),
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
    # license decisions, interviews, cases, the 停产/转产 tracking list (views_enforcement)
    path("decisions/", enforcement.proposal_list, name="proposal_list"),
    path("decisions/new/", enforcement.proposal_create, name="proposal_create"),
    path("decisions/<int:pk>/", enforcement.proposal_detail, name="proposal_detail"),
    path("decisions/<int:pk>/confirm/", enforcement.proposal_confirm, name="proposal_confirm"),
    path("decisions/<int:pk>/forward/", enforcement.proposal_forward, name="proposal_forward"),
    path("decisions/<int:pk>/dismiss/", enforcement.proposal_dismiss, name="proposal_dismiss"),
    path("decisions/<int:pk>/decide/", enforcement.proposal_decide, name="proposal_decide"),
    path("decisions/<int:pk>/proposal.pdf", enforcement.proposal_print, {"fmt": "pdf"}, name="proposal_pdf"),
    path("decisions/<int:pk>/proposal.docx", enforcement.proposal_print, {"fmt": "docx"}, name="proposal_docx"),
    path("interviews/", enforcement.interview_list, name="interview_list"),
    path("interviews/new/", enforcement.interview_create, name="interview_create"),
    path("interviews/<int:pk>/", enforcement.interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/hold/", enforcement.interview_hold, name="interview_hold"),
    path("interviews/<int:pk>/refusal/", enforcement.interview_refusal, name="interview_refusal"),
    path("interviews/<int:pk>/record.pdf", enforcement.interview_print, {"fmt": "pdf"}, name="interview_pdf"),
    path("interviews/<int:pk>/record.docx", enforcement.interview_print, {"fmt": "docx"}, name="interview_docx"),
    path("commitments/<int:pk>/fulfil/", enforcement.commitment_fulfil, name="commitment_fulfil"),
    path("cases/", enforcement.case_list, name="case_list"),
    path("cases/new/", enforcement.case_create, name="case_create"),
    path("cases/<int:pk>/", enforcement.case_detail, name="case_detail"),
    path("cases/<int:pk>/<slug:step>/", enforcement.case_step, name="case_step"),
    path("stoppage/", enforcement.stoppage_list, name="stoppage_list"),
]
