"""What a failed test leads to (002 第十八条 → 产品质量法; 抽查办法 第四十五至四十七条; 条例 第五十四条): the
rectification order once the 复检 window has passed, its 复查 within 75 日 (a new sampling), the revocation proposal
after a second failure, the orders after a sampling-failure notice, and the interview suggestion."""

import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from postlicense.core.models import User
from postlicense.followup import services as followup
from postlicense.followup.interviews import suggestion_reasons, suggestions
from postlicense.followup.models import Escalation, LicenseDecisionProposal, RectificationOrder
from postlicense.registry.models import EnterpriseAccount
from postlicense.supervision import services
from postlicense.supervision.models import LinkageNotice, NoticeEntry, TestOrder
from postlicense.supervision.selectors import todo_groups

from .factories import enterprise, reported, sampled
from .test_notices_complaints import UNKNOWN, notice, row

pytestmark = pytest.mark.django_db
S = TestOrder.Status
OS = RectificationOrder.Status


def notified(world, day=date(2026, 8, 3)):
    """A failed test reported on `day` and told to the enterprise the next day (抽查办法 第四十五条)."""
    order = reported(world, "unqualified", day)
    told = date.fromordinal(day.toordinal() + 1)
    return services.record_notification(
        order, notified_date=told, notify_method="直接送达", stop_selling_date=told, stop_selling_method="当场送达"
    )


def lab_report(world, test, day, result, failed_items=""):
    test = services.record_sending(test, lab=world.lab, sent_date=day)
    test = services.record_receipt(test, received_date=day)
    return services.record_report(
        test,
        report_no="WT-2",
        report_date=day,
        result=result,
        failed_items=failed_items,
        hazard_level="major" if failed_items else "",
    )


def test_the_order_waits_for_the_notice_and_the_retest_window(world, staff):
    # 抽查办法 第四十五条: the enterprise is told first; 产品质量法 第十五条: 15 日 for a 复检 request
    test = reported(world, "unqualified", date(2026, 8, 3))
    with pytest.raises(ValidationError, match="告知企业"):
        services.order_rectification(test, by=staff, today=date(2026, 8, 20))
    test = services.record_notification(
        test,
        notified_date=date(2026, 8, 4),
        notify_method="直接送达",
        stop_selling_date=date(2026, 8, 4),
        stop_selling_method="当场送达",
    )
    with pytest.raises(ValidationError, match="尚未届满"):
        services.order_rectification(test, by=staff, today=date(2026, 8, 19))
    test = services.record_retest_request(test, requested_date=date(2026, 8, 10))
    with pytest.raises(ValidationError, match="复检"):
        services.order_rectification(test, by=staff, today=date(2026, 8, 20))
    assert not RectificationOrder.objects.exists()
    # the 复检 confirmed the failure: handled, then the order
    test = services.record_handled(test, handled_date=date(2026, 8, 25), note="复检仍不合格", today=date(2026, 8, 25))
    order = services.order_rectification(test, by=staff, today=date(2026, 8, 26))
    assert order.source_kind == "test" and TestOrder.objects.get(pk=test.pk).rectification_order == order


def test_a_failed_test_gives_one_60_day_order_for_its_items_with_the_recheck_75_days_from_it(world, staff):
    test = notified(world)  # told 2026-08-04, 复检 window to 2026-08-19
    order = services.order_rectification(test, by=staff, today=date(2026, 8, 20))
    assert services.order_rectification(test, by=staff, today=date(2026, 8, 20)) == order  # a double click
    assert RectificationOrder.objects.count() == 1
    assert (order.source_kind, order.period_key, order.period_days) == ("test", "rectification_after_test", 60)
    assert [i.description for i in order.items.all()] == ["3天抗压强度"]
    assert "第十八条" in order.legal_basis and "第四十六条" in order.legal_basis
    test.refresh_from_db()
    assert test.status == S.HANDLED and order.number in test.handling_note
    order = followup.serve_order(
        order, by=staff, served_on=date(2026, 8, 21), method="direct", receiver="王建国", today=date(2026, 8, 21)
    )
    assert order.deadline == date(2026, 10, 20)  # 60 日 after service (抽查办法 第四十六条)
    assert order.revisit_due == date(2026, 11, 3)  # 75 日 from the order (抽查办法 第四十七条)


def test_the_recheck_after_a_test_around_the_2024_national_day(world, staff):
    # issued 2024-07-18: + 75 日 = 2024-10-01, in the holiday (10-01..10-07) → 2024-10-08 (抽查办法 第四十七条);
    # served 2024-07-19: + 60 日 = 2024-09-17, the Mid-Autumn holiday → 2024-09-18
    test = notified(world, date(2024, 6, 20))
    order = services.order_rectification(test, by=staff, today=date(2024, 7, 18))
    order = followup.serve_order(
        order, by=staff, served_on=date(2024, 7, 19), method="direct", receiver="王建国", today=date(2024, 7, 19)
    )
    assert (order.deadline, order.revisit_due) == (date(2024, 9, 18), date(2024, 10, 8))


