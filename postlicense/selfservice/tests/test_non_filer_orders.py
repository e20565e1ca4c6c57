"""限期改正 to enterprises that did not file their annual self-report (工业产品生产许可证管理条例 第五十三条; 001 二(二)):
a batch action on the county's non-filer list issuing one follow-up rectification order per enterprise and year."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from postlicense.followup.models import RectificationOrder
from postlicense.inspections.tests.factories import make_enterprise
from postlicense.selfservice import services
from postlicense.selfservice.models import SelfReport

from .test_review import filed

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


def post(client, enterprises, reason="经电话催告仍未提交", year=2025):
    return client.post(
        "/enterprise/manage/non-filers/order/",
        {"year": year, "enterprises": [e.pk for e in enterprises], "reason": reason},
        follow=True,
    )


def test_the_batch_issues_one_order_per_selected_non_filer_with_the_article(client, staff, enterprise):
    other = make_enterprise()
    client.force_login(staff)
    page = client.get("/enterprise/manage/reports/?year=2025").content.decode()
    assert "对未按时提交的企业下达限期改正通知" in page and "第五十三条" in page and "053" not in page
    answer = post(client, [enterprise, other]).content.decode()
    assert {o.enterprise for o in RectificationOrder.objects.all()} == {enterprise, other}
    order = RectificationOrder.objects.get(enterprise=enterprise)
    assert order.source_kind == RectificationOrder.SourceKind.SELF_REPORT
    assert order.legal_basis == "《工业产品生产许可证管理条例》第五十三条"
    assert order.period_key == "rectification" and order.issued_by == staff and order.issued_on == TODAY
    assert "经电话催告仍未提交" in order.source_label
    assert [i.description for i in order.items.all()] == ["未按时提交2025年度自查报告"]
    assert order.number in answer and "已下达2份责令改正通知书" in answer
    # the list now links each enterprise to its order instead of offering it again
    page = client.get("/enterprise/manage/reports/?year=2025").content.decode()
    assert f"已下达 {order.number}" in page and f'value="{enterprise.pk}" form="order-non-filers"' not in page


def test_a_double_click_or_a_second_batch_issues_no_second_order(client, staff, city, enterprise):
    client.force_login(staff)
    post(client, [enterprise])
    again = post(client, [enterprise]).content.decode()
    assert RectificationOrder.objects.count() == 1 and "未重复下达" in again
    # another colleague of the city, same enterprise and year: the same order
    outcome = services.order_non_filers(city, enterprises=[enterprise], year=2025, reason="复核", today=TODAY)
    assert outcome.issued == [] and outcome.existing == [RectificationOrder.objects.get()]


def test_refused_once_filed_or_with_a_late_permission_or_within_the_window(staff, enterprise):
    late, filer = make_enterprise(), make_enterprise()
    filed(filer)
    services.grant_late_filing(staff, enterprise=late, year=2025, reason="停电", until=date(2026, 12, 20))
    outcome = services.order_non_filers(
        staff, enterprises=[filer, late, enterprise], year=2025, reason="催告未交", today=TODAY
    )
    assert [o.enterprise for o in outcome.issued] == [enterprise]
    assert {e: why for e, why in outcome.refused} == {
        filer: "已提交2025年度自查报告或不在您的管辖范围内",
        late: "已准予逾期补报",
    }
    # within the window (2026-06-30 for 2025's report) nothing is ordered
    early = services.order_non_filers(staff, enterprises=[filer, late], year=2025, reason="x", today=date(2026, 6, 30))
    assert not early.issued
    assert RectificationOrder.objects.count() == 1


def test_a_reason_is_required_and_nothing_is_issued_without_it(client, staff, enterprise):
    client.force_login(staff)
    answer = post(client, [enterprise], reason="").content.decode()
    assert "请填写下达理由" in answer
    with pytest.raises(ValidationError):
        services.order_non_filers(staff, enterprises=[enterprise], year=2025, reason=" ", today=TODAY)
    formula = post(client, [enterprise], reason="=HYPERLINK(1)").content.decode()
    assert "公式" in formula
    assert not RectificationOrder.objects.exists()


def test_an_enterprise_out_of_scope_is_refused(client, make_user, enterprise):
    from postlicense.core.models import User

    other_county = make_user(User.Role.COUNTY_STAFF, "xuchang-yuzhou")
    client.force_login(other_county)
    post(client, [enterprise])
    assert not RectificationOrder.objects.exists()
    outcome = services.order_non_filers(other_county, enterprises=[enterprise], year=2025, reason="x", today=TODAY)
    assert not outcome.issued and outcome.refused


def test_enterprise_users_and_inspectors_cannot_order(client, ent_user, enterprise):
    client.force_login(ent_user)
    assert client.post("/enterprise/manage/non-filers/order/", {"year": 2025}).status_code == 403
    assert not SelfReport.objects.exists() and not RectificationOrder.objects.exists()
