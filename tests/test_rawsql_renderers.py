"""``rawsql.one_of`` (one parameter for any number of values) and the orjson renderer of the
largest answers."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from livevox_site.models import Service
from livevox_site.rawsql import one_of
from livevox_site.renderers import LargeJSONRenderer


def ids_where(sql: str, params: list) -> list[int]:
    table = Service._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {sql} ORDER BY id", params)  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_one_of_matches_integers_and_strings(client_a):
    services = sorted(Service.objects.filter(client=client_a).values_list("id", "name"))
    (first_id, first_name), (second_id, _) = services[0], services[1]

    assert ids_where(*one_of("id", [second_id, first_id, 10**12])) == [first_id, second_id]
    assert ids_where(*one_of("name", [first_name, "nobody's"])) == [first_id]


def test_one_of_no_values_matches_nothing_whatever_the_column(client_a):
    assert ids_where(*one_of("id", [])) == []
    assert ids_where(*one_of("name", [])) == []


@pytest.mark.parametrize("values", [[1, "1"], [True, False], [1.5]])
def test_one_of_refuses_values_it_cannot_type(values):
    with pytest.raises(TypeError):
        one_of("id", values)


def render(renderer, data, accepted="application/json") -> bytes:
    return renderer.render(data, accepted, {})


def test_plain_values_render_as_drf_renders_them():
    data = {"results": [{"allowed": False, "reasons": [{"id": 3, "ü": "é"}], "n": None}] * 3}
    fast = render(LargeJSONRenderer(), data)
    assert json.loads(fast) == json.loads(render(JSONRenderer(), data)) == data


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 24, 3, 4, 5, 678901, tzinfo=UTC),  # DRF writes milliseconds and Z
        Decimal("1.10"),
        ErrorDetail("a str subclass", code="invalid"),
    ],
)
def test_other_values_are_drfs_bytes(value):
    data = {"results": [{"value": value}]}
    assert render(LargeJSONRenderer(), data) == render(JSONRenderer(), data)


def test_indented_output_is_drfs():
    data = {"a": [1, 2]}
    indented = "application/json; indent=2"
    assert render(LargeJSONRenderer(), data, indented) == render(JSONRenderer(), data, indented)
    assert b"\n" in render(LargeJSONRenderer(), data, indented)


def test_skip_health_check_spares_the_select_1_of_a_request_s_first_query(db):
    """Django's health check flag, behind rawsql.skip_health_check: if an upgrade renames it or
    stops reading it, this fails (the hot path would send a SELECT 1 before its statement)."""
    from django.db import connections

    from livevox_site import rawsql

    db = connections["default"]
    db.ensure_connection()
    checks = []
    saved = db.health_check_enabled, db.health_check_done
    db.is_usable = lambda: checks.append(1) or True  # an instance attribute, removed below
    try:
        db.health_check_enabled = True
        db.health_check_done = False  # what every request's start does
        db.close_if_health_check_failed()
        assert checks == [1]  # the check Django makes by itself

        db.health_check_done = False
        rawsql.skip_health_check(db)
        db.close_if_health_check_failed()
        with db.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert checks == [1]  # none after skip_health_check
    finally:
        del db.is_usable
        db.health_check_enabled, db.health_check_done = saved
