"""Reads of the register, always through the user's jurisdiction.

Lists page by keyset ("seek") over the primary key and never COUNT the filtered set: both stay
fast at a million enterprises. Expiry is a query on the dates (issue 3 §3), never a stored flag.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Lookup, Q
from django.utils import timezone

from postlicense.core.jobs.models import Job
from postlicense.core.scoping import get_scoped_or_404

from .credit_code import validate_credit_code
from .license_number import normalize_license_number
from .models import Enterprise, KeyEquipment, License, ProductCategory
from .search_text import LIKE_ESCAPE, like_pattern, query_terms
from .services import JOB_KINDS


class Like(Lookup):
    """`search_key LIKE %s ESCAPE '\\'` with search_text's ready-made pattern (same on SQLite and PostgreSQL)."""

    lookup_name = "like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} ESCAPE '{LIKE_ESCAPE}'", [*lhs_params, *rhs_params]


Enterprise._meta.get_field("search_key").register_lookup(Like)

EXPIRY_WINDOW_DAYS = 90
PAGE_SIZE = 50


def expiring_q(today=None, prefix=""):
    """Valid licenses whose expiry date falls within the next 90 days."""
    today = today or timezone.localdate()
    return Q(
        **{
            f"{prefix}status": License.Status.VALID,
            f"{prefix}expiry_date__gte": today,
            f"{prefix}expiry_date__lte": today + timedelta(days=EXPIRY_WINDOW_DAYS),
        }
    )


def expired_q(today=None, prefix=""):
    """Licenses marked 过期, or still marked 有效 after their expiry date."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}status": License.Status.EXPIRED}) | Q(
        **{f"{prefix}status": License.Status.VALID, f"{prefix}expiry_date__lt": today}
    )


def credit_code_holder(user, code, exclude_pk=None):
    """(the enterprise holding `code` other than `exclude_pk`, or None; whether the user's jurisdiction covers it)."""
    holder = Enterprise.objects.filter(credit_code=code).exclude(pk=exclude_pk).first()
    return holder, holder is not None and Enterprise.objects.for_user(user).filter(pk=holder.pk).exists()


def license_state(lic, today=None):
    """'expired', 'expiring' or '' for one license (the badge on the enterprise page)."""
    today = today or timezone.localdate()
    if lic.status == License.Status.EXPIRED or (lic.status == License.Status.VALID and lic.expiry_date < today):
        return "expired"
    if lic.status == License.Status.VALID and lic.expiry_date <= today + timedelta(days=EXPIRY_WINDOW_DAYS):
        return "expiring"
    return ""


def categories():
    return ProductCategory.objects.filter(active=True)


def enterprises_for(user):
    return Enterprise.objects.for_user(user)


def licenses_for(user):
    return License.objects.for_user(user)


@dataclass(frozen=True)
class EnterpriseFilter:
    q: str = ""
    license_number: str = ""
    region: str = ""
    category: int | None = None
    risk_level: str = ""
    supervision_class: str = ""
    status: str = ""
    expiry: str = ""  # "expiring" | "expired" | ""
    focus: bool = False


def filter_enterprises(qs, f: EnterpriseFilter, today=None):
    terms = query_terms(f.q)
    if len(terms) == 1 and len(terms[0]) == 18 and _is_credit_code(terms[0].upper()):
        qs = qs.filter(credit_code=terms[0].upper())  # a pasted code: the unique index, on every database
    else:
        for term in terms:
            qs = qs.filter(search_key__like=like_pattern(term))
    if f.license_number:
        qs = qs.filter(
            pk__in=License.objects.filter(prefix_q("number", normalize_license_number(f.license_number))).values(
                "enterprise_id"
            )
        )
    if f.region:
        qs = qs.filter(region__code__startswith=f.region)
    if f.category:
        qs = qs.filter(product_category_id=f.category)
    for field in ("risk_level", "supervision_class", "status"):
        if getattr(f, field):
            qs = qs.filter(**{field: getattr(f, field)})
    if f.focus:
        qs = qs.filter(is_focus=True)
    if f.expiry in {"expiring", "expired"}:
        condition = expiring_q(today) if f.expiry == "expiring" else expired_q(today)
        # `id IN (…)` rather than EXISTS: SQLite then drives from the matching licenses (597 → 2.5 ms for a
        # license-number prefix at a million rows); PostgreSQL plans both as the same semi-join.
        qs = qs.filter(pk__in=License.objects.filter(condition).values("enterprise_id"))
    return qs


def prefix_q(field, prefix):
    """`field` starts with `prefix`, answered from the field's index: PostgreSQL has Django's pattern-ops
    index for LIKE 'prefix%'; SQLite's LIKE is case-insensitive and skips indexes, but its binary collation
    makes the range [prefix, prefix + U+10FFFF) exact (a linguistic collation, as PostgreSQL may use, would not)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + chr(0x10FFFF)})
    return Q(**{f"{field}__startswith": prefix})


def _is_credit_code(text):
    try:
        validate_credit_code(text)
    except ValidationError:
        return False
    return True


@dataclass
class SeekPage:
    """One page of a keyset-paginated list (newest first); `after`/`before` are the ids to seek from."""

    rows: list
    next_after: int | None
    prev_before: int | None
    first: bool


def seek_page(qs, after=None, before=None, size=PAGE_SIZE):
    if before is not None:
        rows = list(qs.filter(pk__gt=before).order_by("pk")[: size + 1])
        has_more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return SeekPage(
            rows, rows[-1].pk if rows else None, rows[0].pk if rows and has_more_newer else None, not has_more_newer
        )
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows = list(qs.order_by("-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return SeekPage(
        rows, rows[-1].pk if more else None, rows[0].pk if rows and after is not None else None, after is None
    )


def enterprise_list(user, f: EnterpriseFilter, after=None, before=None, size=PAGE_SIZE):
    qs = filter_enterprises(enterprises_for(user), f).select_related("region", "product_category")
    return seek_page(qs, after, before, size)


def enterprise_detail(user, pk):
    return get_scoped_or_404(
        Enterprise.objects.select_related("region", "supervising_unit", "product_category"), user, pk=pk
    )


def licenses_of(enterprise):
    return (
        enterprise.licenses.select_related("product_category")
        .prefetch_related("product_units")
        .order_by("-expiry_date")
    )


def equipment_of(enterprise):
    return KeyEquipment.objects.filter(enterprise=enterprise)


def license_counts(user, today=None):
    qs = licenses_for(user)
    return {"expiring": qs.filter(expiring_q(today)).count(), "expired": qs.filter(expired_q(today)).count()}


def import_job_for(user, pk):
    """An import job of the user's jurisdiction (as on the jobs page, core.jobs.selectors)."""
    return get_scoped_or_404(Job.objects.filter(kind__in=JOB_KINDS.values()), user, pk=pk)
