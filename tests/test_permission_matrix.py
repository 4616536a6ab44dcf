"""Every (method, path, who) row of every app, run through a real LiveVox session."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from . import (
    matrix_dnc,
    matrix_dnc_legacy,
    matrix_dnc_lists,
    matrix_profiles,
    matrix_recordings,
    matrix_site,
    matrix_strategies,
)
from .matrix import Row

APPS = [
    matrix_site,
    matrix_strategies,
    matrix_profiles,
    matrix_recordings,
    matrix_dnc,
    matrix_dnc_legacy,
    matrix_dnc_lists,
]
ROWS: list[Row] = [row for app in APPS for row in app.ROWS]
WIRE = re.compile(r"^(session|configuration|compliance)/")


@pytest.fixture
def objects(client_a, client_b, persona) -> dict:
    found: dict = {}
    for app in APPS:
        found.update(app.setup(client_a, client_b, persona))
    return found


@pytest.mark.parametrize("row", ROWS, ids=Row.id)
def test_it_answers_each_role_as_the_matrix_says(row: Row, objects, api):
    response = api(row.who, agent=row.agent).call(row.method, row.path.format(**objects), row.body)
    assert response.status_code == row.status, response.content


def _wire_routes(resolver=None, prefix="") -> list[tuple[str, object]]:
    routes = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            routes += _wire_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if WIRE.match(route):
                routes.append((route, entry.callback))
    return routes


def _methods(callback) -> set[str]:
    """The HTTP methods a route answers (a viewset route: its actions; a view: its handlers),
    OPTIONS and HEAD aside."""
    actions = getattr(callback, "actions", None)
    if actions:
        # DRF adds "head" to a route's actions once it has answered a GET: left out here.
        return {method.upper() for method in actions if method not in ("options", "head")}
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return {
        method.upper()
        for method in getattr(view, "http_method_names", ())
        if method not in ("options", "head") and hasattr(view, method)
    }


def _route_regex(route: str) -> re.Pattern:
    # "configuration/dialingStrategies/<int:pk>" -> matches "configuration/dialingStrategies/{x}"
    return re.compile("^" + re.sub(r"<[^>]+>", r"[^/?]+", route.lstrip("^").rstrip("$")) + "$")


def test_every_wire_route_has_rows_for_each_of_its_methods():
    # Keyed by method and route: a route that answers GET and DELETE needs rows for both.
    paths = {(row.method, row.path.split("?")[0].lstrip("/")) for row in ROWS}
    missing = [
        f"{method} {route}"
        for route, callback in _wire_routes()
        for method in sorted(_methods(callback))
        if not any(
            method == row_method and _route_regex(route).match(path) for row_method, path in paths
        )
    ]
    assert missing == []


IS_BLOCKED_ROWS = [row for row in ROWS if "/isBlocked" in row.path and row.method == "GET"]


@pytest.mark.parametrize("row", IS_BLOCKED_ROWS, ids=Row.id)
def test_isblocked_answers_each_role_the_same_from_its_lean_path(row: Row, objects, api):
    # The first call fills the per-process session cache; the second is answered by the lean
    # path (HotPathMiddleware) from it: its own permission check, tried persona by persona.
    caller = api(row.who, agent=row.agent)
    path = row.path.format(**objects)
    first = caller.call(row.method, path, row.body)
    second = caller.call(row.method, path, row.body)
    assert (first.status_code, second.status_code) == (row.status, row.status)
    assert first.content == second.content
