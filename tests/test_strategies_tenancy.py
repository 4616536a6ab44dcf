"""Tenancy (another client's objects are not found) and info.lastModified."""

import time

import pytest

from livevox_site.models import AuditEntry
from strategies.models import DialingStrategy, Outcome

URL = "/configuration/dialingStrategies"
NOT_FOUND = {"errorCode": 203, "errorMessage": "Entry not found"}


@pytest.fixture
def strategy_b(client_b) -> DialingStrategy:
    strategy = DialingStrategy.objects.create(client=client_b, name="B's", dialing_sequence=[1])
    strategy.services.add(93126)
    Outcome.objects.create(strategy=strategy, result_id=320)
    return strategy


@pytest.fixture
def strategy_a(client_a) -> DialingStrategy:
    strategy = DialingStrategy.objects.create(client=client_a, name="A's", dialing_sequence=[1])
    strategy.services.add(20180)
    Outcome.objects.create(strategy=strategy, result_id=316)
    return strategy


def routes(strategy_id: int, outcome_id: int, service_id: int) -> list[tuple]:
    base = f"{URL}/{strategy_id}"
    return [
        ("GET", base, None),
        ("POST", base, {"name": "Stolen"}),
        ("DELETE", base, None),
        ("POST", f"{base}/outcomes", {"lvResultId": 316}),
        ("DELETE", f"{base}/outcomes", None),
        ("PUT", f"{base}/outcomes/{outcome_id}", {"requeue": True}),
        ("DELETE", f"{base}/outcomes/{outcome_id}", None),
        ("DELETE", f"{base}/services", None),
        ("PUT", f"{base}/services/{service_id}", None),
        ("DELETE", f"{base}/services/{service_id}", None),
        ("PUT", f"/configuration/dialngStrategies/{strategy_id}/services/{service_id}", None),
    ]


def state() -> list:
    return [
        list(DialingStrategy.objects.order_by("id").values_list("id", "name", "dialing_sequence")),
        list(Outcome.objects.order_by("id").values_list("id", "requeue")),
        list(DialingStrategy.services.through.objects.order_by("id").values_list("id")),
    ]


@pytest.mark.parametrize("who", ["sysadmin", "superuser", "manager_with_strategies_power"])
def test_it_does_not_find_another_clients_strategy_in_any_method(api, who, strategy_b, strategy_a):
    caller = api(who)
    outcome_b = strategy_b.outcomes.get().pk
    before = state()

    for method, path, body in routes(strategy_b.pk, outcome_b, 93126):
        response = caller.call(method, path, body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, path)
    assert state() == before


def test_it_does_not_find_another_clients_outcome_through_its_own_strategy(
    api, strategy_a, strategy_b
):
    caller = api("superuser")
    outcome_b = strategy_b.outcomes.get().pk

    for method in ("PUT", "DELETE"):
        response = caller.call(method, f"{URL}/{strategy_a.pk}/outcomes/{outcome_b}", {})
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert Outcome.objects.filter(pk=outcome_b).exists()


def test_it_refuses_another_clients_service_in_a_body_like_an_unknown_one(api, strategy_b):
    caller = api("superuser")

    theirs = caller.post(URL, {"name": "X", "dialingSequenceItem": [1], "service": [93126]})
    unknown = caller.post(URL, {"name": "X", "dialingSequenceItem": [1], "service": [93127]})

    assert theirs.status_code == unknown.status_code == 400
    assert theirs.json() == {
        "errorCode": 202,
        "errorMessage": "service: no service 93126 in this client",
    }
    assert unknown.json()["errorMessage"] == "service: no service 93127 in this client"


def test_it_allows_the_same_name_in_two_clients(api, strategy_b):
    response = api("superuser").post(URL, {"name": "B's", "dialingSequenceItem": [1]})

    assert response.status_code == 201


@pytest.mark.parametrize("who", ["superuser", "it_user", "manager_with_strategies_power"])
def test_it_forbids_acting_for_another_client_to_non_sysadmins(api, who, strategy_b):
    caller = api(who)

    for method, path, body in [
        ("GET", f"{URL}?client=93119&offset=0&count=5", None),
        ("GET", f"{URL}/info?client=93119", None),
        ("POST", f"{URL}?client=93119", {"name": "X", "dialingSequenceItem": [1]}),
        ("GET", f"{URL}/{strategy_b.pk}?client=93119", None),
    ]:
        response = caller.call(method, path, body)
        assert response.status_code == 403, path
        assert response.json()["errorCode"] == 403
    assert DialingStrategy.objects.count() == 1


