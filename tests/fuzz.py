"""The schemathesis harness the fuzz modules share: our own OpenAPI schema (built once per run,
on first use), the checks every answer must pass, the fixture that keeps in-process requests
inside the test's transaction, and one bounded, reproducible run of an operation."""

from functools import cache

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@cache
def schema():
    """The schema of every operation, served in process by the WSGI application."""
    from drf_spectacular.generators import SchemaGenerator

    from livevox_site.wsgi import application

    found = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    found.app = application
    return found


def operation_labels(*paths: str) -> list[str]:
    """The labels ("GET /compliance/dnc/{id}") of the operations whose label holds one of
    ``paths`` (every operation when none is given), sorted."""
    labels = sorted(result.ok().label for result in schema().get_all_operations())
    return [label for label in labels if not paths or any(path in label for path in paths)]


@pytest.fixture
def in_test_transaction():
    """As Django's test client does: the handler must not close the connection that holds the
    test's transaction (it would, at the end of every in-process request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzz(label: str, session_id: str, max_examples: int) -> None:
    """``max_examples`` cases of one operation, the same ones on every run (CI stays
    reproducible), each sent with the session and checked: no 5xx, nothing off the schema."""
    operation = schema().find_operation_by_label(label)

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers={"LV-Session": session_id}, checks=CHECKS)

    run()
