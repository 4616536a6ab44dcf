"""The admin as a manager meets it: where am I, why can't I, the manager's words, what is live,
and an audit trail in sentences (issue: an admin that managers enjoy)."""

import re

import pytest

from livevox_site.audit import Actor
from livevox_site.models import AccessToken, AuditEntry
from strategies import services
from strategies.models import ClientStrategies, DialingStrategy

STRATEGIES = "/admin/strategies/dialingstrategy/"
AUDIT = "/admin/livevox_site/auditentry/"


def text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def documentation(client_a) -> DialingStrategy:
    return services.strategy_create(
        actor=Actor.command("test"),
        client=client_a,
        name="For Documentation",
        dialing_sequence=[1, 3, 2],
        service_ids=[20180, 18892],
        outcomes=[services.OutcomeSettings(result_id=316, max_number_of_retries=1, retry_delay=10)],
    )


# --- where am I, and why can't I? -----------------------------------------------------------


@pytest.mark.parametrize(
    "who, role",
    [
        ("manager", "Manager"),
        ("manager_with_strategies_power", "Manager · Dialing Strategies power"),
        ("superuser", "Superuser"),
        ("it_user", "IT User"),
    ],
)
def test_every_page_names_the_client_and_the_role(admin_as, who, role):
    for url in ("/admin/", "/admin/livevox_site/service/", AUDIT):
        page = text(admin_as(who).get(url))
        assert "Acme (ACME)" in page, url
        assert role in page, url
        assert "Times in America/New_York" in page, url


def test_a_refused_page_names_the_missing_power_and_who_grants_it(admin_as):
    response = admin_as("manager").get(STRATEGIES)

    assert response.status_code == 403
    assert (
        "You need the Dialing Strategies power (or the Superuser or IT User role) to see "
        "dialing strategies: ask a Superuser of ACME." in text(response)
    )
    assert 'href="/admin/"' in response.content.decode()  # a way back home
    assert "Acme (ACME)" in text(response)


def test_a_page_only_a_sysadmin_may_use_says_so(admin_as):
    response = admin_as("superuser").get("/admin/strategies/result/add/")

    assert response.status_code == 403
    assert "Only a Sysadmin may add call results." in text(response)


def test_an_agent_with_the_right_password_is_sent_to_the_agent_desktop(client, persona):
    from .conftest import PASSWORD

    persona("agent")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"client_code": "ACME", "username": "agent", "password": PASSWORD},
    )

    assert response.status_code == 200
    assert "Agents use the agent desktop, not this admin." in text(response)
    assert "correct client code" not in text(response)


def test_the_root_is_a_landing_page_with_the_admin_the_docs_and_the_health_check(client, db):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    for href in ('href="/admin/"', 'href="/api/docs/"', 'href="/healthz"'):
        assert href in html
    assert 'rel="icon"' in html


def test_the_favicon_is_served(client, db):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("livevox/favicon.svg")
    assert finders.find("livevox/favicon.svg")


def test_the_home_page_says_what_a_manager_may_do(admin_as):
    page = text(admin_as("manager_with_strategies_power").get("/admin/"))
    assert "What you can do here" in page
    assert "See, add, change and delete dialing strategies" in page
    assert "See call results" in page
    plain = text(admin_as("manager").get("/admin/"))
    assert "See call results" in plain
    assert "dialing strategies" not in plain.split("What you can do here")[1].split("Account")[0]


# --- the manager's words ----------------------------------------------------------------------


def test_the_strategy_page_speaks_the_managers_words(admin_as, documentation):
    page = text(
        admin_as("manager_with_strategies_power").get(f"{STRATEGIES}{documentation.pk}/change/")
    )
    for label in ("Call result", "Retry delay (minutes)", "Max retries", "Dial another number"):
        assert label in page
    assert "Busy (316) — The line was busy." in page
    for developer_word in ("lvResultId", "LvResultId", "316 in ", "dialingSequenceItem"):
        assert developer_word not in page


def test_lists_are_titled_by_what_they_list(admin_as, documentation):
    page = text(admin_as("manager_with_strategies_power").get(STRATEGIES))
    assert "Select dialing strategy to change" not in page
    assert "Dialing strategies" in page


def test_a_delete_page_lists_no_link_rows(admin_as, documentation):
    page = text(
        admin_as("manager_with_strategies_power").get(f"{STRATEGIES}{documentation.pk}/delete/")
    )
    assert "_services object" not in page
    assert "relationship" not in page
    assert "What to do after Busy (316)" in page


def test_a_service_in_another_strategy_says_so(admin_as, documentation, client_a):
    other = services.strategy_create(
        actor=Actor.command("test"), client=client_a, name="Landlines", dialing_sequence=[2]
    )
    page = text(admin_as("manager_with_strategies_power").get(f"{STRATEGIES}{other.pk}/change/"))
    assert "S20180 (20180) — also in For Documentation" in page


# --- what is live ---------------------------------------------------------------------------


def test_the_default_strategy_carries_a_badge_in_the_list_and_on_its_page(admin_as, documentation):
    ClientStrategies.objects.create(
        client_id=documentation.client_id, default_dialing_strategy=documentation
    )
    browser = admin_as("manager_with_strategies_power")

    listing = browser.get(STRATEGIES).content.decode()
    page = text(browser.get(f"{STRATEGIES}{documentation.pk}/change/"))

    assert re.search(r'For Documentation<span class="lv-badge lv-default">Default</span>', listing)
    assert "This is the client's default dialing strategy" in page


