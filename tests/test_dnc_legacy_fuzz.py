"""schemathesis over the legacy DNC methods as a user who reaches the data: client B's
Superuser (LEGACY) with the DNC Rules table seeded. The site-wide fuzz speaks as a Manager
without the "Edit DNC Lists" power, which these methods answer 403 before reading anything."""

import pytest

from dnc.demo import seed_dnc_rules

from .fuzz import fuzz, in_test_transaction, operation_labels  # noqa: F401

pytestmark = pytest.mark.fuzz

OPERATIONS = operation_labels(" /compliance/dnc")


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_legacy_dnc_operation_answers_5xx_or_off_schema(
    label,
    api,
    client_a,
    client_b,
    settings,
    in_test_transaction,  # noqa: F811
):
    settings.ALLOWED_HOSTS = ["localhost"]
    seed_dnc_rules(client_b)
    session = api("outsider").session_id
    fuzz(label, session, max_examples=60)
