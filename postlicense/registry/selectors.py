"""Reads of the register, always through the user's jurisdiction.

Lists page by keyset ("seek") over the primary key and never COUNT the filtered set: both stay
fast at a million enterprises. Expiry is a query on the dates (issue 3 §3), never a stored flag.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Lookup, Prefetch, Q, prefetch_related_objects
from django.urls import reverse
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
    qs = _enterprise_columns(qs, f)
    for condition in license_conditions(f, today):
        qs = qs.filter(pk__in=_holders(condition))
    return qs


def _holders(condition):
    # `id IN (…)` rather than EXISTS: SQLite then drives from the matching licenses (597 → 2.5 ms for a
    # license-number prefix at a million rows); PostgreSQL plans both as the same semi-join.
    return License.objects.filter(condition).values("enterprise_id")


def license_conditions(f: EnterpriseFilter, today=None):
    """The filter's conditions on licenses: an enterprise passes each with one of its licenses."""
    conditions = []
    if f.license_number:
        conditions.append(prefix_q("number", normalize_license_number(f.license_number)))
    if f.expiry in {"expiring", "expired"}:
        conditions.append(expiring_q(today) if f.expiry == "expiring" else expired_q(today))
    return conditions


def _enterprise_columns(qs, f: EnterpriseFilter):
    terms = query_terms(f.q)
    if len(terms) == 1 and len(terms[0]) == 18 and _is_credit_code(terms[0].upper()):
        qs = qs.filter(credit_code=terms[0].upper())  # a pasted code: the unique index, on every database
    else:
        for term in terms:
            qs = qs.filter(search_key__like=like_pattern(term))
    if f.region:
        qs = qs.filter(region__code__startswith=f.region)
    if f.category:
        qs = qs.filter(product_category_id=f.category)
    for field in ("risk_level", "supervision_class", "status"):
        if getattr(f, field):
            qs = qs.filter(**{field: getattr(f, field)})
    if f.focus:
        qs = qs.filter(is_focus=True)
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


def seek_page(qs, after=None, before=None, size=PAGE_SIZE, holders=None):
    """One page of `qs` newest first, from `after` or `before`. With `holders` (a License queryset) the page is
    of enterprises holding one of those licenses, found from the licenses' side (see _seek)."""
    if before is not None:
        rows = _seek(qs, "pk", before, size + 1, holders)
        has_more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return SeekPage(
            rows, rows[-1].pk if rows else None, rows[0].pk if rows and has_more_newer else None, not has_more_newer
        )
    rows = _seek(qs, "-pk", after, size + 1, holders)
    more = len(rows) > size
    rows = rows[:size]
    return SeekPage(
        rows, rows[-1].pk if more else None, rows[0].pk if rows and after is not None else None, after is None
    )


HOLDERS_CHUNK = 4  # license rows read per wanted row, doubled while the enterprise filters reject them …
HOLDERS_CHUNK_MAX = 8192  # … up to this many ids a query (SQLite binds each id as a parameter)
FEW_HOLDERS = 20_000  # a license-number prefix held by no more enterprises is read whole (see enterprise_list)


def _seek(qs, order, bound, limit, holders=None):
    """Up to `limit` rows of `qs` in `order` ("pk" or "-pk") beyond `bound`.

    Without `holders` the database walks the primary key from `bound`. With them — a License queryset, or the
    holders' enterprise ids already read, newest first — the holders' ids are taken in the same order a chunk at
    a time (from the license table's indexes, migration 0007, or from the list), then each chunk's enterprises by
    primary key. In one statement PostgreSQL walks the enterprises' primary key and probes the licenses of each,
    assuming the matches are spread evenly over the ids: a license-number prefix held by 10,000 enterprises
    created together made it walk 360,000 enterprises (1.0–1.4 s), and 90天内到期 walks every newest enterprise
    without such a license (after an import of 100,000 new ones, all of them)."""
    op = "lt" if order == "-pk" else "gt"
    if holders is None:
        qs = qs if bound is None else qs.filter(**{f"pk__{op}": bound})
        return list(qs.order_by(order)[:limit])
    rows, chunk = [], HOLDERS_CHUNK * limit
    while len(rows) < limit:
        ids = _holder_ids(holders, order, op, bound, chunk)
        if not ids:
            break
        rows += qs.filter(pk__in=set(ids)).order_by(order)[: limit - len(rows)]
        if len(ids) < chunk:
            break
        bound, chunk = ids[-1], min(chunk * 2, HOLDERS_CHUNK_MAX)
    return rows


def _holder_ids(holders, order, op, bound, count):
    """The next `count` holder ids in `order` beyond `bound` (repeats possible: one per license)."""
    if isinstance(holders, list):  # newest first
        ids = holders if order == "-pk" else holders[::-1]
        if bound is not None:
            ids = [i for i in ids if (i < bound if op == "lt" else i > bound)]
        return ids[:count]
    page = holders.values_list("enterprise_id", flat=True)
    page = page if bound is None else page.filter(**{f"enterprise_id__{op}": bound})
    return list(page.order_by("-enterprise_id" if order == "-pk" else "enterprise_id")[:count])


