"""Browser helpers for the admin tests: Playwright's sync API driving Debian's Chromium.

``tests/conftest.py`` exposes the fixtures; any test module may use them:

    @pytest.mark.browser
    def test_it_...(browser_page, live_server, persona):
        persona("manager")
        admin_login(browser_page, live_server, "ACME", "manager", PASSWORD)
"""

import os
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One Chromium for the whole run (Playwright never downloads a browser here)."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # in between are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(chromium, live_server) -> Iterator:
    """A fresh, logged-out page (its own cookies) for one test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def admin_login(page, live_server, client_code: str, username: str, password: str) -> None:
    """Log in through the real admin login page and wait for the page after it."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_client_code", client_code)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("input[type=submit]")
