"""Permission rows for the DNC family's compliance checks (isBlocked).

The spec: isBlocked is open to Sysadmins, Superusers, every Manager (no power needed) and Agent
sessions; IT Users are not among the Compliance API's roles. A user of client B asking with
client B's own service gets its own answer; asking about client A's service is a 400 (no such
service in its client), never client A's data."""

from .matrix import rows_for

IS_BLOCKED = "/compliance/complianceCheck/isBlocked?service=20180&phone=4155553734"


def setup(client_a, client_b, persona) -> dict:
    return {}


ROWS = [
    *rows_for(
        "GET",
        IS_BLOCKED,
        {
            "sysadmin": 200,
            "superuser": 200,
            "manager": 200,
            "manager_with_strategies_power": 200,
            "manager_with_dnc_power": 200,
            "it_user": 403,
            "agent": 200,
            None: 401,
            "outsider": 400,
            "outsider_sysadmin": 400,
        },
        agent_expected=200,
    ),
    *rows_for(
        "GET",
        "/compliance/v6.0/complianceCheck/isBlocked/?Service=123&Zip=94110",
        {"outsider": 200, "outsider_sysadmin": 200},
    ),
    *rows_for("GET", IS_BLOCKED + "&client=4199", {"outsider_sysadmin": 200, "outsider": 403}),
]

# contactCheck (an extension): isBlocked's roles, but not Agent sessions (the vendor's agent list
# does not name it). The outsider's service 20180 is client A's: a 400, never A's data.
CONTACT = "/compliance/complianceCheck/contactCheck"
CONTACT_BODY = {"service": 20180, "phone": "4155553734"}
_CONTACT_EXPECTED = {
    "sysadmin": 200,
    "superuser": 200,
    "manager": 200,
    "manager_with_strategies_power": 200,
    "manager_with_dnc_power": 200,
    "it_user": 403,
    "agent": 403,
    None: 401,
    "outsider": 400,
    "outsider_sysadmin": 400,
}
ROWS += [
    *rows_for("POST", CONTACT, _CONTACT_EXPECTED, CONTACT_BODY, agent_expected=403),
    *rows_for(
        "POST", CONTACT + "?client=4199", {"outsider_sysadmin": 200, "outsider": 403}, CONTACT_BODY
    ),
    # A batch answers 200 with the bad item's error in place (never a failed batch).
    *rows_for(
        "POST",
        CONTACT + "/batch",
        {**_CONTACT_EXPECTED, "outsider": 200, "outsider_sysadmin": 200},
        {"items": [CONTACT_BODY]},
        agent_expected=403,
    ),
]