@dataclass(frozen=True)
class EnterpriseRow:
    """One row of the enterprise list, its link and labels worked out here: the template only prints them (its
    method calls and related lookups per row were most of the page's time)."""

    pk: int
    url: str
    name: str
    credit_code: str
    region: str
    category: str
    risk_label: str
    high_risk: bool
    supervision_class: str
    producing: bool
    status_label: str
    is_focus: bool


HIGH_RISK = {Enterprise.RiskLevel.HIGH, Enterprise.RiskLevel.MEDIUM_HIGH}
# Labels looked up once here: get_FOO_display() flattens and hashes the choices on every call (a third of a row).
RISK_LABELS, STATUS_LABELS = dict(Enterprise.RiskLevel.choices), dict(Enterprise.Status.choices)
LIST_FIELDS = (
    "name",
    "credit_code",
    "region__name",
    "product_category__name",
    "risk_level",
    "supervision_class",
    "status",
    "is_focus",
)


def _list_row(e, url_head, url_tail):
    return EnterpriseRow(
        pk=e.pk,
        url=f"{url_head}{e.pk}{url_tail}",
        name=e.name,
        credit_code=e.credit_code,
        region=e.region.name,
        category=e.product_category.name,
        risk_label=RISK_LABELS.get(e.risk_level, e.risk_level),
        high_risk=e.risk_level in HIGH_RISK,
        supervision_class=e.supervision_class,
        producing=e.status == Enterprise.Status.PRODUCING,
        status_label=STATUS_LABELS.get(e.status, e.status),
        is_focus=e.is_focus,
    )


def enterprise_list(user, f: EnterpriseFilter, after=None, before=None, size=PAGE_SIZE, today=None):
    """A page of the list as EnterpriseRows (only the columns shown are read). With a license condition (number
    prefix, expiry) and no search term the page is sought from the licenses holding it (seek_page's `holders`)."""
    qs = _enterprise_columns(enterprises_for(user), f)
    conditions = license_conditions(f, today)
    # A search term is answered from the name index (trigram on PostgreSQL) and is the narrower filter: the
    # database then drives from it, as without license conditions.
    holders = License.objects.filter(conditions.pop(0)) if conditions and not f.q else None
    for condition in conditions:
        qs = qs.filter(pk__in=_holders(condition))
    if holders is not None and f.license_number:
        # Read from the number index alone (migration 0007), unordered: a prefix with few holders is taken whole and
        # sorted here. Asked for them newest first, PostgreSQL walks the licenses' enterprise index from the newest
        # and checks each number (the estimate assumes the holders are spread evenly: 480,000 licenses for a prefix
        # of 1,000 created together). Many holders are dense enough for that walk.
        ids = list(holders.order_by().values_list("enterprise_id", flat=True)[: FEW_HOLDERS + 1])
        if len(ids) <= FEW_HOLDERS:
            holders = sorted(set(ids), reverse=True)
    qs = qs.select_related("region", "product_category").only(*LIST_FIELDS)
    page = seek_page(qs, after, before, size, holders)
    # The detail URL reversed once, the id put in per row: "/registry/enterprises/0/" → head + id + tail.
    url_head, url_tail = reverse("registry:enterprise_detail", args=[0]).rsplit("0", 1)
    return replace(page, rows=[_list_row(e, url_head, url_tail) for e in page.rows])


def enterprise_detail(user, pk):
    # region__parent__parent: the page shows the county's full name (province, city, county: Region.full_name).
    return get_scoped_or_404(
        Enterprise.objects.select_related("region__parent__parent", "supervising_unit", "product_category"),
        user,
        pk=pk,
    )


def licenses_of(enterprise):
    """The enterprise's licenses, latest expiry first, read once and kept on it: the page's license table and the
    archive's license events (registry.archive_events) both ask."""
    prefetch_related_objects(
        [enterprise],
        Prefetch(
            "licenses",
            queryset=License.objects.select_related("product_category")
            .prefetch_related("product_units")
            .order_by("-expiry_date"),
        ),
    )
    return enterprise.licenses.all()


def license_marks(licenses):
    """{license pk: [mark text]} shown beside each license in the register, from apps' AppConfig
    `license_marks(license_ids)` (self-service: 年度检查合格 with its year and date), so registry imports none."""
    from django.apps import apps

    ids = [lic.pk for lic in licenses]
    marks = {}
    for config in apps.get_app_configs():
        if hasattr(config, "license_marks"):
            for pk, texts in config.license_marks(ids).items():
                marks.setdefault(pk, []).extend(texts)
    return marks


def equipment_of(enterprise):
    return KeyEquipment.objects.filter(enterprise=enterprise)


def license_counts(user, today=None):
    qs = licenses_for(user)
    return {"expiring": qs.filter(expiring_q(today)).count(), "expired": qs.filter(expired_q(today)).count()}


def import_job_for(user, pk):
    """An import job of the user's jurisdiction (as on the jobs page, core.jobs.selectors)."""
    return get_scoped_or_404(Job.objects.filter(kind__in=JOB_KINDS.values()), user, pk=pk)
