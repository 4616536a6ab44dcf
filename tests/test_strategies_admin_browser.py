"""The dialing strategies admin in a real Chromium: adding through the page (sequence text,
the two-box services selector, the outcomes inline), tenant scoping, form errors, the duplicate
action and the Dialing Strategies power."""

import importlib

import pytest

from livevox_site.audit import Actor
from livevox_site.models import AuditEntry
from strategies import services
from strategies.models import DialingStrategy, Outcome, Result

from .browser import admin_login
from .conftest import PASSWORD, SERVICES_A, SERVICES_B

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGELIST = "/admin/strategies/dialingstrategy/"
ADD = CHANGELIST + "add/"
POWER = "manager_with_strategies_power"


def change_url(pk: int) -> str:
    return f"{CHANGELIST}{pk}/change/"


@pytest.fixture(autouse=True)
def results_catalog(db):
    """The catalog is seeded by a migration, and transactional tests flush it between tests:
    put it back so the outcomes inline has its choices whatever ran before."""
    seeded = importlib.import_module("strategies.migrations.0002_results_catalog").RESULTS
    for result_id, name, description in seeded:
        Result.objects.update_or_create(
            id=result_id, defaults={"name": name, "description": description}
        )


def login(page, live_server, persona, name: str = POWER) -> None:
    persona(name)
    admin_login(page, live_server, "ACME", name, PASSWORD)
    assert page.url == f"{live_server.url}/admin/", "the login did not reach the admin index"


def strategy_names(page) -> list[str]:
    return page.locator("#result_list tbody .field-name_with_badges").all_inner_texts()


def option_values(page, selector: str) -> list[str]:
    return page.locator(f"{selector} option").evaluate_all("options => options.map(o => o.value)")


def fill_add_form(page, *, name: str, sequence: str, service_ids=(20180, 18892)) -> None:
    page.fill("#id_name", name)
    page.fill("#id_dialing_sequence_text", sequence)
    if service_ids:
        # filter_horizontal: pick in "Available", then the "Choose" arrow moves them over.
        page.select_option("#id_services_from", [str(i) for i in service_ids])
        page.click("#id_services_add")


def save(page) -> None:
    with page.expect_navigation():
        page.click("input[name=_save]")


def test_a_manager_with_the_power_adds_a_strategy_through_the_page(
    browser_page, live_server, persona, client_b
):
    page = browser_page
    login(page, live_server, persona)
    # From the index to the changelist to the add form, by the links a user would click.
    with page.expect_navigation():
        page.click(f"#content-main a[href='{CHANGELIST}']")
    # The manager's words: the list's title names what it lists.
    assert page.locator("#content h1").inner_text() == "Dialing strategies"
    with page.expect_navigation():
        page.click(".object-tools a.addlink")
    assert page.url == f"{live_server.url}{ADD}"

    fill_add_form(page, name="Browser made", sequence="1, 3, 2")
    assert sorted(option_values(page, "#id_services_to"), key=int) == ["18892", "20180"]
    assert "20180" not in option_values(page, "#id_services_from")
    page.select_option("#id_outcomes-0-result", "316")
    page.fill("#id_outcomes-0-max_number_of_retries", "1")
    page.fill("#id_outcomes-0-retry_delay", "10")
    page.screenshot(path="/tmp/strategy_add.png", full_page=True)
    save(page)

    assert page.url == f"{live_server.url}{CHANGELIST}"
    assert "was added successfully" in page.locator("ul.messagelist").inner_text()
    assert strategy_names(page) == ["Browser made"]
    row = page.locator("#result_list tbody tr").first
    assert row.locator("td.field-dialing_sequence_display").inner_text() == "1, 3, 2"

    strategy = DialingStrategy.objects.get(name="Browser made")
    assert (strategy.client_id, strategy.dialing_sequence) == (4199, [1, 3, 2])
    assert sorted(strategy.services.values_list("id", flat=True)) == [18892, 20180]
    assert list(
        strategy.outcomes.values_list(
            "result_id", "dial_another_number", "max_number_of_retries", "retry_delay", "requeue"
        )
    ) == [(316, False, 1, 10, False)]
    entries = list(
        AuditEntry.objects.order_by("id").values_list("action", "source", "client_id", "object_id")
    )
    outcome = strategy.outcomes.get()
    assert entries == [
        ("strategies.strategy.created", "admin", 4199, str(strategy.pk)),
        ("strategies.outcome.created", "admin", 4199, str(outcome.pk)),
    ]


