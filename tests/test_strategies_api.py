"""Dialing Strategies API: every example of the spec, compared as whole bodies."""

import json

import pytest

from livevox_site.models import AuditEntry
from strategies.demo import seed_strategies
from strategies.models import ClientStrategies, DialingStrategy, Outcome

URL = "/configuration/dialingStrategies"
EXISTS = {"errorCode": 201, "errorMessage": "Element already exists"}
NOT_FOUND = {"errorCode": 203, "errorMessage": "Entry not found"}

# The spec's "Create a new Dialing Strategy" request, verbatim.
FOR_DOCUMENTATION = {
    "name": "For Documentation",
    "dialingSequenceItem": [1, 3, 2],
    "service": [{"id": 20180}, {"id": 18892}],
    "outcomeItem": [
        {
            "lvResultId": 316,
            "dialAnotherNumber": "false",
            "maxNumberOfRetries": 1,
            "retryDelay": 10,
            "requeue": "false",
        },
        {
            "lvResultId": 476,
            "dialAnotherNumber": "true",
            "maxNumberOfRetries": 2,
            "retryDelay": 5,
            "requeue": "true",
        },
    ],
}


def outcome_ids(strategy_id: int) -> list[int]:
    return list(
        Outcome.objects.filter(strategy_id=strategy_id).order_by("id").values_list("id", flat=True)
    )


@pytest.fixture
def documentation(power) -> int:
    response = power.post(f"{URL}?client=4199", FOR_DOCUMENTATION)
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def custom_requeue(client_a) -> int:
    seed_strategies()
    return DialingStrategy.objects.get(client=client_a, name="Custom Requeue").pk


def test_it_creates_the_spec_example_and_reads_it_back(power):
    response = power.post(f"{URL}?client=4199", FOR_DOCUMENTATION)

    assert response.status_code == 201
    strategy_id = DialingStrategy.objects.get(name="For Documentation").pk
    assert response.content == f'{{"id":{strategy_id}}}'.encode()
    first, second = outcome_ids(strategy_id)
    read = power.get(f"{URL}/{strategy_id}")
    assert read.status_code == 200
    assert read.json() == {
        "service": [{"id": 20180}, {"id": 18892}],
        "dialingSequenceItem": [1, 3, 2],
        "outcomeItem": [
            {
                "outcomeId": first,
                "lvResultId": 316,
                "dialAnotherNumber": False,
                "maxNumberOfRetries": 1,
                "retryDelay": 10,
                "requeue": False,
            },
            {
                "outcomeId": second,
                "lvResultId": 476,
                "dialAnotherNumber": True,
                "maxNumberOfRetries": 2,
                "retryDelay": 5,
                "requeue": True,
            },
        ],
        "id": strategy_id,
        "name": "For Documentation",
    }


def test_it_answers_read_with_the_keys_in_the_spec_order(power, documentation):
    raw = power.get(f"{URL}/{documentation}").content.decode()

    assert raw.startswith('{"service":[{"id":20180},{"id":18892}],"dialingSequenceItem":[1,3,2],')
    assert list(json.loads(raw)) == ["service", "dialingSequenceItem", "outcomeItem", "id", "name"]
    assert list(json.loads(raw)["outcomeItem"][0]) == [
        "outcomeId",
        "lvResultId",
        "dialAnotherNumber",
        "maxNumberOfRetries",
        "retryDelay",
        "requeue",
    ]


def test_it_reads_the_custom_requeue_example(power, custom_requeue):
    o339, o320, o742 = outcome_ids(custom_requeue)

    response = power.get(f"{URL}/7957")

    assert custom_requeue == 7957
    assert response.status_code == 200
    # The spec's example, without the lines it elides ("...").
    assert response.json() == {
        "service": [{"id": 17797}, {"id": 17885}, {"id": 26881}, {"id": 20575}],
        "dialingSequenceItem": [1, 4],
        "outcomeItem": [
            {
                "outcomeId": o339,
                "lvResultId": 339,
                "dialAnotherNumber": False,
                "maxNumberOfRetries": 0,
                "retryDelay": 0,
                "requeue": True,
            },
            {
                "outcomeId": o320,
                "lvResultId": 320,
                "dialAnotherNumber": True,
                "maxNumberOfRetries": 0,
                "retryDelay": 0,
                "requeue": True,
            },
            {
                "outcomeId": o742,
                "lvResultId": 742,
                "dialAnotherNumber": False,
                "maxNumberOfRetries": 0,
                "retryDelay": 10,
                "requeue": True,
            },
        ],
        "id": 7957,
        "name": "Custom Requeue",
    }


