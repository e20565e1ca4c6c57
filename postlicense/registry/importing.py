"""Enterprise register import (.xlsx): one row per license (an enterprise without a license: one row without).

Issue 3 §7: every row is validated before anything is written; one bad row imports nothing and every bad
row is listed (row number, column, reason). A re-import updates the enterprise with the same credit code
and the license with the same number instead of duplicating them. An enterprise holding several licenses
has one row per license with the same enterprise columns; the same credit code with different enterprise
data, or the same license number twice, is an error.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction

from postlicense.core.audit import Change, record, snapshot
from postlicense.core.audit import diff as audit_diff
from postlicense.core.bulk import insert_new, insert_rows, update_rows
from postlicense.core.models import AuditEntry, OrgUnit, Region
from postlicense.core.scoping import jurisdiction_of

from .credit_code import make_credit_code
from .models import Enterprise, License, ProductCategory, ProductUnit
from .phone import PHONE_HELP
from .services import PLACE_FIELDS, enterprises_moved, license_bars
from .xlsx import Column, RowCheck, RowError, split_list

E, L = Enterprise, License
COLUMNS = [
    Column("企业名称", "name", True, 30),
    Column("统一社会信用代码", "credit_code", True, 22, "18位，按 GB 32100-2015 校验"),
    Column("法定代表人", "legal_representative", True, 10),
    Column("联系人", "contact", False, 10),
    Column("联系电话", "phone", False, 16, PHONE_HELP),
    Column("住所", "address", True, 30),
    Column("生产地址", "production_address", False, 30),
    Column("所在区县", "region", True, 12, "区划名称或6位区划代码，如 长葛市 或 411082"),
    Column("监管单位", "unit", False, 20, "可空：默认为所在区县的市场监管局；分局用户默认为本分局"),
    Column("产品类别", "category", True, 16, "产品目录中的类别名称，如 水泥"),
    Column("主要产品", "products", False, 24),
    Column("生产规模", "scale", False, 8, "大型/中型/小型/微型，空为小型"),
    Column("生产状态", "status", False, 8, "在产/停产/转产/注销，空为在产"),
    Column("风险等级", "risk_level", False, 8, "低/中/中高/高，空为低"),
    Column("监管分类", "supervision_class", False, 8, "A/B/C/D，空为A"),
    Column("重点企业", "is_focus", False, 8, "是/否"),
    Column("备注", "notes", False, 20),
    Column("许可证编号", "license_number", False, 20, "如 豫XK08-001-00123；填写时发证日期、有效期至、发证机关必填"),
    Column("产品单元", "units", False, 30, "多个单元用顿号或分号分隔"),
    Column("发证日期", "issue_date", False, 12, "YYYY-MM-DD"),
    Column("有效期至", "expiry_date", False, 12, "YYYY-MM-DD，须晚于发证日期"),
    Column("发证机关", "issuing_authority", False, 20),
    Column("证书状态", "license_status", False, 8, "有效/过期/撤销/吊销/注销/撤回，空为有效"),
]
HEADER = {c.key: c.header for c in COLUMNS}
TEMPLATE_EXAMPLE = [
    [
        "许昌示例水泥有限公司",
        make_credit_code("411082", 12345678),
        "张三",
        "李四",
        "0374-6123456",
        "河南省许昌市长葛市建设路1号",
        "长葛市产业集聚区8号",
        "长葛市",
        "",
        "水泥",
        "通用硅酸盐水泥",
        "中型",
        "在产",
        "低",
        "B",
        "是",
        "",
        "豫XK08-001-00001",
        "通用硅酸盐水泥",
        "2023-03-01",
        "2028-02-28",
        "河南省市场监督管理局",
        "有效",
    ]
]
ENTERPRISE_FIELDS = [
    "name",
    "legal_representative",
    "contact",
    "phone",
    "address",
    "production_address",
    "region_id",
    "supervising_unit_id",
    "product_category_id",
    "products",
    "production_scale",
    "status",
    "risk_level",
    "supervision_class",
    "is_focus",
    "notes",
    "search_key",
]
LICENSE_FIELDS = ["product_category_id", "issue_date", "expiry_date", "issuing_authority", "status"]


def choice_map(choices, *aliases):
    """Label → value, accepting the label, the value and short forms ('低' for '低风险', 'A' for 'A类')."""
    mapping = {}
    for value, label in choices:
        for key in (label, value, label.removesuffix("风险"), label.removesuffix("类")):
            mapping[key] = value
    for alias, value in aliases:
        mapping[alias] = value
    return mapping


CHOICES = {
    "scale": (choice_map(E.Scale.choices), E.Scale.SMALL),
    "status": (choice_map(E.Status.choices), E.Status.PRODUCING),
    "risk_level": (choice_map(E.RiskLevel.choices), E.RiskLevel.LOW),
    "supervision_class": (choice_map(E.SupervisionClass.choices), E.SupervisionClass.A),
    "license_status": (choice_map(L.Status.choices), L.Status.VALID),
}
CHOICE_LABELS = {
    "scale": E.Scale.labels,
    "status": E.Status.labels,
    "risk_level": ["低", "中", "中高", "高"],
    "supervision_class": E.SupervisionClass.values,
    "license_status": L.Status.labels,
}
YES, NO = {"是", "Y", "y", "1", "TRUE", "true", "重点"}, {"", "否", "N", "n", "0", "FALSE", "false"}


@dataclass
class Row:
    number: int
    enterprise: dict
    licenses: list = field(default_factory=list)  # [(license values, product unit ids)]


class Lookups:
    """Reference data resolved once per import (regions, org units, catalogue) and the user's jurisdiction."""

    def __init__(self, user):
        j = jurisdiction_of(user)
        self.user = user
        self.prefix = "" if j.everything else (j.region_prefix or None)
        self.branch = user.org_unit if j.branch_unit_id else None
        counties = Region.objects.filter(level=Region.Level.COUNTY)
        self.regions = {r.code: r for r in counties} | {r.name: r for r in counties}
        self.units = {u.name: u for u in OrgUnit.objects.for_user(user)}
        self.unit_by_region = {}
        for unit in OrgUnit.objects.exclude(kind=OrgUnit.Kind.BRANCH).order_by("-kind"):  # county before city
            self.unit_by_region.setdefault(unit.region_id, unit)
        categories = list(ProductCategory.objects.all())
        self.categories = {c.name: c for c in categories} | {c.code: c for c in categories}
        self.product_units = {(u.category_id, u.name): u.pk for u in ProductUnit.objects.all()}

    def region(self, text):
        region = self.regions.get(text)
        if region is None:
            raise ValueError(f"未知的区县“{text}”：请填写区县名称或6位区划代码")
        if self.prefix is None or not region.code.startswith(self.prefix):
            raise ValueError(f"{region.name}不在您的管辖范围内")
        return region

    def unit(self, text, region):
        if not text:
            unit = self.branch or self.unit_by_region.get(region.code)
            if unit is None:
                raise ValueError(f"{region.name}没有对应的监管单位，请填写“监管单位”")
            return unit
        unit = self.units.get(text)
        if unit is None:
            raise ValueError(f"未知的监管单位“{text}”，或不在您的管辖范围内")
        if unit.region_id != region.code:
            raise ValueError(f"{unit.name}不负责{region.name}")
        return unit


