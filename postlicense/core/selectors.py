from django.apps import apps
from django.http import Http404

from .audit import history_of
from .models import AuditedModel, CalendarDay, CalendarYear, OrgUnit, User
from .scoping import get_scoped_or_404


def org_units_for(user):
    return OrgUnit.objects.for_user(user).select_related("region", "parent")


def users_for(user):
    return User.objects.for_user(user).select_related("org_unit")


def record_history(user, label, pk):
    """The audit entries of one record, if the record is inside the user's jurisdiction; never for an enterprise
    user (the history names staff and holds internal notes)."""
    if not user.sees_record_history:
        raise Http404("没有可查看的变更历史。")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise Http404("未知的记录类型。") from exc
    if not issubclass(model, AuditedModel) or not hasattr(model, "scope"):
        raise Http404("该类型的记录没有变更历史。")
    obj = get_scoped_or_404(model._default_manager.all(), user, pk=pk)
    return obj, history_of(obj)


def calendar_years():
    return CalendarYear.objects.all()


def calendar_days(year):
    return CalendarDay.objects.filter(date__year=year)


def unread_notifications(user):
    from .models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True)
