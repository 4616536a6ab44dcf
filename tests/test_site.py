"""Site-wide pages: health check, OpenAPI schema and the self-hosted API docs."""

import re
from unittest import mock

import pytest
from django.contrib.staticfiles import finders


def test_it_reports_health(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_it_reports_an_unavailable_database(client, db):
    from django.db import connection

    def broken():
        raise RuntimeError("down")

    with mock.patch.object(connection, "cursor", broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "database unavailable"}


def test_it_serves_the_schema_with_the_session_routes(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    for route in (
        "/session/login",
        "/session/validate",
        "/session/validate/{sessionId}",
        "/session/logout/{sessionId}",
        "/session/password",
    ):
        assert route in schema["paths"], route
    assert list(schema["paths"]["/session/login"]) == ["post"]
    assert schema["paths"]["/session/logout/{sessionId}"]["delete"]["responses"].keys() == {"204"}
    assert schema["components"]["securitySchemes"]["LVSession"] == {
        "type": "apiKey",
        "in": "header",
        "name": "LV-Session",
    }


def test_it_serves_the_schema_as_yaml_by_default(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/session/login:" in response.content


def test_it_serves_the_docs_from_its_own_static_files(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    sidecar = [a for a in assets if a.startswith("/static/drf_spectacular_sidecar/")]
    assert any(a.endswith("swagger-ui-bundle.js") for a in sidecar), assets
    assert any(a.endswith("swagger-ui.css") for a in sidecar), assets
    assert "cdn.jsdelivr.net" not in html
    assert "unpkg.com" not in html
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    assert "/api/schema/" in html


@pytest.mark.parametrize("asset", ["swagger-ui-bundle.js", "swagger-ui.css"])
def test_it_ships_the_sidecar_assets_among_its_static_files(asset):
    # collectstatic gathers what the finders find; whitenoise serves it under /static/.
    assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}")


def test_it_links_the_admin_and_the_docs_from_the_root(client, db):
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html
    assert 'href="/api/docs/"' in html
