"""Seed of the working-day calendar from the chinese-calendar package, and the import of a later year."""

import csv
from datetime import date

import chinese_calendar

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
PACKAGE_SOURCE = f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()


def package_exceptions():
    """{year: [(date, kind, name)]}: weekday holidays and weekend working days known to the package."""
    years = {}
    for table, kind, counts in (
        (chinese_calendar.holidays, "holiday", lambda d: d.weekday() < 5),
        (chinese_calendar.workdays, "workday", lambda d: d.weekday() >= 5),
    ):
        for day, holiday in table.items():
            years.setdefault(day.year, [])
            if counts(day):
                name = HOLIDAY_NAMES_ZH.get(getattr(holiday, "value", holiday), str(holiday))
                years[day.year].append((day, kind, name))
    return years


KIND_WORDS = {
    "休": "holiday",
    "休息": "holiday",
    "holiday": "holiday",
    "班": "workday",
    "上班": "workday",
    "workday": "workday",
}


def parse_year_csv(fp, year):
    """Rows `日期,类型,名称` (类型: 休 or 班). Returns (rows, errors); errors name the line."""
    rows, errors, seen = [], [], set()
    for line_no, row in enumerate(csv.reader(fp), start=1):
        if (
            not row
            or not "".join(row).strip()
            or (line_no == 1 and row[0].strip().lstrip("\ufeff") in {"日期", "date"})
        ):
            continue
        cells = [c.strip() for c in row] + [""] * 3
        try:
            day = date.fromisoformat(cells[0].lstrip("\ufeff"))
        except ValueError:
            errors.append(f"第{line_no}行：日期「{cells[0]}」格式应为 YYYY-MM-DD")
            continue
        kind = KIND_WORDS.get(cells[1])
        if day.year != year:
            errors.append(f"第{line_no}行：日期 {day} 不属于 {year} 年")
        elif kind is None:
            errors.append(f"第{line_no}行：类型「{cells[1]}」应为“休”或“班”")
        elif day in seen:
            errors.append(f"第{line_no}行：日期 {day} 重复")
        else:
            seen.add(day)
            rows.append((day, kind, cells[2]))
    if not rows and not errors:
        errors.append("文件中没有任何日期")
    return rows, errors