def test_it_lets_a_sysadmin_act_for_another_client(api, strategy_b, strategy_a):
    sysadmin = api("sysadmin")
    q = "?client=93119"

    created = sysadmin.post(
        URL + q, {"name": "For B", "dialingSequenceItem": [2, 1], "service": [{"id": 456}]}
    )
    wrong_service = sysadmin.post(
        URL + q, {"name": "For B 2", "dialingSequenceItem": [1], "service": [20180]}
    )
    added = sysadmin.put(f"{URL}/{strategy_b.pk}/services/789{q}")
    listed = sysadmin.get(f"{URL}{q}&offset=0&count=10")

    assert created.status_code == 201
    assert DialingStrategy.objects.get(pk=created.json()["id"]).client_id == 93119
    assert wrong_service.json()["errorMessage"] == "service: no service 20180 in this client"
    assert added.status_code == 204
    assert listed.json() == {
        "strategy": [
            {"service": [{"id": 93126}, {"id": 789}], "id": strategy_b.pk, "name": "B's"},
            {"service": [{"id": 456}], "id": created.json()["id"], "name": "For B"},
        ],
        "next": None,
    }
    # Without ?client= the sysadmin works in their own client, where B's strategy is not found.
    assert sysadmin.get(f"{URL}/{strategy_b.pk}").status_code == 404
    entry = AuditEntry.objects.get(action="strategies.strategy.created")
    assert (entry.client_id, entry.actor_name) == (93119, "sysadmin@ACME")


def test_it_answers_404_for_an_unknown_client(api):
    response = api("sysadmin").get(f"{URL}/info?client=5")

    assert response.status_code == 404
    assert response.json() == {"errorCode": 203, "errorMessage": "Client not found"}


# --- info.lastModified ----------------------------------------------------------------------


def last_modified(caller, client="") -> int:
    response = caller.get(f"{URL}/info{client}")
    assert response.status_code == 200
    return response.json().get("lastModified", 0)


def test_last_modified_moves_with_every_change(api, strategy_a):
    caller = api("manager_with_strategies_power")
    outcome = strategy_a.outcomes.get()
    changes = [
        ("create", "POST", URL, {"name": "New", "dialingSequenceItem": [1]}),
        ("update", "POST", f"{URL}/{strategy_a.pk}", {"name": "Renamed"}),
        ("add outcome", "POST", f"{URL}/{strategy_a.pk}/outcomes", {"lvResultId": 320}),
        (
            "update outcome",
            "PUT",
            f"{URL}/{strategy_a.pk}/outcomes/{outcome.pk}",
            {"requeue": True},
        ),
        ("remove outcome", "DELETE", f"{URL}/{strategy_a.pk}/outcomes/{outcome.pk}", None),
        ("remove all outcomes", "DELETE", f"{URL}/{strategy_a.pk}/outcomes", None),
        ("add service", "PUT", f"{URL}/{strategy_a.pk}/services/20575", None),
        ("remove service", "DELETE", f"{URL}/{strategy_a.pk}/services/20575", None),
        ("remove all services", "DELETE", f"{URL}/{strategy_a.pk}/services", None),
        ("delete", "DELETE", f"{URL}/{strategy_a.pk}", None),
    ]
    previous = last_modified(caller)

    for name, method, path, body in changes:
        time.sleep(0.002)  # audit timestamps have millisecond resolution on the wire
        response = caller.call(method, path, body)
        assert response.status_code in (201, 204), (name, response.content)
        now = last_modified(caller)
        assert now > previous, name
        previous = now
    assert caller.get(f"{URL}/info").json() == {"size": 1, "lastModified": previous}


def test_last_modified_stays_for_a_failed_change_and_another_clients_change(api, strategy_a):
    caller = api("manager_with_strategies_power")
    caller.post(URL, {"name": "First", "dialingSequenceItem": [1]})
    before = last_modified(caller)
    time.sleep(0.002)

    caller.post(URL, {"name": "First", "dialingSequenceItem": [1]})  # duplicate name
    caller.put(f"{URL}/{strategy_a.pk}/services/20180")  # already assigned
    api("outsider").post(URL, {"name": "Elsewhere", "dialingSequenceItem": [1]})

    assert last_modified(caller) == before
    assert last_modified(api("outsider")) > before
