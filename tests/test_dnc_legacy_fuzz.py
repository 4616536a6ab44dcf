"""schemathesis over the legacy DNC methods as a user who reaches the data: client B's
Superuser (LEGACY) with the DNC Rules table seeded. The site-wide fuzz speaks as a Manager
without the "Edit DNC Lists" power, which these methods answer 403 before reading anything."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from dnc.demo import seed_dnc_rules

from .test_schema_fuzz import CHECKS, SCHEMA, in_test_transaction  # noqa: F401

pytestmark = pytest.mark.fuzz

OPERATIONS = [
    label
    for label in sorted(result.ok().label for result in SCHEMA.get_all_operations())
    if " /compliance/dnc" in label
]


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
    operation = SCHEMA.find_operation_by_label(label)

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers={"LV-Session": session}, checks=CHECKS)

    run()
