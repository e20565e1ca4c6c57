"""License decisions (002 第十四条; DESIGN "Follow-up and enforcement"): proposals and the decisions recorded on them.

API for the rest of follow-up (escalation, the daily candidate search, supervision testing):
propose(license, *, kind, ground, facts, source="", by=None) -> LicenseDecisionProposal
    Draft a proposal (status 待县局确认). `by` None means the system drafted it by rule. Idempotent: an open proposal of
    the same kind for the license is returned as it is (its facts are not overwritten). Nothing changes on the license.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import LicenseDecisionProposal

OPEN = [
    LicenseDecisionProposal.Status.PROPOSED,
    LicenseDecisionProposal.Status.CONFIRMED,
    LicenseDecisionProposal.Status.FORWARDED,
]


def propose(license, *, kind, ground, facts, source="", by=None):
    if not (facts or "").strip():
        raise ValidationError({"facts": "请填写事实与理由。"})
    existing = LicenseDecisionProposal.objects.filter(license=license, kind=kind, status__in=OPEN).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return LicenseDecisionProposal.objects.create(
                license=license, kind=kind, ground=ground, facts=facts.strip(), source=source[:200], proposed_by=by
            )
    except IntegrityError:  # drafted by a concurrent call a moment ago
        return LicenseDecisionProposal.objects.get(license=license, kind=kind, status__in=OPEN)
