"""Inspector directory import (.xlsx), 003 二(二): name, unit, position, phone, certificate number and validity.

Same contract as the enterprise import: every row checked first, nothing written if one is bad; a
re-import updates the inspector with the same certificate number.
"""

from dataclasses import dataclass

from django.db import transaction

from postlicense.core.audit import record
from postlicense.core.models import OrgUnit
from postlicense.registry.importing import upsert
from postlicense.registry.models import ProductCategory
from postlicense.registry.phone import PHONE_HELP
from postlicense.registry.xlsx import Column, RowCheck, RowError, split_list

from .models import Inspector

COLUMNS = [
    Column("姓名", "name", True, 10),
    Column("所在单位", "org_unit", True, 26, "监管部门全称，如 长葛市市场监督管理局"),
    Column("职务", "position", False, 12),
    Column("联系电话", "phone", False, 16, PHONE_HELP),
    Column("执法证号", "certificate_no", True, 20, "已登记的执法证号将更新该人员"),
    Column("执法证有效期起", "valid_from", False, 14, "YYYY-MM-DD"),
    Column("执法证有效期至", "valid_until", True, 14, "YYYY-MM-DD"),
    Column("专业领域", "expertise", False, 30, "产品类别名称，多个用顿号分隔"),
    Column("在岗", "active", False, 6, "是/否，空为是"),
]
TEMPLATE_EXAMPLE = [
    [
        "张伟",
        "长葛市市场监督管理局",
        "科员",
        "0374-6123456",
        "41100000123",
        "2024-01-01",
        "2029-12-31",
        "水泥、电线电缆",
        "是",
    ]
]
FIELDS = ["name", "org_unit_id", "position", "phone", "certificate_valid_from", "certificate_valid_until", "active"]


@dataclass
class Row:
    number: int
    values: dict
    expertise: list


def validate(numbered_cells, user, progress=lambda n: None):
    units = {u.name: u.pk for u in OrgUnit.objects.for_user(user)}
    categories = {c.name: c.pk for c in ProductCategory.objects.all()}
    rows, errors, first_row = [], [], {}
    for i, (number, cells) in enumerate(numbered_cells, start=1):
        if i % 1000 == 0:
            progress(i)
        check = RowCheck(number, cells, COLUMNS, errors)
        text = check.text
        unit_id = units.get(text["org_unit"])
        if text["org_unit"] and unit_id is None:
            check.fail("org_unit", f"未知的单位“{text['org_unit']}”，或不在您的管辖范围内")
        valid_from, valid_until = check.date("valid_from"), check.date("valid_until")
        if valid_from and valid_until and valid_until <= valid_from:
            check.fail("valid_until", "有效期至须晚于有效期起")
        expertise = []
        for name in split_list(text["expertise"]):
            if name not in categories:
                check.fail("expertise", f"产品目录中没有“{name}”")
            expertise.append(categories.get(name))
        if text["active"] not in {"", "是", "否"}:
            check.fail("active", "请填写“是”或“否”")
        phone = check.clean("phone", Inspector._meta.get_field("phone"))
        check.max_length({"name": 50, "position": 50, "certificate_no": 40})
        certificate_no = text["certificate_no"].upper()
        if certificate_no in first_row:
            check.fail("certificate_no", f"与第{first_row[certificate_no]}行重复")
        if not check.ok:
            continue
        first_row[certificate_no] = number
        rows.append(
            Row(
                number,
                {
                    "name": text["name"],
                    "org_unit_id": unit_id,
                    "position": text["position"],
                    "phone": phone,
                    "certificate_no": certificate_no,
                    "certificate_valid_from": valid_from,
                    "certificate_valid_until": valid_until,
                    "active": text["active"] != "否",
                },
                expertise,
            )
        )
    by_no = {row.values["certificate_no"]: row for row in rows}
    others = Inspector.objects.filter(certificate_no__in=list(by_no)).exclude(
        pk__in=Inspector.objects.for_user(user).values("pk")
    )
    for certificate_no in others.values_list("certificate_no", flat=True):
        errors.append(
            RowError(by_no[certificate_no].number, "执法证号", "该执法证号已登记在其他单位的人员名下，无权修改")
        )
    return rows, sorted(errors, key=lambda e: e.row)


@transaction.atomic
def apply(rows, progress=lambda n: None):
    inspectors, changes, created, updated = upsert(Inspector, "certificate_no", [r.values for r in rows], FIELDS)
    Through = Inspector.expertise.through
    Through.objects.filter(inspector_id__in=[i.pk for i in inspectors.values()]).delete()
    Through.objects.bulk_create(
        [
            Through(inspector_id=inspectors[r.values["certificate_no"]].pk, productcategory_id=c)
            for r in rows
            for c in r.expertise
        ]
    )
    progress(len(rows))
    record(changes)
    return created, updated


def export_rows(inspectors):
    for i in inspectors.select_related("org_unit").prefetch_related("expertise"):
        yield [
            i.name,
            i.org_unit.name,
            i.position,
            i.phone,
            i.certificate_no,
            i.certificate_valid_from,
            i.certificate_valid_until,
            "、".join(c.name for c in i.expertise.all()),
            "是" if i.active else "否",
        ]