def parse_row(number, cells, lookups, errors):
    """One sheet row → Row, or None after appending its RowErrors."""
    check = RowCheck(number, cells, COLUMNS, errors)
    text, fail = check.text, check.fail
    credit_code = check.clean("credit_code", E._meta.get_field("credit_code")) if text["credit_code"] else ""
    phone = check.clean("phone", E._meta.get_field("phone"))
    region = unit = category = None
    if text["region"]:
        try:
            region = lookups.region(text["region"])
        except ValueError as exc:
            fail("region", str(exc))
        else:
            try:
                unit = lookups.unit(text["unit"], region)
            except ValueError as exc:
                fail("unit", str(exc))
    if text["category"]:
        category = lookups.categories.get(text["category"])
        if category is None:
            fail("category", f"产品目录中没有“{text['category']}”")
    values = {}
    for key, (mapping, default) in CHOICES.items():
        values[key] = mapping.get(text[key], None) if text[key] else default
        if values[key] is None:
            fail(key, f"“{text[key]}”不是可选值（{'/'.join(CHOICE_LABELS[key])}）")
    if text["is_focus"] not in YES | NO:
        fail("is_focus", "请填写“是”或“否”")
    check.max_length(
        {
            "name": 200,
            "address": 200,
            "production_address": 200,
            "products": 300,
            "legal_representative": 50,
            "contact": 50,
            "issuing_authority": 100,
        }
    )

    license, unit_ids = None, []
    if text["license_number"]:
        license_number = check.clean("license_number", L._meta.get_field("number"))
        needed = "填写许可证编号时必填"
        issue, expiry = check.date("issue_date", True, needed), check.date("expiry_date", True, needed)
        if issue and expiry and expiry <= issue:
            fail("expiry_date", "有效期至须晚于发证日期")
        if not text["issuing_authority"]:
            fail("issuing_authority", needed)
        if category is not None:
            for name in split_list(text["units"]):
                pk = lookups.product_units.get((category.pk, name))
                if pk is None:
                    fail("units", f"“{category.name}”类别下没有产品单元“{name}”")
                unit_ids.append(pk)
        license = {
            "number": license_number,
            "issue_date": issue,
            "expiry_date": expiry,
            "issuing_authority": text["issuing_authority"],
            "status": values["license_status"],
        }
    elif any(text[k] for k in ("issue_date", "expiry_date", "issuing_authority", "units")):
        fail("license_number", "填写了许可证信息但缺少许可证编号")

    if not check.ok:
        return None
    enterprise = {
        "credit_code": credit_code,
        "name": text["name"],
        "legal_representative": text["legal_representative"],
        "contact": text["contact"],
        "phone": phone,
        "address": text["address"],
        "production_address": text["production_address"],
        "region_id": region.code,
        "supervising_unit_id": unit.pk,
        "product_category_id": category.pk,
        "products": text["products"],
        "production_scale": values["scale"],
        "status": values["status"],
        "risk_level": values["risk_level"],
        "supervision_class": values["supervision_class"],
        "is_focus": text["is_focus"] in YES,
        "notes": text["notes"],
        "search_key": Enterprise.make_search_key(text["name"], text["products"], credit_code),
    }
    if license is not None:
        license["product_category_id"] = category.pk
    return Row(number, enterprise, [(license, unit_ids)] if license else [])


