"""The order list and the inspection record list export what they show, filtered and scoped, formula-safe."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from postlicense.core.models import AuditEntry, User
from postlicense.followup.tests.helpers import failed_record, issued_order
from postlicense.inspections.tests.factories import make_enterprise

pytestmark = pytest.mark.django_db


def _cells(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture
def orders(staff):
    hostile = make_enterprise(name='=HYPERLINK("http://x","点我")')
    first = issued_order(staff, record=failed_record(staff, enterprise=hostile, day=date(2026, 5, 1)))
    other = issued_order(staff, record=failed_record(staff, day=date(2026, 5, 2)), issued_on=date(2026, 5, 7))
    return first, other


def test_the_order_list_exports_the_filtered_rows_formula_safe(client, staff, orders, make_user):
    first, other = orders
    client.force_login(staff)
    assert "/followup/orders/export/?q=" in client.get("/followup/orders/", {"q": "x"}).content.decode()
    rows = _cells(client.get("/followup/orders/export/", {"q": first.number}))
    assert rows[0][0] == "责令改正通知书台账" and rows[2][0] == "文号"  # the printed list says what it is
    assert "导出单位：许昌市魏都区市场监督管理局" in rows[1][0] and f"筛选条件：关键词：{first.number}" in rows[1][0]
    texts = [str(v) for row in rows[3:] for v in row if v is not None]
    assert first.number in texts and other.number not in texts
    assert '\'=HYPERLINK("http://x","点我")' in texts and not any(t.startswith("=") for t in texts)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).latest("pk")
    assert entry.object_repr == "责令改正通知书" and entry.changes["rows"] == 1
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))  # another county sees none of them
    texts = [str(v) for row in _cells(client.get("/followup/orders/export/")) for v in row if v is not None]
    assert first.number not in texts and other.number not in texts


def test_the_record_list_exports_the_filtered_rows_and_refuses_inspectors(client, staff, orders, colleague):
    client.force_login(staff)
    rows = _cells(client.get("/inspections/export/", {"q": "HYPERLINK"}))
    assert len([r for r in rows if r[1] and "HYPERLINK" in str(r[1])]) == 1
    assert not any(str(v).startswith("=") for row in rows for v in row if v is not None)
    client.force_login(colleague)
    assert client.get("/inspections/export/").status_code == 403
    assert client.get("/followup/orders/export/").status_code == 403


def test_a_list_too_long_for_one_download_asks_to_narrow_it(client, staff, orders, settings):
    settings.JOBS = {**settings.JOBS, "EXPORT_ROWS": 2}
    client.force_login(staff)
    response = client.get("/followup/orders/export/", {"status": "issued"}, follow=True)
    assert "超过一次导出的上限" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/followup/orders/?status=issued"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()
