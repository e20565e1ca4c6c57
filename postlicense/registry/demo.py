"""Demo register (issue 3 §9): ~600 许昌市 enterprises, a few in 滨海新区's branches, licenses, equipment.

Deterministic (seeded) and idempotent: enterprises are keyed by credit codes built with the validator's own
check characters from the county code; places come from the region table, people and phones from Faker.
"""

import random
from datetime import timedelta

from django.utils import timezone
from faker import Faker

from postlicense.core.audit import record_created
from postlicense.core.models import OrgUnit, Region, User
from postlicense.core.services import ensure_city_admin_group, ensure_demo_user

from .credit_code import make_credit_code
from .license_number import make_license_number
from .models import Enterprise, EnterpriseAccount, KeyEquipment, License, ProductCategory, ProductUnit

SEED = 20261123
BRANDS = [
    "天瑞",
    "恒达",
    "金龙",
    "华豫",
    "瑞丰",
    "宏源",
    "鑫诚",
    "中原",
    "永安",
    "远东",
    "豫能",
    "森源",
    "黄河",
    "众品",
    "东方",
    "金汇",
    "长城",
    "丰源",
    "新世纪",
    "德信",
    "嘉盛",
    "广宇",
    "同力",
    "万通",
    "明泰",
    "鸿运",
    "钧都",
    "华夏",
    "安泰",
    "正大",
    "兴隆",
    "隆达",
    "振宇",
    "神火",
    "春都",
    "博大",
    "润通",
    "佳美",
    "宇通",
    "瑞祥",
]
WORDS = {  # product word in the name, key production equipment, inspection equipment
    "建筑用钢筋": (
        ["钢铁", "钢业", "特钢"],
        ["轧机", "加热炉", "冷剪机"],
        ["万能材料试验机", "弯曲试验机", "直读光谱仪"],
    ),
    "电线电缆": (
        ["电缆", "线缆", "电线电缆"],
        ["拉丝机", "绞线机", "挤塑机"],
        ["导体电阻测试仪", "耐压试验装置", "拉力试验机"],
    ),
    "水泥": (
        ["水泥", "建材", "水泥制品"],
        ["水泥粉磨机", "回转窑", "包装机"],
        ["水泥胶砂强度试验机", "勃氏比表面积仪", "X荧光分析仪"],
    ),
    "广播电视传输设备": (["广电设备", "通信设备"], ["贴片机", "回流焊机"], ["频谱分析仪", "功率计"]),
    "卫星电视广播地面接收设备": (["电子科技", "卫星通信"], ["注塑机", "贴片机"], ["场强仪", "噪声系数分析仪"]),
    "危险化学品": (
        ["化工", "精细化工", "化学"],
        ["反应釜", "精馏塔", "储罐"],
        ["气相色谱仪", "电子天平", "闪点测定仪"],
    ),
    "化肥": (["肥业", "化肥", "生态肥业"], ["造粒机", "烘干机", "混合机"], ["定氮仪", "分光光度计", "电子天平"]),
    "直接接触食品的材料等相关产品": (
        ["塑料制品", "包装材料", "纸制品"],
        ["注塑机", "吹膜机", "制袋机"],
        ["迁移量测试装置", "厚度测量仪"],
    ),
    "危险化学品包装物及容器": (
        ["包装容器", "包装制品", "桶业"],
        ["卷板机", "缝焊机", "吹塑机"],
        ["气密试验装置", "液压试验装置", "跌落试验机"],
    ),
    "人民币鉴别仪": (["金融设备", "电子"], ["贴片机", "装配线"], ["鉴别能力测试台", "点钞速度测试仪"]),
}
ROADS = [
    "建设路",
    "八一路",
    "文峰路",
    "许继大道",
    "魏武大道",
    "新兴路",
    "长兴路",
    "东城大道",
    "学院路",
    "人民路",
    "解放路",
    "工业大道",
    "纬一路",
    "经三路",
    "永昌大道",
    "瑞祥路",
    "尚集大道",
    "劳动路",
]
SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司"]
CATEGORY_WEIGHTS = {
    "建筑用钢筋": 6,
    "电线电缆": 16,
    "水泥": 14,
    "广播电视传输设备": 2,
    "卫星电视广播地面接收设备": 2,
    "危险化学品": 14,
    "化肥": 12,
    "直接接触食品的材料等相关产品": 16,
    "危险化学品包装物及容器": 8,
    "人民币鉴别仪": 2,
}
XUCHANG_COUNTIES = {"411002": 70, "411003": 110, "411024": 70, "411025": 90, "411081": 130, "411082": 130}
NAME_PREFIX = {
    "411002": "许昌",
    "411003": "许昌",
    "411024": "鄢陵",
    "411025": "襄城",
    "411081": "禹州",
    "411082": "长葛",
}
BINHAI_PER_BRANCH = 5
ACCOUNT_EVERY = 60


