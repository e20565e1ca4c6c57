"""The public pages as a citizen reads them, on a desktop and on a 375 px phone: the landing page, a task before
and after its results are published, and its 如何验证 page. Screenshots: var/screenshots/public-*.png."""

import pytest

from postlicense.core.models import OrgUnit, User
from postlicense.randomcheck import services
from postlicense.randomcheck.tests.factories import contribute, make_task, published_task


@pytest.fixture
def tasks(transactional_db):
    admin = User.objects.create_user(
        "rc-admin", password="pw-123456", role=User.Role.CITY_ADMIN, org_unit=OrgUnit.objects.get(code="xuchang")
    )
    published = published_task(admin, name="2023年度工业产品生产许可证获证企业资格“双随机一公开”监督检查")
    running = services.freeze_candidates(
        make_task(admin, name="2026年度获证企业“双随机一公开”监督检查（第一批）"), admin
    )
    contribute(running, admin)
    running = services.draw_enterprises(running, admin)
    return published, running


def fits(page, width=375):
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_public_pages_before_and_after_publication(request, device, tasks, shot):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    width = 1280 if device == "desktop" else 375
    published, running = tasks
    page.goto("/login/")
    assert fits(page, width) and page.locator("header").get_by_role("link", name="信息公示").is_visible()
    shot(page, f"public-{device}-0-login")
    page.click("#public-links a")
    assert page.url.endswith("/public/") and "已公示结果" in page.inner_text("main")
    assert fits(page, width)
    shot(page, f"public-{device}-1-landing")

    page.get_by_role("link", name=running.name).click()
    text = page.inner_text("main")
    assert running.candidates_digest in text and running.seed in text and "赵敏" in text
    assert "抽中企业名单在检查结果公示时公布" in text
    assert not any(code in text for code in running.drawn.values_list("credit_code", flat=True))
    assert fits(page, width)
    shot(page, f"public-{device}-2-before-publication")

    page.goto(f"/public/random-checks/{published.pk}/")
    text = page.inner_text("main")
    assert all(code in text for code in published.drawn.values_list("credit_code", flat=True))
    assert "高风险企业全部检查" in text and "高风险" in text and "low" not in text
    assert fits(page, width)
    shot(page, f"public-{device}-3-after-publication")

    page.click("#verify-link")
    page.wait_for_selector("#hash-input")
    assert f"{published.seed}|风险等级代码|统一社会信用代码" in page.inner_text("#hash-input")
    assert page.locator("#candidates-link").is_visible() and page.locator("#example").is_visible()
    assert fits(page, width)
    shot(page, f"public-{device}-4-how-to-verify")
