"""The one jurisdiction scope every user-reachable query goes through.

A model declares `scope = ScopePaths(...)`: the lookup paths from the model to a Region, to the
responsible OrgUnit, and to the User that may see it as an inspector or as an enterprise.
`Model.objects.for_user(user)` then keeps what that user's jurisdiction covers:
- city admin / county staff: region code prefix of their org unit (GB/T 2260: 省 2, 市 4, 县 6 digits);
  a 分局 shares its district's region, so it is further restricted to its own org unit;
- inspector / enterprise user: only the records linked to that user;
- superuser: everything. Anyone else, or a model without the needed path: nothing.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.http import Http404

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class ScopePaths:
    shared: bool = False  # reference data every logged-in user may read (calendar, catalogue)
    region: str | None = None
    unit: str | None = None
    inspector_user: str | None = None
    enterprise_user: str | None = None


@dataclass(frozen=True)
class Jurisdiction:
    """What a user may see: everything, a region prefix (maybe narrowed to one branch), or own records."""

    everything: bool = False
    region_prefix: str | None = None
    branch_unit_id: int | None = None
    own_records_as: str | None = None  # "inspector" or "enterprise"
    area: str = ""  # what a person calls it: the region's name, or the 分局's

    def describe(self):
        if self.everything:
            return "全部"
        if self.own_records_as:
            return "本人相关记录"
        if self.region_prefix is None:
            return "无"
        return f"{self.area}{'管辖企业' if self.branch_unit_id else '全域'}（区划代码 {self.region_prefix}）"


def jurisdiction_of(user):
    from .models import User

    if not user.is_authenticated or not user.is_active:
        return Jurisdiction()
    if user.is_superuser:
        return Jurisdiction(everything=True)
    if user.role == User.Role.INSPECTOR:
        return Jurisdiction(own_records_as="inspector")
    if user.role == User.Role.ENTERPRISE:
        return Jurisdiction(own_records_as="enterprise")
    return Jurisdiction() if user.org_unit is None else jurisdiction_of_unit(user.org_unit)


def jurisdiction_of_unit(unit):
    """An org unit's area: its region code prefix; a 分局 (sharing its district's region) only its own records."""
    from .models import OrgUnit

    branch = unit.kind == OrgUnit.Kind.BRANCH
    return Jurisdiction(
        region_prefix=unit.region.scope_prefix,
        branch_unit_id=unit.pk if branch else None,
        area=unit.name if branch else unit.region.name,
    )


def unit_q(model, unit):
    """The model's records inside an org unit's jurisdiction (e.g. a task's issuing unit), whoever asks."""
    return _area_q(model.scope, jurisdiction_of_unit(unit))


def scope_q(model, user):
    paths: ScopePaths = model.scope
    j = jurisdiction_of(user)
    if j.everything or (paths.shared and user.is_authenticated):
        return Q()
    if j.own_records_as:
        path = paths.inspector_user if j.own_records_as == "inspector" else paths.enterprise_user
        return Q(**{path: user}) if path else NOTHING
    return _area_q(paths, j)


def _area_q(paths, j):
    if j.region_prefix is None or paths.region is None:
        return NOTHING
    q = Q(**{f"{paths.region}__code__startswith": j.region_prefix})  # join trimmed: code is the pk
    if j.branch_unit_id is not None:
        if paths.unit is None:
            return NOTHING
        q &= Q(**{paths.unit: j.branch_unit_id})
    return q


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        qs = self.filter(scope_q(self.model, user))
        if jurisdiction_of(user).own_records_as:
            qs = qs.distinct()  # user paths may cross to-many relations
        return qs


def get_scoped_or_404(queryset_or_model, user, **lookup):
    """The object if it exists inside the user's jurisdiction; 404 otherwise (never reveal it exists)."""
    qs = queryset_or_model if isinstance(queryset_or_model, models.QuerySet) else queryset_or_model.objects.all()
    try:
        return qs.for_user(user).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404("未找到该记录，或不在您的管辖范围内。") from exc