def served_test_order(world, staff):
    test = notified(world)
    order = services.order_rectification(test, by=staff, today=date(2026, 8, 20))
    order = followup.serve_order(
        order, by=staff, served_on=date(2026, 8, 21), method="direct", receiver="王建国", today=date(2026, 8, 21)
    )
    return test, order


def recheck(world, order, today=date(2026, 10, 21)):
    return sampled(world, date(2026, 10, 22), trigger="rectification", source_order=order, today=today)


def test_a_recheck_sampling_passes_and_closes_the_order(world, staff):
    _, order = served_test_order(world, staff)
    with pytest.raises(ValidationError, match="整改期限"):  # not before the term ran out without a report
        recheck(world, order, today=date(2026, 9, 1))
    test = recheck(world, order)
    order.refresh_from_db()
    assert test.source_order == order and order.status == OS.AWAITING_REVISIT
    lab_report(world, test, date(2026, 10, 23), "qualified")
    order.refresh_from_db()
    assert order.status == OS.CLOSED and not order.escalations.exists()


def test_a_recheck_sampling_that_came_to_nothing_reopens_the_order(world, staff):
    _, order = served_test_order(world, staff)
    test = sampled_not(world, order)
    order.refresh_from_db()
    assert test.status == S.NOT_SAMPLED and order.status == OS.ISSUED  # another 复查 may be ordered
    assert recheck(world, order).source_order == order


def sampled_not(world, order):
    test = services.create_test(
        enterprise=world.enterprise,
        license=world.license,
        product="通用硅酸盐水泥",
        trigger="rectification",
        samplers=world.samplers,
        org_unit=world.unit,
        source_order=order,
        today=date(2026, 10, 21),
    )
    return services.record_not_sampled(test, sampling_date=date(2026, 10, 22), reason="企业停产，无库存")


def test_a_second_failure_proposes_a_revocation_a_person_confirms(world, staff):
    # 条例 第五十四条: 抽查复查仍不合格 → 吊销; the system proposes, a person confirms (never silently)
    _, order = served_test_order(world, staff)
    lab_report(world, recheck(world, order), date(2026, 10, 23), "unqualified", "3天抗压强度")
    order.refresh_from_db()
    escalation = order.escalations.get()
    assert order.status == OS.PERSISTING
    assert (escalation.kind, escalation.status) == (Escalation.Kind.REVOCATION, Escalation.Status.PROPOSED)
    assert "条例 第五十四条" in escalation.facts and not LicenseDecisionProposal.objects.exists()
    followup.confirm_escalation(escalation, by=staff, reason="复查抽样仍不合格")
    proposal = LicenseDecisionProposal.objects.get()
    assert (proposal.kind, proposal.ground) == ("revoke", LicenseDecisionProposal.Ground.FAILED_RECHECK)
    assert proposal.license == world.license


def test_a_failed_recheck_sampling_is_not_ordered_again(world, staff):
    _, order = served_test_order(world, staff)
    again = lab_report(world, recheck(world, order), date(2026, 10, 23), "unqualified", "3天抗压强度")
    again = services.record_notification(
        again,
        notified_date=date(2026, 10, 24),
        notify_method="直接送达",
        stop_selling_date=date(2026, 10, 24),
        stop_selling_method="当场送达",
    )
    with pytest.raises(ValidationError, match="第五十四条"):
        services.order_rectification(again, by=staff, today=date(2026, 11, 20))
    assert RectificationOrder.objects.count() == 1


def test_the_county_is_reminded_of_a_concluded_failure_without_an_order(world, staff):
    test = notified(world)
    services.record_handled(test, handled_date=date(2026, 8, 25), note="复检仍不合格", today=date(2026, 8, 25))
    group = next(g for g in todo_groups(staff, date(2026, 8, 26), 5) if g.label == "检验不合格待责令改正")
    assert group.total == 1 and group.items[0].url == test.get_absolute_url()
    services.order_rectification(test, by=staff, today=date(2026, 8, 26))
    assert "检验不合格待责令改正" not in [g.label for g in todo_groups(staff, date(2026, 8, 26), 5)]


def test_a_recheck_must_be_of_the_same_enterprise_with_the_recheck_trigger(world, staff):
    _, order = served_test_order(world, staff)
    with pytest.raises(ValidationError) as exc:
        sampled(world, date(2026, 10, 22), trigger="serious_quality", source_order=order, today=date(2026, 10, 21))
    assert "trigger" in exc.value.message_dict
    order.refresh_from_db()
    assert order.status == OS.ISSUED and TestOrder.objects.filter(source_order=order).count() == 0


