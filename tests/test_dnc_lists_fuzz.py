"""schemathesis over the dial-time, email and SMS lists, isBlocked and contactCheck as a user
who reaches the data: client A's Manager with the "Edit DNC Lists" power (client A is
Dial-Time), with the spec's contact groups and list examples seeded. The site-wide fuzz speaks as
a Manager without that power, whom the lists answer 403 before reading anything."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from dnc.demo import seed_contact_groups, seed_list_examples

from .test_schema_fuzz import CHECKS, SCHEMA, in_test_transaction  # noqa: F401

pytestmark = pytest.mark.fuzz

PATHS = (
    " /compliance/dialtime/dnc",
    " /compliance/email/dnc",
    " /compliance/sms/dnc",
    " /compliance/complianceCheck/isBlocked",
    " /compliance/complianceCheck/contactCheck",
)
OPERATIONS = [
    label
    for label in sorted(result.ok().label for result in SCHEMA.get_all_operations())
    if any(path in label for path in PATHS)
]


def test_the_operations_are_found():
    assert len(OPERATIONS) >= 3 * 8 + 3


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_dnc_list_operation_answers_5xx_or_off_schema(
    label,
    api,
    client_a,
    settings,
    in_test_transaction,  # noqa: F811
):
    settings.ALLOWED_HOSTS = ["localhost"]
    seed_contact_groups(client_a)
    seed_list_examples(client_a)
    session = api("manager_with_dnc_power").session_id
    operation = SCHEMA.find_operation_by_label(label)

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers={"LV-Session": session}, checks=CHECKS)

    run()
