"""Demo inspector directory: ~80 in 许昌市 (a few certificates expired or expiring) and one per other org unit.

Deterministic and idempotent (keyed by certificate number). Each org unit's demo login `<code>-inspector`
is linked to the first inspector of that unit.
"""

import random
from datetime import date, timedelta

from django.utils import timezone
from faker import Faker

from postlicense.core.audit import record_created
from postlicense.core.models import OrgUnit, User
from postlicense.registry.models import Enterprise, ProductCategory

from .models import Inspector

SEED = 20261124
XUCHANG_TOTAL = 80
FIRST_ISSUE = date(2019, 1, 1)
POSITIONS = ["科员", "科员", "副科长", "科长", "四级主任科员", "一级科员", "监管所所长"]


def load_demo(stdout):
    rng, fake = random.Random(SEED), Faker("zh_CN")
    fake.seed_instance(SEED)
    today = timezone.localdate()
    units = list(OrgUnit.objects.order_by("code"))
    xuchang = [u for u in units if u.code.startswith("xuchang")]
    per_unit = {
        u.pk: (XUCHANG_TOTAL // len(xuchang) + (1 if i < XUCHANG_TOTAL % len(xuchang) else 0))
        for i, u in enumerate(xuchang)
    }
    categories = list(ProductCategory.objects.order_by("code"))
    planned, serial = [], 0
    for unit in units:
        for _ in range(per_unit.get(unit.pk, 1)):
            serial += 1
            # Issued 2019–2022 and valid eight years, so the historical demo inspections of other apps fall inside.
            valid_from = FIRST_ISSUE + timedelta(days=rng.randint(0, 4 * 365))
            until = valid_from.replace(year=valid_from.year + 8) - timedelta(days=1)
            if serial % 23 == 0:
                until = today - timedelta(days=rng.randint(5, 200))  # a few expired certificates
            planned.append(
                (
                    Inspector(
                        name=fake.name(),
                        org_unit=unit,
                        position=rng.choice(POSITIONS),
                        phone=fake.phone_number(),
                        certificate_no=f"{unit.region_id[:4]}{serial:07d}",
                        certificate_valid_from=valid_from,
                        certificate_valid_until=until,
                        active=rng.random() > 0.05,
                    ),
                    rng.sample(categories, rng.randint(1, 3)),
                )
            )
    existing = set(Inspector.objects.values_list("certificate_no", flat=True))
    todo = [(i, c) for i, c in planned if i.certificate_no not in existing]
    Inspector.objects.bulk_create([i for i, _ in todo])
    Through = Inspector.expertise.through
    Through.objects.bulk_create([Through(inspector_id=i.pk, productcategory_id=c.pk) for i, cats in todo for c in cats])
    record_created([i for i, _ in todo])
    _link_logins(units)
    _avoidances(rng, [i for i, _ in todo])
    stdout.write(f"执法检查人员：新增 {len(todo)} 人（演示名录共 {len(planned)} 人）。")


def _link_logins(units):
    for unit in units:
        user = User.objects.filter(username=f"{unit.code}-inspector").first()
        if user is None or Inspector.objects.filter(user=user).exists():
            continue
        inspector = (
            Inspector.objects.filter(org_unit=unit, user__isnull=True, active=True).order_by("certificate_no").first()
        )
        if inspector is not None:
            inspector.user = user
            inspector.save(update_fields=["user"])
            user.display_name = inspector.name
            user.save(update_fields=["display_name"])


def _avoidances(rng, created):
    """Every tenth new inspector must avoid one or two enterprises of their own county (回避)."""
    for inspector in created[::10]:
        nearby = list(Enterprise.objects.filter(region_id=inspector.org_unit.region_id).order_by("id")[:40])
        if nearby:
            inspector.avoid_enterprises.add(*rng.sample(nearby, min(len(nearby), rng.randint(1, 2))))
