"""Dialing strategy services beyond the wire examples: races, audit, queries, demo seed,
the OpenAPI schema."""

import json
from unittest import mock

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from livevox_site.audit import Actor
from livevox_site.models import AuditEntry
from strategies import selectors, services
from strategies.demo import seed_strategies
from strategies.models import DialingStrategy, Outcome
from strategies.views import INFO_OBJECT_TYPES

URL = "/configuration/dialingStrategies"
EXISTS = b'{"errorCode":201,"errorMessage":"Element already exists"}'


@pytest.fixture
def strategy(client_a) -> DialingStrategy:
    strategy = DialingStrategy.objects.create(client=client_a, name="S", dialing_sequence=[1])
    strategy.services.add(20180)
    Outcome.objects.create(strategy=strategy, result_id=320)
    return strategy


def lose_the_race_for(model):
    """Make the duplicate check of ``model`` see nothing, as when another request inserts the
    same row between the check and the insert."""
    real = QuerySet.exists

    def exists(self):
        return False if self.model is model else real(self)

    return mock.patch.object(QuerySet, "exists", exists)


def test_a_race_on_a_duplicate_outcome_answers_element_already_exists(power, strategy):
    with lose_the_race_for(Outcome):
        response = power.post(f"{URL}/{strategy.pk}/outcomes", {"lvResultId": 320})

    assert (response.status_code, response.content) == (400, EXISTS)
    assert strategy.outcomes.count() == 1


def test_a_race_on_a_duplicate_service_answers_element_already_exists(power, strategy):
    from livevox_site.models import Service

    with lose_the_race_for(Service):
        response = power.put(f"{URL}/{strategy.pk}/services/20180")

    assert (response.status_code, response.content) == (400, EXISTS)
    assert strategy.services.count() == 1


def test_a_race_on_a_duplicate_name_answers_invalid_name(power, strategy):
    with lose_the_race_for(DialingStrategy):
        response = power.post(URL, {"name": "S", "dialingSequenceItem": [1]})

    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "name: a dialing strategy named 'S' exists",
    }
    assert DialingStrategy.objects.count() == 1


def test_every_api_change_is_audited_with_the_session(power, strategy):
    outcome = strategy.outcomes.get()
    calls = [
        ("POST", URL, {"name": "T", "dialingSequenceItem": [1]}, "strategies.strategy.created"),
        ("POST", f"{URL}/{strategy.pk}", {"name": "U"}, "strategies.strategy.updated"),
        (
            "POST",
            f"{URL}/{strategy.pk}/outcomes",
            {"lvResultId": 316},
            "strategies.outcome.created",
        ),
        (
            "PUT",
            f"{URL}/{strategy.pk}/outcomes/{outcome.pk}",
            {"retryDelay": 4},
            "strategies.outcome.updated",
        ),
        (
            "DELETE",
            f"{URL}/{strategy.pk}/outcomes/{outcome.pk}",
            None,
            "strategies.outcome.deleted",
        ),
        ("DELETE", f"{URL}/{strategy.pk}/outcomes", None, "strategies.outcome.deleted_all"),
        ("PUT", f"{URL}/{strategy.pk}/services/20575", None, "strategies.strategy.service_added"),
        (
            "DELETE",
            f"{URL}/{strategy.pk}/services/20575",
            None,
            "strategies.strategy.service_removed",
        ),
        (
            "DELETE",
            f"{URL}/{strategy.pk}/services",
            None,
            "strategies.strategy.services_removed_all",
        ),
        ("DELETE", f"{URL}/{strategy.pk}", None, "strategies.strategy.deleted"),
    ]

    for method, path, body, action in calls:
        count = AuditEntry.objects.count()
        assert power.call(method, path, body).status_code in (201, 204), action
        entry = AuditEntry.objects.order_by("-id").first()
        assert AuditEntry.objects.count() == count + 1
        assert entry.action == action
        assert entry.object_type in INFO_OBJECT_TYPES
        assert (entry.client_id, entry.source) == (4199, "api")
        assert entry.actor_name == "manager_with_strategies_power@ACME"
        assert entry.actor_session == power.session_id[:8]


def test_an_update_that_changes_nothing_writes_no_entry(power, strategy):
    outcome = strategy.outcomes.get()

    power.post(f"{URL}/{strategy.pk}", {"name": "S", "dialingSequenceItem": [1]})
    power.put(f"{URL}/{strategy.pk}/outcomes/{outcome.pk}", {"requeue": False})
    empty = DialingStrategy.objects.create(client=strategy.client, name="E", dialing_sequence=[1])
    assert power.delete(f"{URL}/{empty.pk}/outcomes").status_code == 204
    assert power.delete(f"{URL}/{empty.pk}/services").status_code == 204

    assert not AuditEntry.objects.filter(object_type__in=INFO_OBJECT_TYPES).exists()


def test_the_audit_entry_of_an_outcome_change_has_before_and_after(power, strategy):
    outcome = strategy.outcomes.get()

    power.put(f"{URL}/{strategy.pk}/outcomes/{outcome.pk}", {"maxNumberOfRetries": "3"})

    entry = AuditEntry.objects.get(object_type="strategies.outcome")
    common = {
        "outcomeId": outcome.pk,
        "strategyId": strategy.pk,
        "lvResultId": 320,
        "dialAnotherNumber": False,
        "retryDelay": 0,
        "requeue": False,
    }
    assert entry.before == {**common, "maxNumberOfRetries": 0}
    assert entry.after == {**common, "maxNumberOfRetries": 3}


