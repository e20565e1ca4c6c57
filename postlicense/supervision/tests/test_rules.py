"""The rules of supervision testing, each against the article it checks."""

from datetime import date

import pytest

from postlicense.inspections.tests.factories import make_inspector
from postlicense.supervision import rules
from postlicense.supervision.models import TestOrder

from .factories import make_lab

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)


def test_other_trigger_needs_its_reason_002_15():
    assert "trigger_note" in rules.trigger_errors("other", " ")
    assert rules.trigger_errors("other", "季度质量分析") == {}
    assert rules.trigger_errors("serious_quality", "") == {}


def test_one_sampler_is_refused_002_9_16():
    message = rules.sampler_errors([make_inspector()], DAY)["samplers"]
    assert "2名以上" in message


def test_the_same_sampler_twice_counts_once():
    inspector = make_inspector()
    assert "samplers" in rules.sampler_errors([inspector, inspector], DAY)


def test_a_sampler_whose_certificate_expired_is_refused_002_9():
    expired = make_inspector(name="过期员", valid_until=date(2026, 10, 31))
    message = rules.sampler_errors([make_inspector(), expired], DAY)["samplers"]
    assert "过期员" in message and "不在有效期内" in message


def test_samples_only_from_the_store_or_the_line_that_passed_factory_inspection_002_16():
    assert rules.place_errors("store", TestOrder.Place.values, True) == {}
    errors = rules.place_errors("shop", TestOrder.Place.values, False)
    assert "成品仓库内或生产现场" in errors["place"] and "出厂检验合格" in errors["passed_factory_inspection"]


def test_a_lab_without_a_valid_qualification_is_refused_002_17():
    from postlicense.registry.models import ProductCategory

    cement, _ = ProductCategory.objects.get_or_create(code="13", defaults={"name": "水泥"})
    lab = make_lab(cement, valid_until=date(2026, 10, 31))
    assert "不在有效期内" in rules.lab_errors(lab, cement, DAY, {cement.pk})["lab"]


def test_a_lab_outside_its_scope_is_refused_002_17():
    from postlicense.registry.models import ProductCategory

    cement, _ = ProductCategory.objects.get_or_create(code="13", defaults={"name": "水泥"})
    lab = make_lab(None)
    assert "检验范围不包括" in rules.lab_errors(lab, cement, DAY, set())["lab"]


def test_sending_before_sampling_is_refused_and_late_sending_needs_a_reason_002_17():
    assert "不能早于抽样日期" in rules.sending_errors(DAY, date(2026, 11, 1), date(2026, 11, 9), "")["sent_date"]
    assert "逾期原因" in rules.sending_errors(DAY, date(2026, 11, 10), date(2026, 11, 9), "")["late_reason"]
    assert rules.sending_errors(DAY, date(2026, 11, 10), date(2026, 11, 9), "检验机构检修") == {}
    assert rules.sending_errors(DAY, date(2026, 11, 9), date(2026, 11, 9), "") == {}


def test_a_retest_request_after_the_window_is_refused_product_quality_law_15():
    notified, due = date(2026, 11, 2), date(2026, 11, 17)
    assert rules.retest_errors(due, notified, due) == {}
    assert "超过期限" in rules.retest_errors(date(2026, 11, 18), notified, due)["retest_requested_date"]
    assert "不能早于" in rules.retest_errors(date(2026, 11, 1), notified, due)["retest_requested_date"]


@pytest.mark.parametrize(
    "result, status, today, expected",
    [
        ("qualified", "handled", date(2026, 9, 1), "合格"),
        ("unqualified", "reported", date(2026, 9, 1), "第四十五条"),  # not yet told (抽查办法 第四十五条)
        ("unqualified", "notified", date(2026, 8, 19), "尚未届满"),  # the last day of the 复检 window
        ("unqualified", "retest", date(2026, 9, 1), "复检"),  # a 复检 pending
        ("unqualified", "notified", date(2026, 8, 20), ""),  # the window passed without a request
        ("unqualified", "handled", date(2026, 8, 10), ""),  # the 复检 upheld the failure, handled
    ],
)
def test_a_failed_test_is_ordered_to_rectify_after_the_notice_and_the_retest_window(result, status, today, expected):
    # 002 第十八条 → 产品质量法 第十五条 (复检 within 15 日); 抽查办法 第四十五条、第四十六条
    errors = rules.rectification_errors(result, status, date(2026, 8, 19), today)
    assert bool(errors) == bool(expected) and expected in errors.get("__all__", "")


def test_the_failed_items_become_one_order_item_each():
    assert rules.failed_item_list("标志\n包装；  细度;\n") == ["标志", "包装", "细度"]
    assert rules.failed_item_list("  ") == []