def _chunks(items, size=900):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def validate(numbered_cells, user, progress=lambda n: None):
    """(rows, errors): every row checked against the sheet, the catalogue, the jurisdiction and the database."""
    lookups, rows, errors = Lookups(user), [], []
    by_code, first_row_of_license = {}, {}
    for i, (number, cells) in enumerate(numbered_cells, start=1):
        row = parse_row(number, cells, lookups, errors)
        if i % 1000 == 0:
            progress(i)
        if row is None:
            continue
        for license, _ in row.licenses:
            if license["number"] in first_row_of_license:
                errors.append(
                    RowError(number, HEADER["license_number"], f"与第{first_row_of_license[license['number']]}行重复")
                )
                row = None
            else:
                first_row_of_license[license["number"]] = number
        if row is None:
            continue
        first = by_code.get(row.enterprise["credit_code"])
        if first is None:
            by_code[row.enterprise["credit_code"]] = row
            rows.append(row)
        elif first.enterprise != row.enterprise or not row.licenses or not first.licenses:
            errors.append(
                RowError(
                    number,
                    HEADER["credit_code"],
                    f"与第{first.number}行重复（同一企业的多张许可证须逐行填写，企业信息须完全一致）",
                )
            )
        else:
            first.licenses.extend(row.licenses)
    _check_against_database(rows, user, errors)
    return rows, sorted(errors, key=lambda e: e.row)


def _check_against_database(rows, user, errors):
    by_code = {row.enterprise["credit_code"]: row for row in rows}
    visible = Enterprise.objects.for_user(user)
    for codes in _chunks(by_code):
        existing = set(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True))
        mine = set(visible.filter(credit_code__in=codes).values_list("credit_code", flat=True))
        for code in existing - mine:
            errors.append(
                RowError(by_code[code].number, HEADER["credit_code"], "该信用代码已登记在其他辖区的企业名下，无权修改")
            )
    by_number = {lic["number"]: row for row in rows for lic, _ in row.licenses}
    license_of = {lic["number"]: lic for row in rows for lic, _ in row.licenses}
    known = set()
    for numbers in _chunks(by_number):
        for number, code, status in License.objects.filter(number__in=numbers).values_list(
            "number", "enterprise__credit_code", "status"
        ):
            known.add(number)
            if code != by_number[number].enterprise["credit_code"]:
                errors.append(
                    RowError(by_number[number].number, HEADER["license_number"], "该许可证编号已属于另一家企业")
                )
            elif license_of[number]["status"] != status:
                errors.append(
                    RowError(
                        by_number[number].number,
                        HEADER["license_status"],
                        "已登记许可证的状态只能通过许可处理决定变更（跟踪处置 › 许可处理建议），不能通过导入修改",
                    )
                )
    new = {(by_number[n].enterprise["credit_code"], license_of[n]["product_category_id"]): n for n in by_number}
    new = {pair: n for pair, n in new.items() if n not in known}
    for pair, message in license_bars(new).items():
        errors.append(RowError(by_number[new[pair]].number, HEADER["category"], message))


