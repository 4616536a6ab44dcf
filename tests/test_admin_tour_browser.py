"""The admin toured in a real Chromium, as each role, on a desktop (1366x900) and a phone
(390x844): the texts a manager relies on are asserted, and a screenshot of every key page is
kept as a test artifact in ``test-artifacts/screenshots/`` (``LV_TEST_ARTIFACTS`` moves it), to
look at, never compared pixel by pixel."""

import importlib
import os
from pathlib import Path

import pytest

from livevox_site.audit import Actor
from strategies import services
from strategies.models import ClientStrategies, Result

from .browser import admin_login
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = (
    Path(
        os.environ.get(
            "LV_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"
        )
    )
    / "screenshots"
)
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}
STRATEGIES = "/admin/strategies/dialingstrategy/"


@pytest.fixture
def tour(chromium, live_server, persona, client_a, client_b):
    """``tour(role, viewport)`` -> a logged-in page; ``shot(page, name)`` saves a screenshot."""
    seeded = importlib.import_module("strategies.migrations.0002_results_catalog").RESULTS
    for result_id, name, description in seeded:
        Result.objects.update_or_create(
            id=result_id, defaults={"name": name, "description": description}
        )
    strategy = services.strategy_create(
        actor=Actor.command("seed"),
        client=client_a,
        name="For Documentation",
        dialing_sequence=[1, 3, 2],
        service_ids=[20180, 18892],
        outcomes=[services.OutcomeSettings(result_id=316, max_number_of_retries=1, retry_delay=10)],
    )
    ClientStrategies.objects.create(client=client_a, default_dialing_strategy=strategy)
    contexts = []

    def open_as(role: str, viewport: str):
        width, height = VIEWPORTS[viewport]
        context = chromium.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        persona(role)
        admin_login(page, live_server, "ACME", role, PASSWORD)
        page.lv_name = f"{role}-{viewport}"
        page.lv_base = live_server.url
        page.lv_strategy = strategy
        return page

    yield open_as
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{page.lv_name}-{name}.png"), full_page=True)


def visit(page, path: str):
    return page.goto(page.lv_base + path)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_manager_with_the_power_finds_changes_and_reads_the_history(tour, viewport, api):
    page = tour("manager_with_strategies_power", viewport)
    strategy = page.lv_strategy
    header = page.locator("#header").inner_text()
    assert "Acme (ACME)" in header
    assert "Manager · Dialing Strategies power" in header
    assert (
        "See, add, change and delete dialing strategies" in page.locator("#lv-can-do").inner_text()
    )
    shot(page, "home")

    visit(page, STRATEGIES)
    assert page.locator("h1").inner_text() == "Dialing strategies"
    assert page.locator(".lv-badge.lv-default").first.inner_text().upper() == "DEFAULT"
    assert fits_the_screen(page)
    if viewport == "phone":
        hint = page.evaluate(
            "getComputedStyle(document.querySelector('#changelist .results'), '::before').content"
        )
        assert "Scroll sideways" in hint
    shot(page, "strategies")

    visit(page, f"{STRATEGIES}{strategy.pk}/change/")
    body = page.locator("#content").inner_text()
    assert "This is the client's default dialing strategy" in body
    for label in ("Call result", "Retry delay (minutes)", "Max retries"):
        assert label.upper() in body.upper()  # the inline's headings are styled in capitals
    assert fits_the_screen(page)
    shot(page, "strategy")

    visit(page, f"{STRATEGIES}{strategy.pk}/delete/")
    assert (
        "Services without a dialing strategy of their own will have none"
        in page.locator("#content").inner_text()
    )
    shot(page, "delete-live")

    api("manager_with_strategies_power").post(
        f"/configuration/dialingStrategies/{strategy.pk}", {"dialingSequenceItem": [2, 1]}
    )
    visit(page, "/admin/livevox_site/auditentry/")
    listing = page.locator("#content").inner_text()
    assert (
        "manager_with_strategies_power changed the dialing sequence of For Documentation "
        "from 1, 3, 2 to 2, 1" in listing
    )
    assert "Times in America/New_York" in page.locator("#header").inner_text()
    assert fits_the_screen(page)
    shot(page, "audit")

    visit(page, f"{STRATEGIES}{strategy.pk}/history/")
    assert "from 1, 3, 2 to 2, 1" in page.locator("#content").inner_text()
    shot(page, "history")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_manager_without_the_power_is_told_what_is_missing(tour, viewport):
    page = tour("manager", viewport)
    assert "Acme (ACME)" in page.locator("#header").inner_text()
    shot(page, "home")

    response = visit(page, STRATEGIES)
    assert response.status == 403
    assert (
        "You need the Dialing Strategies power (or the Superuser or IT User role) to see "
        "dialing strategies: ask a Superuser of ACME." in page.locator("#content").inner_text()
    )
    assert page.locator("#content a[href='/admin/']").count() == 1
    shot(page, "refused")


@pytest.mark.parametrize("role", ["superuser", "it_user", "sysadmin"])
def test_other_roles_see_their_client_and_role(tour, role):
    page = tour(role, "desktop")
    header = page.locator("#header").inner_text()
    assert "Acme (ACME)" in header
    assert {"superuser": "Superuser", "it_user": "IT User", "sysadmin": "Sysadmin"}[role] in header
    shot(page, "home")
    visit(page, STRATEGIES)
    shot(page, "strategies")
    visit(page, "/admin/livevox_site/auditentry/")
    shot(page, "audit")


def test_an_agent_is_sent_to_the_agent_desktop(chromium, live_server, persona, client_a):
    persona("agent")
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    admin_login(page, live_server, "ACME", "agent", PASSWORD)
    assert (
        "Agents use the agent desktop, not this admin." in page.locator(".errornote").inner_text()
    )
    page.lv_name = "agent-phone"
    shot(page, "login")
    context.close()
