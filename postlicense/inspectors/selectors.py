from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from postlicense.core.scoping import get_scoped_or_404

from .models import Inspector

CERTIFICATE_WARNING_DAYS = 90


def inspectors_for(user):
    return Inspector.objects.for_user(user)


def filter_inspectors(qs, q="", org_unit=None, certificate="", active=""):
    today = timezone.localdate()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(certificate_no__icontains=q) | Q(phone__contains=q))
    if org_unit:
        qs = qs.filter(org_unit_id=org_unit)
    if certificate == "expired":
        qs = qs.filter(certificate_valid_until__lt=today)
    elif certificate == "expiring":
        qs = qs.filter(
            certificate_valid_until__gte=today,
            certificate_valid_until__lte=today + timedelta(days=CERTIFICATE_WARNING_DAYS),
        )
    elif certificate == "valid":
        qs = qs.filter(certificate_valid_until__gte=today)
    if active in {"1", "0"}:
        qs = qs.filter(active=active == "1")
    return qs.select_related("org_unit").prefetch_related("expertise")


def certificate_state(inspector, today=None):
    """'expired', 'expiring' (within 90 days) or '' — computed from the dates, never stored."""
    today = today or timezone.localdate()
    if inspector.certificate_valid_until < today:
        return "expired"
    if inspector.certificate_valid_until <= today + timedelta(days=CERTIFICATE_WARNING_DAYS):
        return "expiring"
    return ""


def inspector_detail(user, pk):
    return get_scoped_or_404(Inspector.objects.select_related("org_unit", "user"), user, pk=pk)