def test_it_lists_strategies_with_their_services_as_the_example(power, custom_requeue):
    landlines = power.post(URL, {"name": "Landlines and POE", "dialingSequenceItem": [1]}).json()

    response = power.get(f"{URL}?client=4199&offset=0&count=20")

    assert response.status_code == 200
    assert response.json() == {
        "strategy": [
            {
                "service": [{"id": 17797}, {"id": 17885}, {"id": 26881}, {"id": 20575}],
                "id": 7957,
                "name": "Custom Requeue",
            },
            {"service": [{"id": 20180}, {"id": 18892}], "id": 30953, "name": "For Documentation"},
            {"service": [], "id": landlines["id"], "name": "Landlines and POE"},
        ],
        "next": None,
    }
    assert response.content.startswith(b'{"strategy":[{"service":[{"id":17797},')


def test_it_lists_in_pages_with_a_relative_versioned_next_link(power, client_a):
    ids = [
        power.post(URL, {"name": f"S{n}", "dialingSequenceItem": [1]}).json()["id"]
        for n in range(5)
    ]

    first = power.get("/configuration/v6.0/dialingStrategies/?offset=0&count=2")
    last = power.get("/configuration/v6.0/dialingStrategies?offset=4&count=2")

    assert first.status_code == 200
    assert first.json() == {
        "strategy": [
            {"service": [], "id": ids[0], "name": "S0"},
            {"service": [], "id": ids[1], "name": "S1"},
        ],
        "next": "configuration/v6.0/dialingStrategies?offset=2&count=2",
    }
    assert last.json() == {"strategy": [{"service": [], "id": ids[4], "name": "S4"}], "next": None}
    plain = power.get(f"{URL}?client=4199&offset=2&count=2").json()
    assert plain["next"] == "configuration/dialingStrategies?offset=4&count=2&client=4199"


def test_it_caps_count_at_1000(power, client_a, settings):
    DialingStrategy.objects.bulk_create(
        DialingStrategy(client=client_a, name=f"S{n}", dialing_sequence=[1]) for n in range(1001)
    )

    response = power.get(f"{URL}?offset=0&Count=5000")

    assert len(response.json()["strategy"]) == 1000
    assert response.json()["next"] == "configuration/dialingStrategies?offset=1000&count=1000"


@pytest.mark.parametrize(
    ("query", "field"),
    [("count=5", "offset"), ("offset=0", "count"), ("offset=0&count=", "count"), ("", "offset")],
)
def test_it_requires_offset_and_count(power, query, field):
    response = power.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json() == {"errorCode": 202, "errorMessage": f"{field} is required"}


@pytest.mark.parametrize("query", ["offset=-1&count=5", "offset=0&count=0", "offset=a&count=5"])
def test_it_rejects_bad_paging_values(power, query):
    response = power.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json()["errorCode"] == 202


def test_it_lists_nothing_for_a_client_without_strategies(power):
    response = power.get(f"{URL}?offset=0&count=20")

    assert response.json() == {"strategy": [], "next": None}


def test_it_gives_list_info(power, custom_requeue):
    created = AuditEntry.objects.filter(client_id=4199).order_by("-at").first().at

    response = power.get(f"{URL}/info?client=4199")

    assert response.status_code == 200
    assert response.json() == {"size": 2, "lastModified": int(created.timestamp() * 1000)}


def test_it_leaves_last_modified_out_when_nothing_ever_changed(power):
    response = power.get(f"{URL}/info")

    assert response.json() == {"size": 0}


