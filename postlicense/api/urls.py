from django.urls import include, path, re_path

from . import views

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file of its own: the CSP refuses inline scripts.
    path("docs/", views.DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("calendar/add-working-days", views.calendar_add_working_days, name="api-add-working-days"),
    path("", include("postlicense.registry.api")),
    path("", include("postlicense.supervision.api")),
    path("", include("postlicense.followup.api")),
    path("", include("postlicense.followup.api_enforcement")),
    path("", include("postlicense.reports.api")),
    path("", include("postlicense.planning.api")),
    path("", include("postlicense.selfservice.api")),
    re_path(r"", views.not_found),
]