def apply(rows, progress=lambda n: None):
    """Write validated rows: create or update enterprises and licenses; one audit entry per changed record.

    Each batch of 1,000 enterprises commits with its audit entries, so a long import does not hold SQLite's
    write lock for a minute (other users keep working) and its progress is visible. The rows were all
    validated beforehand; if the process dies mid-way, importing the same file again completes it (rows
    already written are matched by credit code and license number).
    """
    created = updated = done = 0
    Through = License.product_units.through
    for batch in _chunks(rows, 1000):
        with transaction.atomic():
            _defer_search_index()
            enterprises, changes, n_new, n_changed = upsert(
                Enterprise, "credit_code", [r.enterprise for r in batch], ENTERPRISE_FIELDS
            )
            numbered = [
                ({**lic, "enterprise_id": enterprises[row.enterprise["credit_code"]].pk}, units)
                for row in batch
                for lic, units in row.licenses
            ]
            licenses, license_changes, _, _ = upsert(
                License, "number", [values for values, _ in numbered], LICENSE_FIELDS
            )
            Through.objects.filter(license_id__in=[lic.pk for lic in licenses.values()]).delete()
            insert_rows(
                connection,
                Through._meta.db_table,
                ["license_id", "productunit_id"],
                [(licenses[values["number"]].pk, unit) for values, units in numbered for unit in units],
            )
            record(changes + license_changes)
            enterprises_moved(
                c.obj.pk
                for c in changes
                if c.action == AuditEntry.Action.UPDATE and set(PLACE_FIELDS) & c.changes["changed"].keys()
            )
        created, updated, done = created + n_new, updated + n_changed, done + len(batch)
        progress(done)
    _merge_search_index()
    return created, updated


SEARCH_INDEX = "registry_enterprise_search_trgm"  # migrations/0004_search_trigram.py


def _defer_search_index():
    """PostgreSQL: new names wait in the trigram index's pending list instead of each inserting its ~40
    trigrams into the tree (a quarter of an import's write time at a million rows); searches still see them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL gin_pending_list_limit = 65536")  # kB


def _merge_search_index():
    """Merge the pending list into the tree in one pass, so searches do not scan it linearly afterwards."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [SEARCH_INDEX])


# Marks the audit entries an import writes, so a record's history tells them from edits made on its page.
FROM_IMPORT = {"source": "import"}


def upsert(model, key, rows, fields):
    """Create or update `model` records matched on the unique `key`; ({key: record}, audit changes, created, updated).

    The audit changes carry FROM_IMPORT."""
    records = {getattr(r, key): r for r in model.objects.filter(**{f"{key}__in": [values[key] for values in rows]})}
    new, changed, changes = [], [], []
    for values in rows:
        obj = records.get(values[key])
        if obj is None:
            records[values[key]] = obj = model(**values)
            new.append(obj)
            continue
        before = snapshot(obj)
        for name in fields:
            setattr(obj, name, values[name])
        diff = audit_diff(before, snapshot(obj))
        if diff:
            changed.append(obj)
            changes.append(Change(AuditEntry.Action.UPDATE, obj, {"changed": diff, **FROM_IMPORT}))
    insert_new(model, new, key)
    if changed:
        update_rows(model, changed, fields)
    changes.extend(Change(AuditEntry.Action.CREATE, obj, {"after": snapshot(obj), **FROM_IMPORT}) for obj in new)
    return records, changes, len(new), len(changed)


def export_rows(enterprises):
    """The filtered list in the import layout (one row per license), so an export can be edited and re-imported."""
    yes_no = {True: "是", False: "否"}
    qs = (
        enterprises.select_related("region", "supervising_unit", "product_category")
        .prefetch_related("licenses__product_units")
        .order_by("-pk")
    )
    for e in qs.iterator(chunk_size=2000):
        base = [
            e.name,
            e.credit_code,
            e.legal_representative,
            e.contact,
            e.phone,
            e.address,
            e.production_address,
            e.region.name,
            e.supervising_unit.name,
            e.product_category.name,
            e.products,
            e.get_production_scale_display(),
            e.get_status_display(),
            e.get_risk_level_display(),
            e.get_supervision_class_display(),
            yes_no[e.is_focus],
            e.notes,
        ]
        licenses = list(e.licenses.all())
        if not licenses:
            yield base + [""] * 6
        for lic in licenses:
            yield base + [
                lic.number,
                "、".join(u.name for u in lic.product_units.all()),
                lic.issue_date,
                lic.expiry_date,
                lic.issuing_authority,
                lic.get_status_display(),
            ]