def test_deleting_the_default_strategy_asks_for_an_explicit_confirmation(admin_as, documentation):
    ClientStrategies.objects.create(
        client_id=documentation.client_id, default_dialing_strategy=documentation
    )
    browser = admin_as("manager_with_strategies_power")
    url = f"{STRATEGIES}{documentation.pk}/delete/"

    asked = browser.get(url)
    unconfirmed = browser.post(url, {"post": "yes"})
    kept = DialingStrategy.objects.filter(pk=documentation.pk).exists()
    confirmed = browser.post(url, {"post": "yes", "confirm_live": "yes"})

    assert "Services without a dialing strategy of their own will have none" in text(asked)
    assert unconfirmed.status_code == 200 and kept
    assert "Tick the box below to confirm." in text(unconfirmed)
    assert confirmed.status_code == 302
    assert not DialingStrategy.objects.filter(pk=documentation.pk).exists()


def test_delete_selected_keeps_a_live_strategy_and_says_why(admin_as, documentation, client_a):
    ClientStrategies.objects.create(client=client_a, requeue_dialing_strategy=documentation)
    spare = services.strategy_create(
        actor=Actor.command("test"), client=client_a, name="Spare", dialing_sequence=[1]
    )
    browser = admin_as("manager_with_strategies_power")

    response = browser.post(
        STRATEGIES,
        {
            "action": "delete_selected",
            "_selected_action": [documentation.pk, spare.pk],
            "post": "yes",
        },
        follow=True,
    )

    assert list(DialingStrategy.objects.values_list("name", flat=True)) == ["For Documentation"]
    assert (
        "Not deleted, because they are in use as a default or requeue strategy: For "
        "Documentation" in text(response)
    )


def test_the_strategy_list_shows_services_outcomes_and_last_change(api, admin_as, documentation):
    api("manager_with_strategies_power").post(
        f"/configuration/dialingStrategies/{documentation.pk}", {"dialingSequenceItem": [2, 1]}
    )
    row = text(admin_as("manager_with_strategies_power").get(STRATEGIES))

    assert "S18892, S20180" in row
    assert re.search(r"For Documentation 1, 3, 2|For Documentation 2, 1", row)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T by manager_with_strategies_power", row)


# --- an audit trail a person can read ------------------------------------------------------


def test_an_entry_reads_as_a_sentence_with_a_table_in_the_admins_labels(
    api, admin_as, documentation
):
    api("manager_with_strategies_power").post(
        f"/configuration/dialingStrategies/{documentation.pk}", {"dialingSequenceItem": [2, 1]}
    )
    entry = AuditEntry.objects.get(action="strategies.strategy.updated")
    browser = admin_as("manager_with_strategies_power")

    listing = text(browser.get(AUDIT))
    page = browser.get(f"{AUDIT}{entry.pk}/change/")

    sentence = (
        "manager_with_strategies_power changed the dialing sequence of For Documentation "
        "from 1, 3, 2 to 2, 1"
    )
    assert sentence in listing
    assert sentence in text(page)
    assert re.search(
        r"<th scope=\"row\">Dialing sequence</th><td class=\"lv-before\">1, 3, 2</td>"
        r"<td class=\"lv-after\">2, 1</td>",
        page.content.decode(),
    )
    assert "Show the raw JSON" in text(page)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T", listing)


def test_the_audit_log_is_searched_by_object_name(api, admin_as, documentation, client_a):
    services.strategy_create(
        actor=Actor.command("test"), client=client_a, name="Landlines", dialing_sequence=[2]
    )
    page = text(admin_as("manager_with_strategies_power").get(f"{AUDIT}?q=Landlines"))
    assert "created the dialing strategy Landlines" in page
    assert "For Documentation" not in page


def test_a_strategys_history_shows_its_outcome_changes(api, admin_as, documentation):
    outcome = documentation.outcomes.get()
    api("manager_with_strategies_power").put(
        f"/configuration/dialingStrategies/{documentation.pk}/outcomes/{outcome.pk}",
        {"retryDelay": 5},
    )
    page = text(
        admin_as("manager_with_strategies_power").get(f"{STRATEGIES}{documentation.pk}/history/")
    )
    assert (
        "manager_with_strategies_power changed the retry delay (minutes) of Busy (316) in "
        "For Documentation from 10 to 5" in page
    )
    assert "test created the dialing strategy For Documentation" in page


def test_a_manager_sees_no_token_events(admin_as, client_a):
    from livevox_site.services import access_token_create

    access_token_create(actor=Actor.command("test"), client=client_a, name="dialer")
    assert AccessToken.objects.count() == 1
    page = text(admin_as("manager").get(AUDIT))
    assert "dialer" not in page


def test_deleting_a_service_names_the_strategies_it_leaves(admin_as, documentation):
    page = text(admin_as("superuser").get("/admin/livevox_site/service/20180/delete/"))
    assert (
        "Deleting “S20180 (20180)” also unlinks it from: Dialing strategies: For Documentation"
        in page
    )
    assert "They are kept" in page
