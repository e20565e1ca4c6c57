"""The home charts and the report pages on the demo data, at desktop width and at 375 px (issue 17)."""

from browser_tests.conftest import SCREENSHOTS
from browser_tests.test_pages_375 import demo, phone  # noqa: F401  (fixtures)

PAGES = ["/", "/reports/completion/", "/reports/halfyear/", "/reports/risks/"]


def _scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


def _category_names_shown_whole(page):
    """Every category name of a chart (a bureau's full name, a product category) is drawn whole: broken onto lines
    is fine, cut short ("…") or missing is not (static/js/charts.js)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-chart]')).every(el => {
            const option = JSON.parse(document.getElementById(el.dataset.chart).textContent);
            const names = (option.yAxis && option.yAxis.data) || [];
            const shown = Array.from(el.querySelectorAll('svg text')).map(t => t.textContent).join('');
            return names.every(name => shown.includes(name)) && !shown.includes('…');
        })"""
    )


def test_home_charts_and_reports_fit_desktop_and_phone(browser, live_server, demo, phone):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    small = phone("xuchang-admin")
    wide = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url)
    desk = wide.new_page()
    desk.goto("/login/")
    desk.fill("#id_username", "xuchang-admin")
    desk.fill("#id_password", "demo-2026")
    desk.click("button[type=submit]")
    desk.wait_for_url(lambda url: "/login/" not in url)
    for page, size in ((desk, "desktop"), (small, "375")):
        for path in PAGES:
            page.goto(path)
            if path == "/":
                page.wait_for_selector("[data-chart] svg")
                assert page.locator("[data-chart]").count() >= 3  # plan, follow-up, failures, monthly …
                assert _category_names_shown_whole(page), size
            assert not _scrolls_sideways(page), (size, path)
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(SCREENSHOTS / f"reports-{name}-{size}.png"), full_page=True)
    wide.close()