def test_it_updates_name_and_sequence_as_the_example(power, documentation):
    response = power.post(
        f"{URL}/{documentation}", {"dialingSequenceItem": [20, 11], "name": "Documentation"}
    )

    assert response.status_code == 204
    assert response.content == b""
    read = power.get(f"{URL}/{documentation}").json()
    assert (read["name"], read["dialingSequenceItem"]) == ("Documentation", [20, 11])
    assert read["service"] == [{"id": 20180}, {"id": 18892}]
    assert len(read["outcomeItem"]) == 2


@pytest.mark.parametrize(
    ("body", "name", "sequence"),
    [
        ({"name": "Renamed"}, "Renamed", [1, 3, 2]),
        ({"dialingSequenceItem": ["2", 1]}, "For Documentation", [2, 1]),
        ({"name": None, "dialingSequenceItem": None, "id": 0}, "For Documentation", [1, 3, 2]),
        ({"name": "For Documentation"}, "For Documentation", [1, 3, 2]),
    ],
)
def test_it_updates_only_what_is_given(power, documentation, body, name, sequence):
    response = power.post(f"{URL}/{documentation}", body)

    assert response.status_code == 204
    strategy = DialingStrategy.objects.get(pk=documentation)
    assert (strategy.name, strategy.dialing_sequence) == (name, sequence)


def test_it_deletes_a_strategy_with_its_outcomes(power, documentation, client_a):
    ClientStrategies.objects.create(client=client_a, default_dialing_strategy_id=documentation)

    response = power.delete(f"{URL}/{documentation}")

    assert response.status_code == 204
    assert response.content == b""
    assert not DialingStrategy.objects.filter(pk=documentation).exists()
    assert not Outcome.objects.filter(strategy_id=documentation).exists()
    assert ClientStrategies.objects.get(client=client_a).default_dialing_strategy is None
    entry = AuditEntry.objects.get(action="strategies.strategy.deleted")
    assert entry.details == {"clientFieldsCleared": ["default_dialing_strategy"]}
    assert entry.before["name"] == "For Documentation"
    assert power.get(f"{URL}/{documentation}").json() == NOT_FOUND


def test_it_adds_an_outcome_as_the_example(power, documentation):
    response = power.post(
        f"{URL}/{documentation}/outcomes",
        {
            "lvResultId": 320,
            "dialAnotherNumber": "true",
            "maxNumberOfRetries": 1,
            "retryDelay": 3,
            "requeue": "false",
        },
    )

    assert response.status_code == 201
    new_id = outcome_ids(documentation)[-1]
    assert response.json() == {"id": new_id}
    assert power.get(f"{URL}/{documentation}").json()["outcomeItem"][-1] == {
        "outcomeId": new_id,
        "lvResultId": 320,
        "dialAnotherNumber": True,
        "maxNumberOfRetries": 1,
        "retryDelay": 3,
        "requeue": False,
    }


def test_it_refuses_an_outcome_already_there(power, documentation):
    response = power.post(f"{URL}/{documentation}/outcomes", {"lvResultId": "316"})

    assert response.status_code == 400
    assert response.content == b'{"errorCode":201,"errorMessage":"Element already exists"}'
    assert len(outcome_ids(documentation)) == 2


def test_it_updates_an_outcome_as_the_example_leaving_null_unchanged(power, documentation):
    first, _ = outcome_ids(documentation)

    response = power.put(
        f"{URL}/{documentation}/outcomes/{first}",
        {"dialAnotherNumber": True, "maxNumberOfRetries": 20, "retryDelay": None, "requeue": False},
    )

    assert response.status_code == 204
    assert response.content == b""
    assert power.get(f"{URL}/{documentation}").json()["outcomeItem"][0] == {
        "outcomeId": first,
        "lvResultId": 316,
        "dialAnotherNumber": True,
        "maxNumberOfRetries": 20,
        "retryDelay": 10,
        "requeue": False,
    }


