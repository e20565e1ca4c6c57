"""Who may use a bureau page: city and county (branch) staff, refused by one message that names the action."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def require_bureau_staff(user, action="使用此功能", *, with_unit=False):
    """Refuse anyone but bureau staff (and, `with_unit`, staff without an org unit) with a Chinese 403 reason."""
    if not user.is_bureau_staff or (with_unit and user.org_unit_id is None):
        raise PermissionDenied(f"只有市局、县局/分局人员可以{action}。")


def bureau_staff_required(action="使用此功能"):
    """The view decorator of require_bureau_staff (login first)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            require_bureau_staff(request.user, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
