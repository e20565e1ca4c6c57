"""Inspectors for a batch of enterprises from given units only, by the random check's matching (re-checks: the city;
cross audits: the group; plan batches: the plan's unit; a crew-less special inspection: its unit, through the
inspections `match_crew` hook)."""

from django.core.exceptions import ValidationError

from postlicense.inspectors.models import Inspector
from postlicense.randomcheck import matching
from postlicense.randomcheck import services as randomcheck


def match_from_units(enterprises, *, units, seed, deadline, load_cap, required=2, inspectors=None):
    """{enterprise id: [Inspector]}: ≥`required` inspectors for each enterprise, from `units` only, by the random
    check's matching (seeded ranks, avoidance, certificates, not the same inspector as last time, load cap); or
    the chosen `inspectors`, who must all belong to those units. Raises ValidationError naming each shortfall."""
    unit_ids = frozenset(u.pk for u in units)
    pool = list(
        Inspector.objects.filter(org_unit__in=unit_ids).prefetch_related("expertise", "avoid_enterprises")
        if inspectors is None
        else inspectors
    )
    outsiders = [i.name for i in pool if i.org_unit_id not in unit_ids]
    if outsiders:
        raise ValidationError(
            {"inspectors": f"{'、'.join(outsiders)}不属于{'、'.join(u.name for u in units)}，不能参加本次检查。"}
        )
    last = randomcheck.last_inspectors([e.pk for e in enterprises])
    params = matching.MatchParams(
        seed=seed,
        deadline=deadline,
        load_cap=load_cap,
        require_expertise=False,
        allowed_org_units_by_enterprise={e.pk: unit_ids for e in enterprises},
    )
    demands = [
        matching.EnterpriseDemand(
            id=e.pk,
            credit_code=e.credit_code,
            org_unit_id=e.supervising_unit_id,
            product_category=str(e.product_category_id),
            required=required,
            last_inspector_ids=last.get(e.pk, frozenset()),
        )
        for e in enterprises
    ]
    result = matching.match(demands, [randomcheck.inspector_info(i) for i in pool], params)
    if not result.ok:
        name_of = {e.pk: e.name for e in enterprises}
        raise ValidationError({"inspectors": [f"{name_of[s.enterprise_id]}：{s.message}" for s in result.shortfalls]})
    inspector_of = {i.pk: i for i in pool}
    return {eid: [inspector_of[i] for i in ids] for eid, ids in result.assignments.items()}