def _choose(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _plan(rng, fake, today):
    """Every demo enterprise as (Enterprise, [(License, unit ids)], [KeyEquipment]) — unsaved."""
    categories = {c.name: c for c in ProductCategory.objects.all()}
    units = {}
    for unit in ProductUnit.objects.order_by("id"):
        units.setdefault(unit.category_id, []).append(unit)
    regions = {r.code: r for r in Region.objects.all()}
    org_by_region = {u.region_id: u for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY)}
    places = [(code, n, org_by_region[code], NAME_PREFIX[code]) for code, n in XUCHANG_COUNTIES.items()]
    branches = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH, region_id="120116").order_by("code")
    places += [("120116", BINHAI_PER_BRANCH, b, "天津") for b in branches]
    plans, names, serial, license_serial = [], set(), 0, 0
    for region_code, count, unit, prefix in places:
        region = regions[region_code]
        for _ in range(count):
            serial += 1
            category = categories[_choose(rng, CATEGORY_WEIGHTS)]
            words, production, inspection = WORDS[category.name]
            name = ""
            while not name or name in names:
                city = prefix if rng.random() < 0.7 else ("许昌" if region_code.startswith("4110") else "天津滨海")
                name = f"{city}{rng.choice(BRANDS)}{rng.choice(words)}{rng.choice(SUFFIXES)}"
            names.add(name)
            status = _choose(
                rng,
                {
                    Enterprise.Status.PRODUCING: 88,
                    Enterprise.Status.STOPPED: 7,
                    Enterprise.Status.SWITCHED: 3,
                    Enterprise.Status.CANCELLED: 2,
                },
            )
            street = f"{region.name}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
            enterprise = Enterprise(
                name=name,
                credit_code=make_credit_code(region_code, 30_000_000 + serial * 7),
                legal_representative=fake.name(),
                contact=fake.name(),
                phone=fake.phone_number(),
                address=f"{region.parent.full_name}{street}" if region.parent else street,
                production_address=f"{region.name}{rng.choice(['产业集聚区', '经济技术开发区', '工业园区'])}{rng.randint(1, 88)}号"
                if rng.random() < 0.5
                else "",
                region=region,
                supervising_unit=unit,
                product_category=category,
                products="、".join(u.name for u in rng.sample(units[category.pk], min(2, len(units[category.pk])))),
                production_scale=_choose(rng, {"large": 5, "medium": 20, "small": 55, "micro": 20}),
                status=status,
                risk_level=_choose(rng, {"low": 50, "medium": 30, "medium_high": 13, "high": 7}),
                supervision_class=_choose(rng, {"A": 40, "B": 35, "C": 18, "D": 7}),
                is_focus=category.is_focus and rng.random() < 0.4,
                notes="因市场原因停产，待复产后检查" if status == Enterprise.Status.STOPPED else "",
            )
            licenses = []
            for _ in range(1 if rng.random() < 0.85 else 2):
                license_serial += 1
                unit_choice = rng.sample(units[category.pk], rng.randint(1, min(2, len(units[category.pk]))))
                unit_code = f"{units[category.pk].index(unit_choice[0]) + 1:03d}"
                issue = today - timedelta(days=rng.randint(20, 5 * 365 + 200))
                expiry = issue + timedelta(days=5 * 365)  # licenses run five years
                if status == Enterprise.Status.CANCELLED:
                    lic_status = License.Status.CANCELLED
                elif expiry < today and rng.random() < 0.5:
                    lic_status = License.Status.EXPIRED
                else:
                    lic_status = License.Status.VALID
                lic = License(
                    number=make_license_number(
                        "豫" if region_code.startswith("41") else "津", category.code, unit_code, 1000 + license_serial
                    ),
                    product_category=category,
                    issue_date=issue,
                    expiry_date=expiry,
                    issuing_authority="河南省市场监督管理局"
                    if region_code.startswith("41")
                    else "天津市市场监督管理委员会",
                    status=lic_status,
                )
                licenses.append((lic, [u.pk for u in unit_choice]))
            equipment = [
                KeyEquipment(
                    kind=KeyEquipment.Kind.PRODUCTION,
                    name=n,
                    model=f"{rng.choice('ABCDHJKLMQSTXYZ')}{rng.randint(10, 990)}",
                    quantity=rng.randint(1, 6),
                )
                for n in rng.sample(production, rng.randint(1, len(production)))
            ]
            equipment += [
                KeyEquipment(
                    kind=KeyEquipment.Kind.INSPECTION,
                    name=n,
                    model=f"{rng.choice('ABCDHJKLMQSTXYZ')}-{rng.randint(100, 9900)}",
                    quantity=1,
                    is_measuring_instrument=True,
                    calibration_due=today + timedelta(days=rng.randint(-60, 360)),
                )
                for n in rng.sample(inspection, rng.randint(1, len(inspection)))
            ]
            plans.append((enterprise, licenses, equipment))
    return plans