def test_list_queries_do_not_grow_with_the_page(power, client_a):
    def list_queries(total: int) -> int:
        for n in range(DialingStrategy.objects.count(), total):
            made = DialingStrategy.objects.create(
                client=client_a, name=f"N{n}", dialing_sequence=[1]
            )
            made.services.add(20180, 18892)
            Outcome.objects.create(strategy=made, result_id=320)
        power.get(f"{URL}/info")  # warm the per-process permission cache
        with CaptureQueriesContext(connection) as queries:
            response = power.get(f"{URL}?offset=0&count=100")
        assert len(response.json()["strategy"]) == total
        return len(queries)

    assert list_queries(2) == list_queries(30)


def test_read_queries_do_not_grow_with_outcomes(power, strategy):
    # Warms the per-process permission cache and, on PostgreSQL, the connection's prepared
    # statements (livevox_site/rawsql.py).
    power.get(f"{URL}/{strategy.pk}")
    with CaptureQueriesContext(connection) as few:
        power.get(f"{URL}/{strategy.pk}")
    for result_id in (301, 305, 310, 316):
        Outcome.objects.create(strategy=strategy, result_id=result_id)
    strategy.services.add(18892, 17797)
    with CaptureQueriesContext(connection) as many:
        body = power.get(f"{URL}/{strategy.pk}").json()

    assert len(body["outcomeItem"]) == 5
    assert len(few) == len(many) == 2  # the session lookup, then the read


def test_the_read_answers_what_the_orm_read_answers(power, strategy):
    # selectors.strategy_read (raw SQL, the API) and strategy_detail (the ORM, the admin's
    # export) give the same body, key order and JSON types included.
    for result_id, retries, requeue in ((316, 2, True), (301, 0, False), (476, 5, True)):
        Outcome.objects.create(
            strategy=strategy,
            result_id=result_id,
            dial_another_number=not requeue,
            max_number_of_retries=retries,
            retry_delay=retries * 10,
            requeue=requeue,
        )
    strategy.services.add(26881, 17797)
    strategy.dialing_sequence = [3, 1, 2]
    strategy.save()

    response = power.get(f"{URL}/{strategy.pk}")

    assert response.status_code == 200
    # json.dumps tells true from 1, which == does not.
    assert json.dumps(response.json()) == json.dumps(selectors.strategy_detail(strategy))
    assert [item["lvResultId"] for item in response.json()["outcomeItem"]] == [320, 316, 301, 476]


def test_demo_seed_creates_the_examples_once(client_a):
    created = seed_strategies()
    again = seed_strategies()

    assert [(s.pk, s.name) for s in created] == [
        (7957, "Custom Requeue"),
        (30953, "For Documentation"),
    ]
    assert again == []
    assert DialingStrategy.objects.count() == 2
    assert AuditEntry.objects.filter(action="strategies.strategy.created").count() == 2
    documentation = DialingStrategy.objects.get(pk=30953)
    assert documentation.dialing_sequence == [1, 3, 2]
    assert list(documentation.outcomes.values_list("result_id", flat=True)) == [316, 476]
    # Ids given explicitly move the sequence on: the next strategy does not collide.
    later = services.strategy_create(
        actor=Actor.command("test"), client=client_a, name="Later", dialing_sequence=[1]
    )
    assert later.pk > 30953


def test_demo_seed_does_nothing_without_the_demo_client(db):
    assert seed_strategies() == []


def test_duplicate_service_keeps_a_long_name_within_bounds(client_a):
    original = DialingStrategy.objects.create(client=client_a, name="x" * 200, dialing_sequence=[1])

    first = services.strategy_duplicate(actor=Actor.command("test"), strategy=original)
    second = services.strategy_duplicate(actor=Actor.command("test"), strategy=original)

    assert len(first.name) <= 200 and len(second.name) <= 200
    assert first.name != second.name
    assert first.name.endswith("(copy)") and second.name.endswith("(copy 2)")


def test_the_schema_documents_the_real_bodies():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    components = schema["components"]["schemas"]

    assert set(paths) >= {
        "/configuration/dialingStrategies",
        "/configuration/dialingStrategies/info",
        "/configuration/dialingStrategies/{id}",
        "/configuration/dialingStrategies/{id}/outcomes",
        "/configuration/dialingStrategies/{id}/outcomes/{outcome}",
        "/configuration/dialingStrategies/{id}/services",
        "/configuration/dialingStrategies/{id}/services/{service}",
    }
    assert not any("dialngStrategies" in path for path in paths)
    create = paths["/configuration/dialingStrategies"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StrategyCreateRequest"
    }
    assert list(components["StrategyCreateRequest"]["properties"]) == [
        "name",
        "service",
        "dialingSequenceItem",
        "outcomeItem",
    ]
    assert list(components["StrategyRead"]["properties"]) == [
        "service",
        "dialingSequenceItem",
        "outcomeItem",
        "id",
        "name",
    ]
    assert "204" in paths["/configuration/dialingStrategies/{id}"]["post"]["responses"]
    listing = paths["/configuration/dialingStrategies"]["get"]["responses"]["200"]
    # A list answers one object with the page and the next link, not a bare array.
    assert listing["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StrategyList"
    }
