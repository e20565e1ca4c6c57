"""Charts on the home page of bureau roles (AppConfig.home_charts): each reads the same tables the reports compute,
so a chart and its report agree, and links to the list behind it (a bar or point opens its own list)."""

from django.urls import reverse
from django.utils import timezone

from postlicense.core.navigation import HomeChart

from . import completion, halfyear, randomcheck_stats, risks
from .kinds import KINDS
from .periods import Period

GRID = {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True}


def _bar(categories, series, percent=True, stacked=False):
    """A bar chart; series are (name, values, the list a bar of it opens). The bars run across, one category a row,
    its name at the left broken onto lines (static/js/charts.js fits the label's width and the chart's height to the
    screen): county and product names are long, and a phone is 375 px wide."""
    return {
        "grid": {**GRID, "right": 24},  # room for the value axis' last label (100%)
        "legend": {"top": 0, "type": "scroll"},  # one row at 375 px: the legend never covers the bars
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "yAxis": {
            "type": "category",
            "data": categories,
            "inverse": True,  # the first row of the report at the top
            "axisLabel": {"interval": 0, "overflow": "break", "lineHeight": 14},
        },
        "xAxis": {"type": "value", **({"max": 100, "axisLabel": {"formatter": "{value}%"}} if percent else {})},
        "series": [
            {
                "name": name,
                "type": "bar",
                "barMaxWidth": 24,
                **({"stack": "all"} if stacked else {}),
                "data": [{"value": v, "url": url} for v in values],
            }
            for name, values, url in series
        ],
    }


def _report_url(key, period):
    return reverse("reports:report", args=[key]) + f"?year={period.year}&part={period.part}"


def randomcheck_rates(user, today):
    period = Period(today.year, "Y")
    table = randomcheck_stats.compute(user.org_unit, period, today)[1]  # 按地区
    if not table.rows:
        return None
    url = _report_url("randomcheck_stats", period)
    return HomeChart(
        f"{period.year}年双随机抽查完成率与公示率（按监管单位）",
        _bar(
            [row[0] for row in table.rows],
            [("检查完成率", [row[3] for row in table.rows], url), ("公示率", [row[5] for row in table.rows], url)],
        ),
        url,
        "完成率＝已检查÷抽取；公示率＝已公示÷抽取",
    )


def plan_completion(user, today):
    """Plan completion by county: required vs done of the year's plans (the completion summary's first table)."""
    period = Period(today.year, "Y")
    cut = KINDS["completion"].cut(user.org_unit, period, today)
    table = completion.compute(user.org_unit, period, cut)[0]
    rows = [row for row in table.rows if row[3]]  # units with a plan
    if not rows:
        return None
    url = reverse("planning:completion")
    return HomeChart(
        f"{period.year}年检查计划完成率（按监管单位）",
        _bar([row[0] for row in rows], [("计划完成率", [row[5] for row in rows], url)]),
        _report_url("completion", period),
        "计划完成率＝计划内已完成次数÷应检查次数；点击柱形打开计划完成情况",
    )


def orders_by_county(user, today):
    """Open and overdue follow-up: the year's orders per county by status (the completion summary's order table)."""
    period = Period(today.year, "Y")
    table = completion.orders_table(user.org_unit, period, today)
    if not table.rows:
        return None
    orders = reverse("followup:order_list")
    series = [  # (column, the list behind it)
        (2, f"{orders}?status=open"),
        (3, reverse("followup:overdue_by_county")),
        (4, f"{orders}?status=persisting"),
        (5, f"{orders}?status=closed"),
    ]
    return HomeChart(
        f"{period.year}年责令改正通知书办理情况（按监管单位）",
        _bar(
            [row[0] for row in table.rows],
            [(table.columns[i].label, [row[i] for row in table.rows], url) for i, url in series],
            percent=False,
        ),
        orders,
        "逾期＝整改期满未报告或复查逾期未派发；点击柱形打开对应的通知书列表",
    )


def failures_by_category(user, today):
    period = Period(today.year, "Y")
    table = risks.failed_by_category(user.org_unit, period, today)
    if not table.rows:
        return None
    url = reverse("supervision:test_list") + "?result=unqualified"
    return HomeChart(
        f"{period.year}年监督检验不合格（按产品类别）",
        _bar(
            [row[0] for row in table.rows],
            [(table.columns[i].label, [row[i] for row in table.rows], url) for i in (2, 3, 4)],
            percent=False,
            stacked=True,
        ),
        url,
        "按危害程度分列；点击柱形打开不合格的监督检验列表",
    )


def orders_over_time(user, today):
    period = Period(today.year, "Y")
    table = halfyear.orders_by_month(user.org_unit, period, today)
    if not table.rows:
        return None
    url = reverse("followup:order_list")
    return HomeChart(
        f"{period.year}年责令改正通知书按月签发与关闭",
        {
            "grid": GRID,
            "legend": {"top": 0},
            "tooltip": {"trigger": "axis"},
            "xAxis": {"type": "category", "data": [row[0] for row in table.rows]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {
                    "name": table.columns[i].label,
                    "type": "line",
                    "data": [{"value": row[i], "url": url} for row in table.rows],
                }
                for i in (1, 2)
            ],
        },
        url,
    )


CHARTS = [plan_completion, randomcheck_rates, orders_by_county, failures_by_category, orders_over_time]


def charts_for(user):
    if not user.is_bureau_staff or user.org_unit is None:
        return []
    today = timezone.localdate()
    return [chart for chart in (make(user, today) for make in CHARTS) if chart is not None]
