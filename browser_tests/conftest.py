"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Screenshots are written to var/screenshots/ so a person can look at what a user sees.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from postlicense.core.models import OrgUnit, User

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Transactional tests flush every table, including what the data migrations loaded: regions, org units and the
    calendar, the product catalogue, the shipped checklists."""
    from django.apps import apps

    from postlicense.core.reference_data import load_reference_data
    from postlicense.inspections.checklists_seed import install_checklists
    from postlicense.registry.catalogue_data import load_catalogue

    load_reference_data(apps)
    load_catalogue(apps)
    install_checklists(apps)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shot():
    def take(page, name, full_page=True):
        path = SCREENSHOTS / f"{name}.png"  # name may hold a folder: "375/city-admin-home"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def login(transactional_db):
    def do(page, role=User.Role.COUNTY_STAFF, org_code="xuchang-weidu", username=None, **extra):
        username = username or f"{org_code}-{role}"
        user = User.objects.filter(username=username).first() or User.objects.create_user(
            username,
            password="pw-123456",
            role=role,
            org_unit=OrgUnit.objects.get(code=org_code) if org_code else None,
            display_name=extra.pop("display_name", ""),
            **extra,
        )
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw-123456")
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        return user

    return do
