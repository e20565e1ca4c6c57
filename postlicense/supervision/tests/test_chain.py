"""The chain of a supervision test with its deadlines (002 第十六至十八条; 产品质量法 第十五条), including the
deadlines around the 2024 and 2025 National Day holidays."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from postlicense.core.deadlines import Deadlines
from postlicense.supervision import services
from postlicense.supervision.models import LabScope, TestOrder

from .factories import fill_sheet, make_lab, new_test, photo, reported, sampled, sign_all

pytestmark = pytest.mark.django_db
S = TestOrder.Status


def errors_of(call):
    with pytest.raises(ValidationError) as failure:
        call()
    return failure.value.message_dict if hasattr(failure.value, "error_dict") else {"__all__": failure.value.messages}


def test_a_passed_test_runs_from_order_to_handled(world):
    order = new_test(world)
    assert order.status == S.ORDERED and order.product_category == world.license.product_category
    order = sampled(world, date(2026, 11, 2))
    assert (order.status, order.sending_due) == (S.SAMPLED, date(2026, 11, 9))
    assert order.sending_due_text == "2026-11-09（抽样后7日）"
    order = services.record_sending(order, lab=world.lab, sent_date=date(2026, 11, 5))
    order = services.record_receipt(order, received_date=date(2026, 11, 6))
    assert order.report_due == Deadlines().due("lab_report", date(2026, 11, 6)).date
    order = services.record_report(order, report_no="WT-9", report_date=date(2026, 11, 20), result="qualified")
    order = services.record_notification(order, notified_date=date(2026, 11, 23), notify_method="直接送达")
    assert order.status == S.HANDLED and order.retest_due is None


def test_a_failure_requires_stop_selling_and_opens_the_retest_window(world):
    order = reported(world, "unqualified", date(2026, 10, 9))
    errors = errors_of(
        lambda: services.record_notification(order, notified_date=date(2026, 10, 12), notify_method="直接送达")
    )
    assert "停止销售" in errors["stop_selling_date"][0] and "stop_selling_method" in errors
    assert TestOrder.objects.get(pk=order.pk).status == S.REPORTED  # nothing saved
    order = services.record_notification(
        order,
        notified_date=date(2026, 10, 12),
        notify_method="直接送达",
        stop_selling_date=date(2026, 10, 12),
        stop_selling_method="当场送达",
    )
    assert (order.status, order.retest_due) == (S.NOTIFIED, date(2026, 10, 27))
    errors = errors_of(
        lambda: services.record_handled(order, handled_date=date(2026, 10, 20), note="x", today=date(2026, 10, 20))
    )
    assert "尚未届满" in errors["handled_date"][0]
    errors = errors_of(lambda: services.record_retest_request(order, requested_date=date(2026, 10, 28)))
    assert "超过期限" in errors["retest_requested_date"][0]
    order = services.record_retest_request(order, requested_date=date(2026, 10, 27), note="申请复检")
    assert order.status == S.RETEST
    order = services.record_handled(order, handled_date=date(2026, 11, 20), note="复检仍不合格")
    assert order.status == S.HANDLED


def test_a_failed_result_needs_its_failed_items_and_hazard_level(world):
    order = sampled(world, date(2026, 10, 9))
    order = services.record_sending(order, lab=world.lab, sent_date=date(2026, 10, 10))
    order = services.record_receipt(order, received_date=date(2026, 10, 10))
    errors = errors_of(
        lambda: services.record_report(order, report_no="WT", report_date=date(2026, 10, 20), result="unqualified")
    )
    assert {"failed_items", "hazard_level"} <= set(errors)


def test_sending_before_sampling_or_to_an_unqualified_or_out_of_scope_lab_saves_nothing(world):
    order = sampled(world, date(2026, 11, 2))
    assert "sent_date" in errors_of(lambda: services.record_sending(order, lab=world.lab, sent_date=date(2026, 11, 1)))
    expired = make_lab(world.license.product_category, valid_until=date(2026, 11, 1), name="过期检验所")
    assert (
        "不在有效期内"
        in errors_of(lambda: services.record_sending(order, lab=expired, sent_date=date(2026, 11, 3)))["lab"][0]
    )
    other = make_lab(None, name="电缆检验所")
    assert (
        "检验范围不包括"
        in errors_of(lambda: services.record_sending(order, lab=other, sent_date=date(2026, 11, 3)))["lab"][0]
    )
    late = errors_of(lambda: services.record_sending(order, lab=world.lab, sent_date=date(2026, 11, 10)))
    assert "逾期原因" in late["late_reason"][0]
    order.refresh_from_db()
    assert (order.status, order.lab, order.sent_date) == (S.SAMPLED, None, None)
    order = services.record_sending(order, lab=world.lab, sent_date=date(2026, 11, 10), late_reason="检测线检修")
    assert order.sent_late and order.late_reason == "检测线检修"


def test_finishing_the_sheet_lists_everything_missing(world):
    order = new_test(world)
    errors = errors_of(lambda: services.finish_sampling(order))
    assert {"sampling_date", "seal_no", "place", "passed_factory_inspection", "signatures", "photos"} <= set(errors)
    assert "enterprise_signature" in errors
    order = fill_sheet(order, date(2026, 11, 2), place="shop")
    sign_all(order)
    assert "成品仓库内或生产现场" in errors_of(lambda: services.finish_sampling(order))["place"][0]


def test_a_refusal_to_sign_is_recorded_and_lets_the_sheet_finish(world):
    order = fill_sheet(new_test(world), date(2026, 11, 2))
    sign_all(order)
    with pytest.raises(ValidationError):
        services.record_refusal(order, note=" ")
    services.record_refusal(order, note="质量负责人拒绝签字，二人见证")
    order = services.finish_sampling(TestOrder.objects.get(pk=order.pk))
    assert order.status == S.SAMPLED and order.enterprise_refused and not order.enterprise_signature


def test_a_sampler_whose_certificate_expired_before_the_sampling_day_blocks_the_sheet(world):
    world.samplers[1].certificate_valid_until = date(2026, 10, 31)
    world.samplers[1].save()
    order = fill_sheet(TestOrder.objects.get(pk=new_test(world, today=date(2026, 10, 1)).pk), date(2026, 11, 2))
    sign_all(order)
    assert "不在有效期内" in errors_of(lambda: services.finish_sampling(order))["samplers"][0]


def test_ordering_with_one_sampler_or_an_expired_one_saves_nothing(world):
    assert "samplers" in errors_of(lambda: new_test(world, samplers=world.samplers[:1]))
    world.samplers[0].certificate_valid_until = date(2020, 1, 1)
    world.samplers[0].save()
    assert "samplers" in errors_of(lambda: new_test(world))
    assert not TestOrder.objects.exists()


def test_not_sampled_is_recorded_with_its_reason(world):
    order = new_test(world)
    assert "not_sampled_reason" in errors_of(
        lambda: services.record_not_sampled(order, sampling_date=date(2026, 11, 2), reason="")
    )
    order = services.record_not_sampled(order, sampling_date=date(2026, 11, 2), reason="企业停产，无库存")
    assert order.status == S.NOT_SAMPLED


def test_a_step_posted_twice_changes_nothing_the_second_time(world):
    order = sampled(world, date(2026, 11, 2))
    first = services.record_sending(order, lab=world.lab, sent_date=date(2026, 11, 5))
    again = services.record_sending(order, lab=world.lab, sent_date=date(2026, 11, 6))
    assert again.sent_date == first.sent_date == date(2026, 11, 5)


def test_a_stale_draft_is_refused(world):
    order = new_test(world)
    services.save_sampling(order, revision=0, fields={"seal_no": "A"})
    with pytest.raises(services.StaleDraft):
        services.save_sampling(order, revision=0, fields={"seal_no": "B"})


def test_a_photo_that_is_not_an_image_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = new_test(world)
    fake = SimpleUploadedFile("seal.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.add_photo(order, fake, by=None)
    services.add_photo(order, photo(), by=None)
    services.add_photo(order, photo(), by=None)
    assert order.photos.count() == 1


# --- deadlines around the National Day holidays (core.deadlines, 民法典 第二百零三条) ------------------------------


def test_sending_due_after_sampling_before_national_day_2024_moves_past_the_holiday(world):
    order = sampled(world, date(2024, 9, 27))  # +7 日 = 10-04, a holiday; 10-05/06 weekend, 10-07 holiday
    assert order.sending_due == date(2024, 10, 8)


def test_lab_report_counts_working_days_across_national_day_2025(world):
    order = sampled(world, date(2025, 9, 25))
    order = services.record_sending(order, lab=world.lab, sent_date=date(2025, 9, 26))
    order = services.record_receipt(order, received_date=date(2025, 9, 26))
    # 9-28 (a Sunday worked) .. 9-30, then 10-09 on, 10-11 (a Saturday worked): the 20th working day is 10-30
    assert order.report_due == date(2025, 10, 30)
    assert order.report_due_text == "2025-10-30（收样后20工作日）"


def test_a_lab_product_period_overrides_the_default(world):
    LabScope.objects.filter(lab=world.lab).update(report_days=15)
    order = sampled(world, date(2025, 9, 25))
    order = services.record_sending(order, lab=world.lab, sent_date=date(2025, 9, 26))
    order = services.record_receipt(order, received_date=date(2025, 9, 26))
    assert order.report_due == date(2025, 10, 23)
    assert "15工作日" in order.report_due_text


def test_retest_window_ending_in_national_day_2025_moves_to_the_next_working_day(world):
    order = reported(world, "unqualified", date(2025, 9, 22))
    order = services.record_notification(
        order,
        notified_date=date(2025, 9, 23),
        notify_method="直接送达",
        stop_selling_date=date(2025, 9, 23),
        stop_selling_method="当场送达",
    )
    assert order.retest_due == date(2025, 10, 9)  # +15 日 = 10-08, the last day of the holiday
    services.record_retest_request(order, requested_date=date(2025, 10, 9))