def test_it_updates_one_outcome_key_only(power, documentation):
    _, second = outcome_ids(documentation)

    response = power.put(f"{URL}/{documentation}/outcomes/{second}", {"retryDelay": "7"})

    assert response.status_code == 204
    outcome = Outcome.objects.get(pk=second)
    assert (outcome.dial_another_number, outcome.max_number_of_retries) == (True, 2)
    assert (outcome.retry_delay, outcome.requeue, outcome.result_id) == (7, True, 476)


def test_it_deletes_one_outcome(power, documentation):
    first, second = outcome_ids(documentation)

    response = power.delete(f"{URL}/{documentation}/outcomes/{first}")

    assert (response.status_code, response.content) == (204, b"")
    assert outcome_ids(documentation) == [second]
    again = power.delete(f"{URL}/{documentation}/outcomes/{first}")
    assert (again.status_code, again.json()) == (404, NOT_FOUND)


def test_it_deletes_all_outcomes(power, documentation):
    response = power.delete(f"{URL}/{documentation}/outcomes")

    assert (response.status_code, response.content) == (204, b"")
    assert outcome_ids(documentation) == []
    entry = AuditEntry.objects.get(action="strategies.outcome.deleted_all")
    assert entry.details == {"strategy": documentation, "count": 2}


def test_it_does_not_find_an_outcome_of_another_strategy(power, documentation, custom_requeue):
    other = outcome_ids(custom_requeue)[0]

    for method in ("PUT", "DELETE"):
        response = power.call(method, f"{URL}/{documentation}/outcomes/{other}", {"requeue": 1})
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    for bad in ("abc", "99999999999999999999", "-3"):
        assert power.put(f"{URL}/{documentation}/outcomes/{bad}", {}).json() == NOT_FOUND


def test_it_adds_a_service_as_the_example_including_the_misspelled_path(power, documentation):
    response = power.put(f"/configuration/dialngStrategies/{documentation}/services/20575")

    assert (response.status_code, response.content) == (204, b"")
    again = power.put(f"{URL}/{documentation}/services/20575")
    assert again.status_code == 400
    assert again.content == b'{"errorCode":201,"errorMessage":"Element already exists"}'
    power.put(f"{URL}/{documentation}/services/30853")
    assert power.get(f"{URL}/{documentation}").json()["service"] == [
        {"id": 20180},
        {"id": 18892},
        {"id": 20575},
        {"id": 30853},
    ]


@pytest.mark.parametrize("service", ["93126", "99999", "abc", "99999999999999999999", "-1"])
def test_it_does_not_find_a_service_outside_the_client(power, documentation, client_b, service):
    for method in ("PUT", "DELETE"):
        response = power.call(method, f"{URL}/{documentation}/services/{service}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_it_removes_one_service(power, documentation):
    response = power.delete(f"{URL}/{documentation}/services/20180")

    assert (response.status_code, response.content) == (204, b"")
    assert power.get(f"{URL}/{documentation}").json()["service"] == [{"id": 18892}]
    not_assigned = power.delete(f"{URL}/{documentation}/services/20180")
    assert (not_assigned.status_code, not_assigned.json()) == (404, NOT_FOUND)


def test_it_removes_all_services(power, documentation):
    response = power.delete(f"{URL}/{documentation}/services/")

    assert (response.status_code, response.content) == (204, b"")
    assert power.get(f"{URL}/{documentation}").json()["service"] == []
    assert len(power.get(f"{URL}/{documentation}").json()["outcomeItem"]) == 2


def test_it_answers_404_for_a_missing_or_malformed_strategy(power, client_a):
    for path in (f"{URL}/123456", f"{URL}/abc", f"{URL}/99999999999999999999"):
        response = power.get(path)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_it_answers_405_for_a_method_the_route_lacks(power, documentation):
    response = power.put(f"{URL}/{documentation}", {"name": "x"})

    assert response.status_code == 405
    assert set(response.json()) == {"errorCode", "errorMessage"}


def test_it_accepts_a_versioned_path_with_a_trailing_slash(power, documentation):
    response = power.get(f"/configuration/v6.0/dialingStrategies/{documentation}/")

    assert response.status_code == 200
    assert response.json()["id"] == documentation
