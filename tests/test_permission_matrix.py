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


def _wire_routes(resolver=None, prefix="") -> list[str]:
    routes = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            routes += _wire_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if WIRE.match(route):
                routes.append(route)
    return routes


def _route_regex(route: str) -> re.Pattern:
    # "configuration/dialingStrategies/<int:pk>" -> matches "configuration/dialingStrategies/{x}"
    return re.compile("^" + re.sub(r"<[^>]+>", r"[^/?]+", route.lstrip("^").rstrip("$")) + "$")


def test_every_wire_route_has_rows():
    paths = {row.path.split("?")[0].lstrip("/") for row in ROWS}
    missing = [
        route
        for route in _wire_routes()
        if not any(_route_regex(route).match(path) for path in paths)
    ]
    assert missing == []
