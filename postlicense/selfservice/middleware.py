from django.shortcuts import redirect

from postlicense.core.models import User

from .models import AccountProfile


class ForcePasswordChangeMiddleware:
    """An enterprise login created or reset by county staff carries a temporary password: until its holder sets
    their own, every page leads to the password form (issue 16 item 1)."""

    OPEN_PATHS = ("/enterprise/password/", "/logout/", "/static/", "/core/2fa/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.role == User.Role.ENTERPRISE
            and not request.path.startswith(self.OPEN_PATHS)
            and AccountProfile.objects.filter(user=user, must_change_password=True).exists()
        ):
            return redirect("selfservice:password_first")
        return self.get_response(request)