def test_a_sampling_failure_notice_gives_each_matched_enterprise_one_order(city_admin, staff):
    first, second = enterprise(), enterprise()
    n = notice(city_admin, [row(first.credit_code), row(second.credit_code), row(UNKNOWN)])
    assert n.source in LinkageNotice.SAMPLING_SOURCES
    orders = services.order_rectification_for_notice(n, by=staff, today=date(2026, 11, 12))
    assert {o.enterprise for o in orders} == {first, second}
    assert {(o.source_kind, o.period_key) for o in orders} == {("linkage", "rectification_after_test")}
    assert services.order_rectification_for_notice(n, by=staff, today=date(2026, 11, 12)) == []  # twice: nothing
    assert NoticeEntry.objects.filter(rectification_order__isnull=False).count() == 2
    assert NoticeEntry.objects.get(enterprise__isnull=True).rectification_order is None  # a lead gets no order


def test_a_notice_that_is_not_a_sampling_failure_gives_no_order(city_admin, staff):
    n = notice(city_admin, [row(enterprise().credit_code)], source="license_review")
    with pytest.raises(ValidationError):
        services.order_rectification_for_notice(n, by=staff)
    assert not RectificationOrder.objects.exists()


def test_a_failed_test_suggests_an_interview(world, staff):
    # 002 第十二条 约谈, suggested after a failed supervision test (DESIGN)
    assert world.enterprise not in suggestions(staff, date(2026, 8, 20))
    notified(world)
    row_ = suggestions(staff, date(2026, 8, 20)).get(pk=world.enterprise.pk)
    assert suggestion_reasons(row_, date(2026, 8, 20)) == ["监督抽查检验不合格"]
    assert world.enterprise not in suggestions(staff, date(2027, 8, 4))  # older than 12 months


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_button_issues_once_and_the_enterprise_sees_its_order(client, staff, world):
    test = notified(world, date(2026, 9, 1))  # told 09-02, the 复检 window ran out 09-17
    client.force_login(staff)
    page = client.get(f"/supervision/{test.pk}/").content.decode()
    assert "下达责令改正通知书" in page
    first = client.post(f"/supervision/{test.pk}/rectify/")
    second = client.post(f"/supervision/{test.pk}/rectify/")
    order = RectificationOrder.objects.get()
    assert first.url == second.url == order.get_absolute_url()
    RectificationOrder.objects.filter(pk=order.pk).update(issued_on=date(2026, 9, 20))  # a served order, for the page
    order.refresh_from_db()
    followup.serve_order(order, by=staff, served_on=date(2026, 10, 1), method="direct", receiver="王", today=None)
    owner = User.objects.create_user("owner", password="pw", role=User.Role.ENTERPRISE)
    EnterpriseAccount.objects.create(user=owner, enterprise=world.enterprise)
    client.force_login(owner)
    page = client.get(f"/supervision/{test.pk}/").content.decode()
    assert order.number in page and "复检申请期限" in page and "整改期限 2026-11-30" in page
    assert "rectify" not in page  # no button for the enterprise
    assert client.post(f"/supervision/{test.pk}/rectify/").status_code == 403


def test_issuing_before_the_notice_is_refused_on_the_page(client, staff, world):
    test = reported(world, "unqualified", date(2026, 9, 1))
    client.force_login(staff)
    response = client.post(f"/supervision/{test.pk}/rectify/")
    assert response.status_code == 400 and "告知企业" in response.content.decode()
    assert not RectificationOrder.objects.exists()


def test_an_inspector_or_another_county_cannot_issue(client, make_user, world):
    test = notified(world, date(2026, 9, 1))
    client.force_login(make_user(User.Role.INSPECTOR, "xuchang-weidu"))
    assert client.post(f"/supervision/{test.pk}/rectify/").status_code == 403
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-jianan"))
    assert client.post(f"/supervision/{test.pk}/rectify/").status_code == 404
    assert not RectificationOrder.objects.exists()


def test_the_notice_batch_needs_the_confirmation_and_runs_once(client, city_admin, staff):
    n = notice(city_admin, [row(enterprise().credit_code)])
    client.force_login(staff)
    assert 'id="notice-orders"' in client.get(n.get_absolute_url()).content.decode()
    client.post(f"/supervision/notices/{n.pk}/orders/")
    assert not RectificationOrder.objects.exists()  # not confirmed
    for _ in range(2):
        client.post(f"/supervision/notices/{n.pk}/orders/", {"confirm": "1"})
    assert RectificationOrder.objects.count() == 1
    page = client.get(n.get_absolute_url()).content.decode()
    assert 'id="notice-orders"' not in page and RectificationOrder.objects.get().number in page


def test_a_recheck_test_is_ordered_from_the_form_with_its_order(client, staff, world):
    _, order = served_test_order(world, staff)
    order.status = OS.REPORTED  # the enterprise reported completion: an early 复查 is allowed
    order.save()
    client.force_login(staff)
    data = {
        "license": world.license.pk,
        "product": "通用硅酸盐水泥",
        "trigger": "rectification",
        "samplers": [s.pk for s in world.samplers],
        "source_order": order.pk,
        "token": uuid.uuid4(),
    }
    response = client.post("/supervision/new/", data)
    assert response.status_code == 302
    assert TestOrder.objects.get(source_order=order).trigger == "rectification"
    order.refresh_from_db()
    assert order.status == OS.AWAITING_REVISIT
