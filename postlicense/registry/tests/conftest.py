import io
from datetime import date
from itertools import count

import pytest
from openpyxl import Workbook

from postlicense.core.models import OrgUnit, Region
from postlicense.registry.credit_code import make_credit_code
from postlicense.registry.importing import COLUMNS
from postlicense.registry.models import Enterprise, License, ProductCategory

_serial = count(1)


@pytest.fixture
def make_enterprise(db):
    """make_enterprise(org_code, **fields) -> a saved enterprise supervised by that org unit, in its region."""

    def make(org_code="xuchang-weidu", name=None, category="水泥", **fields):
        unit = OrgUnit.objects.get(code=org_code)
        n = next(_serial)
        return Enterprise.objects.create(
            **{
                "name": name or f"测试企业{n}有限公司",
                "credit_code": make_credit_code(unit.region_id, 50_000_000 + n),
                "legal_representative": "张三",
                "address": "测试地址",
                "region": unit.region,
                "supervising_unit": unit,
                "product_category": ProductCategory.objects.get(name=category),
                **fields,
            }
        )

    return make


@pytest.fixture
def make_license(db):
    def make(enterprise, number, issue=date(2022, 1, 1), expiry=date(2027, 1, 1), **fields):
        return License.objects.create(
            enterprise=enterprise,
            number=number,
            product_category=enterprise.product_category,
            issue_date=issue,
            expiry_date=expiry,
            issuing_authority="河南省市场监督管理局",
            **fields,
        )

    return make


def xlsx_bytes(rows, headers=None):
    """An .xlsx with the import template's headers (or `headers`) and `rows` given as {header: value} dicts."""
    headers = headers or [c.header for c in COLUMNS]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def good_row(n=1, region="长葛市", **overrides):
    code = make_credit_code(Region.objects.get(name=region).code if not region.isdigit() else region, 70_000_000 + n)
    row = {
        "企业名称": f"长葛导入{n}水泥有限公司",
        "统一社会信用代码": code,
        "法定代表人": "李四",
        "住所": "长葛市建设路1号",
        "所在区县": region,
        "产品类别": "水泥",
        "风险等级": "中",
        "监管分类": "B",
        "许可证编号": f"豫XK08-001-{n:05d}",
        "产品单元": "通用硅酸盐水泥",
        "发证日期": "2023-01-01",
        "有效期至": "2028-01-01",
        "发证机关": "河南省市场监督管理局",
    }
    row.update(overrides)
    return row
