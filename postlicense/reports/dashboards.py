"""Charts on the home page of bureau roles (AppConfig.home_charts): each reads the same tables the reports compute,
so a chart and its report agree, and links to the report page behind it."""

from django.urls import reverse
from django.utils import timezone

from postlicense.core.navigation import HomeChart

from . import randomcheck_stats
from .periods import Period


def _bar(categories, series, urls):
    return {
        "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
        "legend": {"top": 0},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": categories, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {"name": name, "type": "bar", "data": [{"value": v, "url": u} for v, u in zip(values, urls)]}
            for name, values in series
        ],
    }


def randomcheck_rates(user, today):
    period = Period(today.year, "Y")
    table = randomcheck_stats.compute(user.org_unit, period, today)[1]  # 按地区
    if not table.rows:
        return None
    url = reverse("reports:report", args=["randomcheck_stats"]) + f"?year={period.year}&part=Y"
    return HomeChart(
        f"{period.year}年双随机抽查完成率与公示率（按监管单位）",
        _bar(
            [row[0] for row in table.rows],
            [("检查完成率", [row[3] for row in table.rows]), ("公示率", [row[5] for row in table.rows])],
            [url] * len(table.rows),
        ),
        url,
        "完成率＝已检查÷抽取；公示率＝已公示÷抽取",
    )


def charts_for(user):
    if not user.is_bureau_staff or user.org_unit is None:
        return []
    today = timezone.localdate()
    return [chart for chart in [randomcheck_rates(user, today)] if chart is not None]
