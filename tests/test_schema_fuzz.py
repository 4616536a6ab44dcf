"""schemathesis against our own OpenAPI schema, in process: every operation, bounded, as a
Manager with the Dialing Strategies power. No answer may be a 5xx, and every answer must match
the schema (status code, content type, body)."""

import pytest

from .fuzz import fuzz, in_test_transaction, operation_labels  # noqa: F401

pytestmark = pytest.mark.fuzz


@pytest.mark.parametrize("label", operation_labels())
def test_no_operation_answers_5xx_or_off_schema(
    label,
    api,
    client_a,
    client_b,
    settings,
    in_test_transaction,  # noqa: F811
):
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis's in-process requests use this host
    fuzz(label, api("manager_with_strategies_power").session_id, max_examples=25)
