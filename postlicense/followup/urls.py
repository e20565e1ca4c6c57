from django.urls import path

from . import views_enforcement as enforcement

app_name = "followup"
urlpatterns = [
    # license decisions, interviews, cases, the 停产/转产 tracking list (views_enforcement)
    path("decisions/", enforcement.proposal_list, name="proposal_list"),
    path("decisions/new/", enforcement.proposal_create, name="proposal_create"),
    path("decisions/<int:pk>/", enforcement.proposal_detail, name="proposal_detail"),
    path("decisions/<int:pk>/confirm/", enforcement.proposal_confirm, name="proposal_confirm"),
    path("decisions/<int:pk>/forward/", enforcement.proposal_forward, name="proposal_forward"),
    path("decisions/<int:pk>/dismiss/", enforcement.proposal_dismiss, name="proposal_dismiss"),
    path("decisions/<int:pk>/decide/", enforcement.proposal_decide, name="proposal_decide"),
    path("interviews/", enforcement.interview_list, name="interview_list"),
    path("interviews/new/", enforcement.interview_create, name="interview_create"),
    path("interviews/<int:pk>/", enforcement.interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/hold/", enforcement.interview_hold, name="interview_hold"),
    path("interviews/<int:pk>/refusal/", enforcement.interview_refusal, name="interview_refusal"),
    path("interviews/<int:pk>/record.pdf", enforcement.interview_pdf, name="interview_pdf"),
    path("commitments/<int:pk>/fulfil/", enforcement.commitment_fulfil, name="commitment_fulfil"),
    path("cases/", enforcement.case_list, name="case_list"),
    path("cases/new/", enforcement.case_create, name="case_create"),
    path("cases/<int:pk>/", enforcement.case_detail, name="case_detail"),
    path("cases/<int:pk>/<slug:step>/", enforcement.case_step, name="case_step"),
    path("stoppage/", enforcement.stoppage_list, name="stoppage_list"),
]
