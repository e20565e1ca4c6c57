"""Objects the inspection tests build (the registry's demo data is not assumed)."""

import itertools
from datetime import date

from postlicense.core.models import OrgUnit
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise, KeyEquipment, License, ProductCategory

_seq = itertools.count(1)


def make_enterprise(org_code="xuchang-weidu", name=None):
    n = next(_seq)
    unit = OrgUnit.objects.get(code=org_code)
    category, _ = ProductCategory.objects.get_or_create(code="13", defaults={"name": "水泥"})
    enterprise = Enterprise.objects.create(
        name=name or f"许昌测试水泥有限公司{n}",
        credit_code=f"91411000MA{n:08d}",
        legal_representative="张三",
        address="许昌市魏都区测试路1号",
        region=unit.region,
        supervising_unit=unit,
        product_category=category,
    )
    License.objects.create(
        enterprise=enterprise,
        number=f"XK13-001-{n:05d}",
        product_category=category,
        issue_date=date(2022, 1, 1),
        expiry_date=date(2027, 1, 1),
        issuing_authority="河南省市场监督管理局",
    )
    KeyEquipment.objects.create(enterprise=enterprise, kind="production", name="水泥磨", model="Φ3.2×13m", quantity=2)
    KeyEquipment.objects.create(
        enterprise=enterprise,
        kind="inspection",
        name="压力试验机",
        model="YAW-300",
        quantity=1,
        is_measuring_instrument=True,
        calibration_due=date(2027, 3, 1),
    )
    return enterprise


def make_inspector(org_code="xuchang-weidu", user=None, name=None, valid_until=date(2028, 12, 31)):
    n = next(_seq)
    return Inspector.objects.create(
        name=name or f"检查员{n}",
        org_unit=OrgUnit.objects.get(code=org_code),
        certificate_no=f"豫4110{n:06d}",
        certificate_valid_until=valid_until,
        user=user,
    )
