"""schemathesis over the dial-time, email and SMS lists, isBlocked and contactCheck as a user
who reaches the data: client A's Manager with the "Edit DNC Lists" power (client A is
Dial-Time), with the spec's contact groups and list examples seeded. The site-wide fuzz speaks as
a Manager without that power, whom the lists answer 403 before reading anything."""

import pytest

from dnc.demo import seed_contact_groups, seed_list_examples

from .fuzz import fuzz, in_test_transaction, operation_labels  # noqa: F401

pytestmark = pytest.mark.fuzz

PATHS = (
    " /compliance/dialtime/dnc",
    " /compliance/email/dnc",
    " /compliance/sms/dnc",
    " /compliance/complianceCheck/isBlocked",
    " /compliance/complianceCheck/contactCheck",
)
OPERATIONS = operation_labels(*PATHS)


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
    fuzz(label, session, max_examples=40)