def test_a_manager_sees_only_their_clients_services_and_strategies(
    browser_page, live_server, persona, client_a, client_b
):
    actor = Actor.command("test")
    mine = services.strategy_create(
        actor=actor, client=client_a, name="A only", dialing_sequence=[1], service_ids=[20180]
    )
    theirs = services.strategy_create(
        actor=actor, client=client_b, name="B only", dialing_sequence=[2], service_ids=[93126]
    )
    page = browser_page
    login(page, live_server, persona)

    page.goto(f"{live_server.url}{ADD}")
    offered = option_values(page, "#id_services_from") + option_values(page, "#id_services_to")
    assert sorted(offered, key=int) == sorted(str(i) for i in SERVICES_A)
    assert not {str(i) for i in SERVICES_B} & set(offered)
    assert page.locator("#id_client").count() == 0

    page.goto(f"{live_server.url}{CHANGELIST}")
    assert strategy_names(page) == ["A only"]
    assert "B only" not in page.locator("#content").inner_text()
    # The service filter offers A's services only.
    filter_links = page.locator("#changelist-filter a[href^='?service=']").evaluate_all(
        "links => links.map(a => new URL(a.href).searchParams.get('service'))"
    )
    assert sorted(filter_links, key=int) == sorted(str(i) for i in SERVICES_A)

    response = page.goto(f"{live_server.url}{change_url(theirs.pk)}")
    assert response.status in (200, 404)
    if response.status == 200:  # Django's answer: back to the index, with a message
        assert page.url == f"{live_server.url}/admin/"
        message = page.locator("ul.messagelist").inner_text()
        assert f"ID “{theirs.pk}” doesn’t exist" in message
    assert page.locator("#id_name").count() == 0
    assert "B only" not in page.content()
    # Their own strategy opens (the refusal above is scoping, not a broken change page).
    page.goto(f"{live_server.url}{change_url(mine.pk)}")
    assert page.locator("#id_name").input_value() == "A only"


@pytest.mark.parametrize(
    ("sequence", "message"),
    [
        ("1, 1", "Position 1 appears twice"),
        ("0", "Must hold whole numbers of 1 or more, not '0'"),
    ],
)
def test_a_bad_dialing_sequence_is_shown_on_the_page_and_nothing_is_saved(
    browser_page, live_server, persona, client_b, sequence, message
):
    page = browser_page
    login(page, live_server, persona)
    page.goto(f"{live_server.url}{ADD}")
    fill_add_form(page, name="Never saved", sequence=sequence)
    page.select_option("#id_outcomes-0-result", "316")
    save(page)

    assert page.url == f"{live_server.url}{ADD}"
    assert page.locator("p.errornote").is_visible()
    errors = page.locator(".form-row.field-dialing_sequence_text ul.errorlist")
    assert errors.inner_text() == message
    assert errors.is_visible()
    # What the user typed is kept, so they can fix it.
    assert page.locator("#id_name").input_value() == "Never saved"
    assert page.locator("#id_dialing_sequence_text").input_value() == sequence
    assert sorted(option_values(page, "#id_services_to"), key=int) == ["18892", "20180"]
    assert DialingStrategy.objects.count() == 0
    assert Outcome.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_the_duplicate_action_adds_a_copy_to_the_list(
    browser_page, live_server, persona, client_a, client_b
):
    original = services.strategy_create(
        actor=Actor.command("test"),
        client=client_a,
        name="Custom Requeue",
        dialing_sequence=[1, 4],
        service_ids=[17797, 17885],
        outcomes=[services.OutcomeSettings(result_id=742, retry_delay=10, requeue=True)],
    )
    other = services.strategy_create(
        actor=Actor.command("test"), client=client_a, name="Landlines", dialing_sequence=[2]
    )
    page = browser_page
    login(page, live_server, persona)
    page.goto(f"{live_server.url}{CHANGELIST}")
    assert strategy_names(page) == ["Custom Requeue", "Landlines"]

    page.check(f"input[name=_selected_action][value='{original.pk}']")
    page.select_option("select[name=action]", "duplicate_selected")
    with page.expect_navigation():
        page.click("#changelist-form button[name=index]")

    assert page.url == f"{live_server.url}{CHANGELIST}"
    assert "Created “Custom Requeue (copy)”." in page.locator("ul.messagelist").inner_text()
    assert strategy_names(page) == ["Custom Requeue", "Landlines", "Custom Requeue (copy)"]
    copy = DialingStrategy.objects.get(name="Custom Requeue (copy)")
    assert (copy.client_id, copy.dialing_sequence) == (4199, [1, 4])
    assert sorted(copy.services.values_list("id", flat=True)) == [17797, 17885]
    assert list(copy.outcomes.values_list("result_id", "retry_delay", "requeue")) == [
        (742, 10, True)
    ]
    assert DialingStrategy.objects.get(pk=other.pk).name == "Landlines"  # not selected, no copy
    assert DialingStrategy.objects.count() == 3
    entry = AuditEntry.objects.get(action="strategies.strategy.duplicated")
    assert (entry.object_id, entry.source, entry.details) == (
        str(copy.pk),
        "admin",
        {"copiedFrom": original.pk},
    )


@pytest.mark.parametrize("who", ["manager", "manager_with_dnc_power"])
def test_a_manager_without_the_power_has_no_dialing_strategies(
    browser_page, live_server, persona, client_a, client_b, who
):
    strategy = services.strategy_create(
        actor=Actor.command("test"), client=client_a, name="Hidden", dialing_sequence=[1]
    )
    page = browser_page
    login(page, live_server, persona, who)

    index = page.locator("#content-main")
    assert index.locator(f"a[href^='{CHANGELIST}']").count() == 0
    assert "Dialing strategies" not in index.inner_text()
    # The index is not simply empty: the same manager does see other models.
    assert index.locator("a[href='/admin/livevox_site/service/']").count() >= 1

    for path in (CHANGELIST, ADD, change_url(strategy.pk)):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 403, path
        assert "Hidden" not in page.content()
