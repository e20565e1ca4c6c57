"""Planning rules (004 六; 002 第十九条; 000 二、附件1)."""

import pytest

from postlicense.planning import rules
from postlicense.randomcheck.draw import STRATA, sample_size


@pytest.mark.parametrize(
    "cls, factors, expected",
    [
        ("A", [], (1, 1)),  # 004 六: A类每年1次
        ("A", ["complaint"], (1, 1)),
        ("B", [], (1, 1)),  # 004 六: B类1-2次, the lower figure without a raising factor
        ("B", ["complaint"], (1, 2)),  # the upper figure when a factor holds
        ("C", [], (2, 2)),  # 004 六: C类2-3次
        ("C", ["expiring", "focus"], (2, 3)),
        ("D", [], (3, 3)),  # 004 六: D类3次以上
        ("D", ["a", "b"], (3, 5)),  # DESIGN choice: 3 + 1 per factor
    ],
)
def test_required_inspections_004_six(cls, factors, expected):
    assert rules.required_inspections(cls, factors) == expected


def test_unknown_class_is_refused_in_chinese():
    with pytest.raises(ValueError, match="监管分类无效"):
        rules.required_inspections("E")


def test_done_counts_one_enterprise_day_once_and_skips_not_carried_out():
    # 004 六: 飞行检查、双随机抽查、生产许可监督评审 ... 可计入; DESIGN: one enterprise-day once.
    rows = [
        ("patrol", "finished", "2026-03-01"),
        ("random_check", "finished", "2026-03-01"),  # same day: once
        ("flight", "finished", "2026-05-02"),
        ("review", "finished", "2026-06-02"),
        ("periodic", "not_carried_out", "2026-07-01"),
        ("periodic", "assigned", "2026-08-01"),
    ]
    assert rules.done_count(rows) == 3


@pytest.mark.parametrize("licensed, target", [(0, 0), (1, 1), (10, 1), (11, 2), (100, 10), (101, 11)])
def test_recheck_target_is_ceil_ten_percent_002_article_19(licensed, target):
    assert rules.recheck_target(licensed) == target


def test_cross_audit_groups_000_annex_1():
    # 000 附件1: 塘沽分局 is audited by 新区局 and the four other branches, never by itself.
    branches = ["塘沽", "汉沽", "大港", "开发", "保税"]
    groups = rules.cross_audit_groups("新区局", branches)
    assert groups["塘沽"] == ["新区局", "汉沽", "大港", "开发", "保税"]
    assert groups["大港"] == ["新区局", "塘沽", "汉沽", "开发", "保税"]
    assert all(branch not in group for branch, group in groups.items())


@pytest.mark.parametrize(
    "counts",
    [
        {"low": 30, "medium": 12, "medium_high": 4, "high": 1},
        {"low": 7},
        {"low": 9999},
        {"medium": 3, "high": 2},
        {"low": 2},
        {"low": 1, "high": 1},
    ],
)
def test_cross_audit_ratios_draw_two_000_two_two(counts):
    # 000 二(二)2: 随机抽取2～3家 — the random check's own sample size gives 2 (or all when fewer).
    ratios = rules.cross_audit_ratios(counts, STRATA)
    drawn = sum(sample_size(ratios[s], counts.get(s, 0)) for s in STRATA)
    assert drawn == min(2, sum(counts.values()))


def test_wilson_interval():
    low, high = rules.wilson_interval(10, 100)
    assert 0.05 < low < 0.06 and 0.17 < high < 0.18
    assert rules.wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(
    "signals, expected",
    [({}, "A"), ({"检查不合格": 1}, "B"), ({"检查不合格": 1, "问题仍未整改": 1}, "C"), ({"投诉举报": 4}, "D")],
)
def test_suggest_class(signals, expected):
    assert rules.suggest_class(signals)[0] == expected
