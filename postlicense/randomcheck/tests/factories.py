"""Objects the random-check tests build (the registry's demo data is not assumed)."""

import itertools
from datetime import date

from postlicense.core.models import OrgUnit
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.selectors import current_template
from postlicense.inspectors.models import Inspector
from postlicense.randomcheck import services
from postlicense.randomcheck.draw import DEFAULT_RATIOS, SEED_SEPARATOR, STRATA
from postlicense.randomcheck.models import Task
from postlicense.registry.license_number import make_license_number
from postlicense.registry.models import Enterprise, License, ProductCategory

_seq = itertools.count(1)
STRATA_CYCLE = ("low", "medium", "medium_high", "high")
CONTRIBUTIONS = (("李明", "许昌市市场监督管理局", "骰子 3 1 4 1 5"), ("赵敏", "许昌市公证处", "见证 2 7 1 8"))
SEED = SEED_SEPARATOR.join(value for _, _, value in CONTRIBUTIONS)


def category():
    return ProductCategory.objects.get_or_create(code="13", defaults={"name": "水泥"})[0]


def make_enterprise(
    org_code="xuchang-weidu", risk_level="low", license_valid=(date(2020, 1, 1), date(2030, 12, 31)), **fields
):
    """An enterprise holding one license valid over `license_valid` (None: no license)."""
    n = next(_seq)
    unit = OrgUnit.objects.get(code=org_code)
    enterprise = Enterprise.objects.create(
        name=fields.pop("name", f"随机测试企业{n}"),
        credit_code=f"91411002RC{n:08d}",
        legal_representative="张三",
        address="许昌市测试路1号",
        region=unit.region,
        supervising_unit=unit,
        product_category=category(),
        risk_level=risk_level,
        **fields,
    )
    if license_valid:
        License.objects.create(
            enterprise=enterprise,
            number=make_license_number("豫", "13", "001", n),
            product_category=enterprise.product_category,
            issue_date=license_valid[0],
            expiry_date=license_valid[1],
            issuing_authority="河南省市场监督管理局",
        )
    return enterprise


def make_register(count_by_unit=None):
    """Enterprises spread over the four strata in two counties."""
    count_by_unit = count_by_unit or {"xuchang-weidu": 24, "xuchang-changge": 16}
    return [make_enterprise(unit, STRATA_CYCLE[i % 4]) for unit, count in count_by_unit.items() for i in range(count)]


def make_inspector(org_code="xuchang-weidu", valid_until=date(2028, 12, 31), **fields):
    n = next(_seq)
    return Inspector.objects.create(
        name=fields.pop("name", f"检查员{n}"),
        org_unit=OrgUnit.objects.get(code=org_code),
        certificate_no=f"豫4110{n:06d}",
        certificate_valid_until=valid_until,
        phone=f"1380000{n:04d}",
        **fields,
    )


def make_task(user=None, **fields):
    fields.setdefault("name", "2023年度获证企业双随机抽查")
    fields.setdefault("year", 2023)
    fields.setdefault("issuing_unit", OrgUnit.objects.get(code="xuchang"))
    fields.setdefault("deadline", date(2023, 10, 31))
    fields.setdefault("checklist", current_template("random_check_003"))
    fields.setdefault("load_cap", 10)
    if any(str(fields.get(f"ratio_{s}", DEFAULT_RATIOS[s])) != str(DEFAULT_RATIOS[s]) for s in STRATA):
        fields.setdefault("ratio_reason", "测试用比例")
    return Task.objects.create(created_by=user, **fields)


def contribute(task, user, contributions=CONTRIBUTIONS):
    for name, unit, value in contributions:
        services.add_contribution(task, name, unit, value, user)


def seeded_task_with_crews(user):
    """A task frozen and seeded over 20 enterprises in two counties with six inspectors each: every step (draw,
    match, dispatch) has rows to write, as the COPY tests need."""
    make_register({"xuchang-weidu": 12, "xuchang-changge": 8})
    for unit in ("xuchang-weidu", "xuchang-changge"):
        for _ in range(6):
            make_inspector(unit)
    task = services.freeze_candidates(make_task(user), user)
    contribute(task, user)
    return task


def drawn_task(user, **fields):
    """A task frozen, seeded by the two CONTRIBUTIONS and drawn."""
    task = services.freeze_candidates(make_task(user, **fields), user)
    contribute(task, user)
    return services.draw_enterprises(task, user)


def published_task(user, **fields):
    """A published task over 8 enterprises of 魏都 (all of the high stratum drawn): its low one not inspected
    (停产), the others finished 合格 on 2023-09-15."""
    make_register({"xuchang-weidu": 8})
    for _ in range(4):
        make_inspector("xuchang-weidu")
    fields = {"ratio_high": 100, "ratio_reason": "高风险企业全部检查", **fields}
    task = drawn_task(user, **fields)
    services.match_inspectors(task, user)
    services.dispatch(task, user)
    services.record_not_inspected(task.drawn.get(stratum="low"), "stopped", "停产", user)
    InspectionRecord.objects.filter(random_draw__task=task, status=InspectionRecord.Status.ASSIGNED).update(
        status=InspectionRecord.Status.FINISHED, conclusion="qualified", inspection_date=date(2023, 9, 15)
    )
    services.complete_task(task, user)
    return services.publish_task(task, user)
