"""schemathesis against our own OpenAPI schema, in process: every operation, bounded, as a
Manager with the Dialing Strategies power. No answer may be a 5xx, and every answer must match
the schema (status code, content type, body)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from livevox_site.wsgi import application

pytestmark = pytest.mark.fuzz

SCHEMA = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
SCHEMA.app = application
OPERATIONS = sorted(result.ok().label for result in SCHEMA.get_all_operations())
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def in_test_transaction():
    """As Django's test client does: the handler must not close the connection that holds the
    test's transaction (it would, at the end of every in-process request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_operation_answers_5xx_or_off_schema(
    label, api, client_a, client_b, settings, in_test_transaction
):
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis's in-process requests use this host
    session = api("manager_with_strategies_power").session_id
    operation = SCHEMA.find_operation_by_label(label)

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=25,
        deadline=None,
        derandomize=True,  # the same cases on every run: CI stays reproducible
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers={"LV-Session": session}, checks=CHECKS)

    run()
