"""The dialing strategies admin: tenant-scoped, validated by the API's rules, audited."""

import json
import re

import pytest

from livevox_site.models import AuditEntry
from strategies.models import ClientStrategies, DialingStrategy, Outcome, Result

ADD = "/admin/strategies/dialingstrategy/add/"
CHANGELIST = "/admin/strategies/dialingstrategy/"


def change_url(pk: int) -> str:
    return f"/admin/strategies/dialingstrategy/{pk}/change/"


def form_data(name="Admin made", sequence="1, 3, 2", services=(20180, 18892), outcomes=(), **extra):
    data = {
        "name": name,
        "dialing_sequence_text": sequence,
        "services": [str(s) for s in services],
        "outcomes-TOTAL_FORMS": str(len(outcomes)),
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
    }
    for index, outcome in enumerate(outcomes):
        for key, value in outcome.items():
            if value is True:
                value = "on"
            if value is not False:
                data[f"outcomes-{index}-{key}"] = str(value)
    data.update(extra)
    return data


def outcome_row(result, dial=False, retries=0, delay=0, requeue=False, **extra) -> dict:
    return {
        "result": result,
        "dial_another_number": dial,
        "max_number_of_retries": retries,
        "retry_delay": delay,
        "requeue": requeue,
        **extra,
    }


@pytest.fixture
def browser(client, persona):
    def login(name: str):
        client.force_login(persona(name))
        return client

    return login


@pytest.fixture
def strategy_a(client_a) -> DialingStrategy:
    strategy = DialingStrategy.objects.create(
        client=client_a, name="Custom Requeue", dialing_sequence=[1, 4]
    )
    strategy.services.add(17797, 17885)
    Outcome.objects.create(strategy=strategy, result_id=339, requeue=True)
    Outcome.objects.create(strategy=strategy, result_id=742, retry_delay=10, requeue=True)
    return strategy


@pytest.fixture
def strategy_b(client_b) -> DialingStrategy:
    strategy = DialingStrategy.objects.create(client=client_b, name="B only", dialing_sequence=[1])
    strategy.services.add(93126)
    return strategy