def load_demo(stdout):
    ensure_city_admin_group([ProductCategory, ProductUnit])
    rng, fake = random.Random(SEED), Faker("zh_CN")
    fake.seed_instance(SEED)
    plans = _plan(rng, fake, timezone.localdate())
    existing = set(
        Enterprise.objects.filter(credit_code__in=[e.credit_code for e, _, _ in plans]).values_list(
            "credit_code", flat=True
        )
    )
    todo = [p for p in plans if p[0].credit_code not in existing]
    for enterprise, _, _ in todo:
        enterprise.search_key = Enterprise.make_search_key(enterprise.name, enterprise.products, enterprise.credit_code)
    Enterprise.objects.bulk_create([e for e, _, _ in todo])
    licenses, links, equipment = [], [], []
    for enterprise, lics, items in todo:
        for lic, unit_ids in lics:
            lic.enterprise = enterprise
            licenses.append(lic)
            links.append((lic, unit_ids))
        for item in items:
            item.enterprise = enterprise
            equipment.append(item)
    License.objects.bulk_create(licenses)
    Through = License.product_units.through
    Through.objects.bulk_create([Through(license_id=lic.pk, productunit_id=u) for lic, ids in links for u in ids])
    KeyEquipment.objects.bulk_create(equipment)
    record_created([*(e for e, _, _ in todo), *licenses, *equipment])
    for enterprise, _, _ in plans[::ACCOUNT_EVERY]:
        enterprise = Enterprise.objects.get(credit_code=enterprise.credit_code)
        user = ensure_demo_user(
            f"ent-{enterprise.credit_code}", User.Role.ENTERPRISE, display_name=enterprise.name[:50]
        )
        EnterpriseAccount.objects.get_or_create(user=user, defaults={"enterprise": enterprise})
    stdout.write(
        f"获证企业：新增 {len(todo)} 家（演示名录共 {len(plans)} 家），许可证 {len(licenses)} 张，关键设备 {len(equipment)} 台。"
    )
