from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .core.forms import AdminLoginForm, LoginForm
from .core.jobs import views as job_views

admin.site.site_header = admin.site.site_title = "证后监管系统 数据维护"
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm,
            extra_context={
                "lockout_limit": settings.AXES_FAILURE_LIMIT,
                "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            },
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("core/", include("postlicense.core.urls")),
    path("jobs/", include("postlicense.core.jobs.urls")),
    path("healthz", job_views.healthz, name="healthz"),
    path("inspections/", include("postlicense.inspections.urls")),
    path("registry/", include("postlicense.registry.urls")),
    path("inspectors/", include("postlicense.inspectors.urls")),
    path("random-checks/", include("postlicense.randomcheck.urls")),
    path("followup/", include("postlicense.followup.urls")),
    path("supervision/", include("postlicense.supervision.urls")),
    path("planning/", include("postlicense.planning.urls")),
    path("enterprise/", include("postlicense.selfservice.urls")),
    path("reports/", include("postlicense.reports.urls")),
    path("public/", include("postlicense.portal.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("postlicense.api.urls")),
]

handler403 = views.permission_denied
handler404 = views.page_not_found
