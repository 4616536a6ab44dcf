"""The admin in a real Chromium: login by client code, tenant-scoped lists, adding a service."""

import re

import pytest

from livevox_site.models import Service

from .browser import admin_login
from .conftest import PASSWORD, SERVICES_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIELDS = ("client_code", "username", "password")


def service_names(page) -> list[str]:
    return page.locator("#result_list tbody td.field-name").all_inner_texts()


def test_it_shows_the_client_code_on_the_login_page(browser_page, live_server, client_a):
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    labels = page.locator("#login-form label").all_inner_texts()
    assert labels == ["Client code:", "Username:", "Password:"]
    assert page.locator("#site-name").inner_text() == "LiveVox Compliance"
    # The admin's own stylesheet is served (the page is not bare HTML) and the client code
    # looks like its neighbours and takes the focus, being first.
    assert page.locator("#login-form input[type=submit]").evaluate(
        "e => getComputedStyle(e).backgroundColor"
    ) not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)")
    widths = [page.locator(f"#id_{name}").bounding_box()["width"] for name in FIELDS]
    assert widths[0] == widths[1] == widths[2]
    assert page.evaluate("document.activeElement.id") == "id_client_code"
    page.screenshot(path="/tmp/admin.png", full_page=True)


def test_it_logs_a_manager_in_and_shows_only_their_services(
    browser_page, live_server, persona, client_b
):
    persona("manager")
    page = browser_page
    admin_login(page, live_server, "acme", "manager", PASSWORD)
    assert page.url == f"{live_server.url}/admin/"
    assert "MANAGER" in page.locator("#user-tools").inner_text().upper()
    page.goto(f"{live_server.url}/admin/livevox_site/service/")
    names = service_names(page)
    assert sorted(names) == sorted(f"S{i}" for i in SERVICES_A)
    assert "S93126" not in page.content()
    # No add button for a Manager (the sidebar may offer other models' add links).
    assert page.locator(".object-tools a.addlink").count() == 0


def test_it_refuses_a_wrong_client_code(browser_page, live_server, persona, client_b):
    persona("manager")
    page = browser_page
    admin_login(page, live_server, "BETA", "manager", PASSWORD)
    assert "/admin/login/" in page.url
    assert "Please enter the correct client code" in page.locator(".errornote").inner_text()


def test_it_lets_a_superuser_add_a_service(browser_page, live_server, persona, client_b):
    persona("superuser")
    page = browser_page
    admin_login(page, live_server, "ACME", "superuser", PASSWORD)
    page.goto(f"{live_server.url}/admin/livevox_site/service/add/")
    assert page.locator("#id_client").count() == 0
    page.fill("#id_name", "Browser service")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert re.search(r"/admin/livevox_site/service/$", page.url)
    assert "Browser service" in service_names(page)
    assert Service.objects.get(name="Browser service").client_id == 4199


def test_it_shows_a_sysadmin_both_clients(browser_page, live_server, persona, client_b):
    persona("sysadmin")
    page = browser_page
    admin_login(page, live_server, "ACME", "sysadmin", PASSWORD)
    page.goto(f"{live_server.url}/admin/livevox_site/client/")
    codes = page.locator("#result_list tbody td.field-code").all_inner_texts()
    assert codes == ["ACME", "BETA"]
    page.goto(f"{live_server.url}/admin/livevox_site/service/")
    assert "S93126" in service_names(page)
    assert "S20180" in service_names(page)