def option_values(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {select_name}"
    return re.findall(r'<option value="([^"]+)"', select.group(1))


def test_it_adds_a_strategy_with_services_and_outcomes(browser, client_a, client_b):
    web = browser("manager_with_strategies_power")

    response = web.post(
        ADD,
        form_data(
            outcomes=[outcome_row(316, retries=1, delay=10), outcome_row(476, True, 2, 5, True)]
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    strategy = DialingStrategy.objects.get(name="Admin made")
    assert (strategy.client_id, strategy.dialing_sequence) == (4199, [1, 3, 2])
    assert sorted(strategy.services.values_list("id", flat=True)) == [18892, 20180]
    assert list(
        strategy.outcomes.order_by("result_id").values_list(
            "result_id", "dial_another_number", "max_number_of_retries", "retry_delay", "requeue"
        )
    ) == [(316, False, 1, 10, False), (476, True, 2, 5, True)]
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "source"))
    assert actions == [
        ("strategies.strategy.created", "admin"),
        ("strategies.outcome.created", "admin"),
        ("strategies.outcome.created", "admin"),
    ]


def test_it_offers_only_the_clients_own_services(browser, client_a, client_b):
    html = browser("manager_with_strategies_power").get(ADD).content.decode()

    assert sorted(option_values(html, "services"), key=int) == sorted(
        ["20180", "18892", "17797", "17885", "26881", "11458", "20575", "30853"], key=int
    )
    assert 'name="client"' not in html


def test_it_refuses_another_clients_service_in_a_forged_post(browser, client_a, client_b):
    response = browser("manager_with_strategies_power").post(ADD, form_data(services=[93126]))

    assert response.status_code == 200
    assert "93126 is not one of the available choices" in response.content.decode()
    assert DialingStrategy.objects.count() == 0


def test_it_checks_a_sysadmin_choice_of_services_against_the_strategys_client(
    browser, client_a, client_b
):
    response = browser("sysadmin").post(ADD, form_data(services=[93126, 20180], client="4199"))

    assert response.status_code == 200
    assert "No service 93126 in this client" in response.content.decode()
    assert DialingStrategy.objects.count() == 0


def test_it_lists_and_opens_only_the_clients_strategies(browser, strategy_a, strategy_b):
    web = browser("manager_with_strategies_power")

    listing = web.get(CHANGELIST).content.decode()
    other = web.get(change_url(strategy_b.pk))

    assert "Custom Requeue" in listing and "B only" not in listing
    assert other.status_code == 302
    assert web.post(change_url(strategy_b.pk), form_data(name="Taken over")).status_code == 302
    assert DialingStrategy.objects.get(pk=strategy_b.pk).name == "B only"


def test_it_searches_by_name_and_filters_by_service(browser, strategy_a, client_a):
    DialingStrategy.objects.create(client=client_a, name="Landlines", dialing_sequence=[1])
    web = browser("manager_with_strategies_power")

    found = web.get(CHANGELIST + "?q=requeue").content.decode()
    by_service = web.get(CHANGELIST + "?service=17797").content.decode()
    page = web.get(CHANGELIST).content.decode()

    assert "Custom Requeue" in found and "Landlines" not in found
    assert "Custom Requeue" in by_service and "Landlines" not in by_service
    filter_links = re.findall(r'href="\?service=(\d+)"', page)
    assert sorted(filter_links, key=int) == sorted(
        ["20180", "18892", "17797", "17885", "26881", "11458", "20575", "30853"], key=int
    )


@pytest.mark.parametrize("who", ["manager", "manager_with_dnc_power"])
def test_it_forbids_managers_without_the_power(browser, strategy_a, who):
    web = browser(who)

    assert web.get(CHANGELIST).status_code == 403
    assert web.get(ADD).status_code == 403
    assert web.get(change_url(strategy_a.pk)).status_code == 403


@pytest.mark.parametrize(
    ("sequence", "message"),
    [
        ("", "This field is required."),
        ("1, 1", "Position 1 appears twice"),
        ("1, 0", "Must hold whole numbers of 1 or more"),
        ("1, x", "Must hold whole numbers of 1 or more"),
        (",", "Must be a non-empty list of phone positions"),
    ],
)
def test_it_shows_a_bad_dialing_sequence_as_a_form_error(browser, client_a, sequence, message):
    response = browser("manager_with_strategies_power").post(ADD, form_data(sequence=sequence))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert DialingStrategy.objects.count() == 0


def test_it_shows_a_taken_name_as_one_form_error(browser, strategy_a):
    response = browser("manager_with_strategies_power").post(ADD, form_data(name="Custom Requeue"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("A dialing strategy named") == 1
    assert DialingStrategy.objects.count() == 1


def test_it_shows_a_result_twice_as_a_form_error(browser, client_a):
    response = browser("manager_with_strategies_power").post(
        ADD, form_data(outcomes=[outcome_row(316), outcome_row(316)])
    )

    page = response.content.decode()
    assert response.status_code == 200
    # One message, naming the result, on the second row's result field.
    assert page.count("is listed twice") == 1
    assert "Busy (316) is listed twice" in page
    assert "Please correct the duplicate" not in page
    assert DialingStrategy.objects.count() == 0


def test_it_shows_a_result_already_in_the_strategy_once(browser, strategy_a):
    data = _unchanged_form(strategy_a)
    row = {"result": "339", "max_number_of_retries": "0", "retry_delay": "0"}
    data.update({f"outcomes-2-{key}": value for key, value in row.items()})
    data["outcomes-TOTAL_FORMS"] = "3"

    response = browser("manager_with_strategies_power").post(change_url(strategy_a.pk), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("is listed twice") == 1
    assert "already exists" not in page
    assert strategy_a.outcomes.count() == 2


def test_it_changes_a_strategy_and_its_outcomes_through_the_services(browser, strategy_a):
    o339, o742 = strategy_a.outcomes.order_by("id")
    data = form_data(name="Renamed", sequence="4 1", services=[17885, 20575])
    data.update(
        {
            "outcomes-TOTAL_FORMS": "3",
            "outcomes-INITIAL_FORMS": "2",
            "outcomes-0-id": str(o339.pk),
            "outcomes-0-strategy": str(strategy_a.pk),
            "outcomes-0-result": "350",
            "outcomes-0-max_number_of_retries": "3",
            "outcomes-0-retry_delay": "0",
            "outcomes-1-id": str(o742.pk),
            "outcomes-1-strategy": str(strategy_a.pk),
            "outcomes-1-result": "742",
            "outcomes-1-max_number_of_retries": "0",
            "outcomes-1-retry_delay": "10",
            "outcomes-1-requeue": "on",
            "outcomes-1-DELETE": "on",
            "outcomes-2-result": "320",
            "outcomes-2-max_number_of_retries": "1",
            "outcomes-2-retry_delay": "2",
        }
    )

    response = browser("manager_with_strategies_power").post(change_url(strategy_a.pk), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    strategy_a.refresh_from_db()
    assert (strategy_a.name, strategy_a.dialing_sequence) == ("Renamed", [4, 1])
    assert sorted(strategy_a.services.values_list("id", flat=True)) == [17885, 20575]
    kept, added = strategy_a.outcomes.order_by("id")
    assert (kept.pk, kept.result_id, kept.max_number_of_retries, kept.requeue) == (
        o339.pk,
        350,
        3,
        False,
    )
    assert (added.result_id, added.max_number_of_retries, added.retry_delay) == (320, 1, 2)
    assert not Outcome.objects.filter(pk=o742.pk).exists()
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == [
        "strategies.outcome.created",
        "strategies.outcome.deleted",
        "strategies.outcome.updated",
        "strategies.strategy.updated",
    ]
    updated = AuditEntry.objects.get(action="strategies.strategy.updated")
    assert updated.before == {
        "id": strategy_a.pk,
        "name": "Custom Requeue",
        "dialingSequenceItem": [1, 4],
        "service": [17797, 17885],
    }
    assert updated.after["service"] == [17885, 20575]


def test_the_change_form_shows_the_sequence_as_text(browser, strategy_a):
    html = browser("manager_with_strategies_power").get(change_url(strategy_a.pk)).content.decode()

    assert 'name="dialing_sequence_text" value="1, 4"' in html


def test_duplicate_action_copies_and_audits(browser, strategy_a):
    web = browser("manager_with_strategies_power")

    response = web.post(
        CHANGELIST, {"action": "duplicate_selected", "_selected_action": [str(strategy_a.pk)]}
    )

    assert response.status_code == 302
    copy = DialingStrategy.objects.get(name="Custom Requeue (copy)")
    assert copy.dialing_sequence == [1, 4]
    assert list(copy.services.order_by("id").values_list("id", flat=True)) == [17797, 17885]
    assert list(copy.outcomes.order_by("id").values_list("result_id", "retry_delay")) == [
        (339, 0),
        (742, 10),
    ]
    entry = AuditEntry.objects.get(action="strategies.strategy.duplicated")
    assert (entry.object_id, entry.details, entry.source) == (
        str(copy.pk),
        {"copiedFrom": strategy_a.pk},
        "admin",
    )
    web.post(CHANGELIST, {"action": "duplicate_selected", "_selected_action": [str(strategy_a.pk)]})
    assert DialingStrategy.objects.filter(name="Custom Requeue (copy 2)").exists()


def test_export_action_gives_the_api_read_body(browser, api, strategy_a):
    web = browser("manager_with_strategies_power")

    response = web.post(
        CHANGELIST, {"action": "export_selected_json", "_selected_action": [str(strategy_a.pk)]}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="dialing-strategies.json"'
    read = api("manager_with_strategies_power").get(
        f"/configuration/dialingStrategies/{strategy_a.pk}"
    )
    assert json.loads(response.content) == [read.json()]


def test_delete_selected_is_audited(browser, strategy_a, client_a):
    other = DialingStrategy.objects.create(client=client_a, name="Other", dialing_sequence=[2])
    web = browser("manager_with_strategies_power")
    selected = [str(strategy_a.pk), str(other.pk)]

    response = web.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    )

    assert response.status_code == 302
    assert DialingStrategy.objects.count() == 0
    entries = AuditEntry.objects.filter(action="strategies.strategy.deleted").order_by("id")
    assert [(e.object_id, e.before["name"], e.source) for e in entries] == [
        (str(strategy_a.pk), "Custom Requeue", "admin"),
        (str(other.pk), "Other", "admin"),
    ]
    assert len(entries[0].before["outcomeItem"]) == 2


def test_deleting_one_strategy_is_audited(browser, strategy_a):
    web = browser("manager_with_strategies_power")

    response = web.post(
        f"/admin/strategies/dialingstrategy/{strategy_a.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not DialingStrategy.objects.exists()
    assert AuditEntry.objects.filter(action="strategies.strategy.deleted").count() == 1


def test_results_catalog_sysadmins_edit_others_view(browser, client_a):
    manager = browser("manager")
    assert manager.get("/admin/strategies/result/").status_code == 200
    assert manager.get("/admin/strategies/result/add/").status_code == 403
    assert manager.post("/admin/strategies/result/320/change/", {"name": "x"}).status_code == 403

    sysadmin = browser("sysadmin")
    response = sysadmin.post(
        "/admin/strategies/result/320/change/", {"name": "No Answer (RNA)", "description": ""}
    )

    assert response.status_code == 302
    assert Result.objects.get(pk=320).name == "No Answer (RNA)"
    entry = AuditEntry.objects.get(action="strategies.result.changed")
    assert (entry.client_id, entry.before["name"], entry.after["name"]) == (
        4199,
        "No Answer",
        "No Answer (RNA)",
    )


def _client_form(default, requeue, initial: int = 0) -> dict:
    # The client's page with the strategies app's inline (one row, created on first save).
    prefix = "strategy_settings"
    return {
        "name": "Acme",
        "time_zone": "America/New_York",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1",
        f"{prefix}-0-client": "4199",
        f"{prefix}-0-default_dialing_strategy": str(default),
        f"{prefix}-0-requeue_dialing_strategy": str(requeue),
    }


def test_client_admin_sets_the_default_and_requeue_strategy(browser, strategy_a, strategy_b):
    web = browser("superuser")
    url = f"/admin/livevox_site/client/{strategy_a.client_id}/change/"
    page = web.get(url).content.decode()

    assert option_values(page, "strategy_settings-0-default_dialing_strategy") == [
        str(strategy_a.pk)
    ]
    response = web.post(url, _client_form(strategy_a.pk, strategy_b.pk))
    assert response.status_code == 200  # B's strategy is not a choice
    assert not ClientStrategies.objects.exists()

    response = web.post(url, _client_form(strategy_a.pk, strategy_a.pk))

    assert response.status_code == 302
    settings = ClientStrategies.objects.get(client_id=strategy_a.client_id)
    assert settings.default_dialing_strategy == settings.requeue_dialing_strategy == strategy_a
    entry = AuditEntry.objects.get(action="strategies.clientstrategies.added")
    assert entry.after == {
        "client": 4199,
        "default_dialing_strategy": strategy_a.pk,
        "requeue_dialing_strategy": strategy_a.pk,
    }


def test_client_admin_changes_the_default_strategy_with_before_and_after(
    browser, strategy_a, client_a
):
    ClientStrategies.objects.create(client=client_a, default_dialing_strategy=strategy_a)
    web = browser("superuser")
    url = f"/admin/livevox_site/client/{client_a.pk}/change/"

    unchanged = web.post(url, _client_form(strategy_a.pk, "", initial=1))
    changed = web.post(url, _client_form("", strategy_a.pk, initial=1))

    assert (unchanged.status_code, changed.status_code) == (302, 302)
    entries = AuditEntry.objects.filter(object_type="strategies.clientstrategies")
    assert [(e.action, e.before, e.after) for e in entries] == [
        (
            "strategies.clientstrategies.changed",
            {
                "client": 4199,
                "default_dialing_strategy": strategy_a.pk,
                "requeue_dialing_strategy": None,
            },
            {
                "client": 4199,
                "default_dialing_strategy": None,
                "requeue_dialing_strategy": strategy_a.pk,
            },
        )
    ]


def test_a_sysadmin_adds_for_another_client_and_cannot_move_a_strategy(browser, strategy_b):
    web = browser("sysadmin")

    added = web.post(ADD, form_data(name="For B", services=[93126, 789], client="93119"))
    page = web.get(change_url(strategy_b.pk)).content.decode()

    assert added.status_code == 302
    made = DialingStrategy.objects.get(name="For B")
    assert made.client_id == 93119
    assert list(made.services.order_by("id").values_list("id", flat=True)) == [789, 93126]
    assert 'name="client"' not in page
    assert "BETA (93119)" in page


def _unchanged_form(strategy: DialingStrategy) -> dict:
    outcomes = list(strategy.outcomes.order_by("id"))
    data = form_data(
        name=strategy.name,
        sequence=", ".join(str(p) for p in strategy.dialing_sequence),
        services=[s.pk for s in strategy.services.all()],
        outcomes=[
            outcome_row(
                o.result_id,
                o.dial_another_number,
                o.max_number_of_retries,
                o.retry_delay,
                o.requeue,
                id=o.pk,
                strategy=strategy.pk,
            )
            for o in outcomes
        ],
    )
    data["outcomes-INITIAL_FORMS"] = str(len(outcomes))
    return data


def _assigned(strategy: DialingStrategy) -> list[int]:
    through = DialingStrategy.services.through
    return list(
        through.objects.filter(dialingstrategy=strategy)
        .order_by("pk")
        .values_list("service_id", flat=True)
    )


def test_a_save_without_edits_changes_nothing_and_writes_nothing(browser, client_a):
    strategy = DialingStrategy.objects.create(
        client=client_a, name="Ordered", dialing_sequence=[2, 1]
    )
    strategy.services.add(20575)
    strategy.services.add(17797)  # assigned second, though its id is lower
    Outcome.objects.create(strategy=strategy, result_id=339, requeue=True)
    web = browser("manager_with_strategies_power")

    response = web.post(change_url(strategy.pk), _unchanged_form(strategy))

    assert response.status_code == 302
    assert _assigned(strategy) == [20575, 17797]
    assert AuditEntry.objects.count() == 0


def test_a_save_with_edits_keeps_the_kept_services_in_place_and_is_audited(browser, client_a):
    strategy = DialingStrategy.objects.create(
        client=client_a, name="Ordered", dialing_sequence=[2, 1]
    )
    strategy.services.add(20575)
    strategy.services.add(17797)
    web = browser("manager_with_strategies_power")
    data = _unchanged_form(strategy)
    data["services"] = ["17797", "20575", "11458"]

    response = web.post(change_url(strategy.pk), data)

    assert response.status_code == 302
    assert _assigned(strategy) == [20575, 17797, 11458]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.before["service"], entry.after["service"]) == (
        "strategies.strategy.updated",
        [17797, 20575],
        [11458, 17797, 20575],
    )
