"""Permission rows for /configuration/dialingStrategies: every route, every role."""

from strategies.models import DialingStrategy, Outcome

from .matrix import rows_for

URL = "/configuration/dialingStrategies"
STRATEGY = URL + "/{strat_a}"
ALLOWED = ["sysadmin", "superuser", "it_user", "manager_with_strategies_power"]
DENIED = ["manager", "manager_with_dnc_power", "agent"]


def setup(client_a, client_b, persona) -> dict:
    found = {}
    for key, client, service in (("a", client_a, 20180), ("b", client_b, 93126)):
        strategy = DialingStrategy.objects.create(
            client=client, name=f"Matrix {key}", dialing_sequence=[1, 2]
        )
        strategy.services.add(service)
        found[f"strat_{key}"] = strategy.pk
        found[f"outcome_{key}"] = Outcome.objects.create(strategy=strategy, result_id=320).pk
    return found


def _expect(success: int, outsider: int) -> dict:
    expected = dict.fromkeys(ALLOWED, success)
    expected.update(dict.fromkeys(DENIED, 403))
    expected.update({None: 401, "outsider": outsider, "outsider_sysadmin": outsider})
    return expected


def _on_a(method: str, path: str, success: int, body=None) -> list:
    # Client B's users do not see client A's strategy: 404, as if it did not exist.
    return rows_for(method, path, _expect(success, 404), body, agent_expected=403)


def _collection(method: str, path: str, success: int, body=None) -> list:
    # Client B's users get their own client's answer.
    return rows_for(method, path, _expect(success, success), body, agent_expected=403)


ROWS = [
    *_collection("GET", URL + "?offset=0&count=5", 200),
    *_collection("GET", URL + "/info", 200),
    *_collection("POST", URL, 201, {"name": "Matrix new", "dialingSequenceItem": [1]}),
    *_on_a("GET", STRATEGY, 200),
    *_on_a("POST", STRATEGY, 204, {"name": "Renamed"}),
    *_on_a("DELETE", STRATEGY, 204),
    *_on_a("POST", STRATEGY + "/outcomes", 201, {"lvResultId": 316}),
    *_on_a("DELETE", STRATEGY + "/outcomes", 204),
    *_on_a("PUT", STRATEGY + "/outcomes/{outcome_a}", 204, {"requeue": True}),
    *_on_a("DELETE", STRATEGY + "/outcomes/{outcome_a}", 204),
    *_on_a("DELETE", STRATEGY + "/services", 204),
    *_on_a("PUT", STRATEGY + "/services/20575", 204),
    *_on_a("DELETE", STRATEGY + "/services/20180", 204),
    *_on_a("PUT", "/configuration/dialngStrategies/{strat_a}/services/20575", 204),
    *_on_a("GET", "/configuration/v6.0/dialingStrategies/{strat_a}/", 200),
    # Acting for another client: Sysadmins only.
    *rows_for(
        "GET",
        URL + "?client=93119&offset=0&count=5",
        {"sysadmin": 200, "superuser": 403, "it_user": 403, "manager_with_strategies_power": 403},
    ),
    *rows_for(
        "GET",
        URL + "?client=4199&offset=0&count=5",
        {"outsider_sysadmin": 200, "outsider": 403, "superuser": 200},
    ),
    *rows_for("GET", STRATEGY + "?client=4199", {"outsider_sysadmin": 200, "outsider": 403}),
]
