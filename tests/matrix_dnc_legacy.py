"""Permission rows for the legacy DNC methods (``/compliance/dnc``): every route, every role.

The spec: Sysadmins, Superusers and Managers with the "Edit DNC Lists" power; plain Managers and
IT Users 403. Agent sessions may call Read, Create, List, Info and Find Matching DNC, nothing
else (Is Legacy DNC Enabled included). Only a LEGACY client may call them: client A's personas
are DIAL_TIME, so its allowed roles get 400 (code 202) after the role check and before any
lookup; Is Legacy DNC Enabled answers both kinds. Client B (93119) is LEGACY: its Superuser
(``outsider``) and Sysadmin get their own entries, and an Agent session of its Superuser is the
agent case that reaches the data. Another client's entry is a 404.
"""

from dnc.models import LegacyEntry

from .matrix import Row, rows_for

ALLOWED_A = ["sysadmin", "superuser", "manager_with_dnc_power"]
DENIED_A = ["it_user", "manager", "manager_with_strategies_power"]
ON_B = ["outsider", "outsider_sysadmin"]

ONE_PHONE = {"block": "DAILY", "phoneDncEntry": [{"phone": "4155550001"}]}
ONE_ACCOUNT = {"accountDndEntry": [{"account": "QA1", "block": "DAILY"}]}
ONE_ACCOUNT_PHONE = {
    "accountPhoneDndEntry": [
        {"account": "QA1", "phones": [{"phone": "4155550001", "ordinal": 1, "phoneBlock": "DAILY"}]}
    ]
}


def setup(client_a, client_b, persona) -> dict:
    theirs = LegacyEntry.objects.create(client=client_a, phone="4155553734")
    ours = LegacyEntry.objects.create(client=client_b, phone="4155553734", service_id=123)
    return {"legacy_a": theirs.pk, "legacy_b": ours.pk}


def _route(
    method: str, path: str, success: int, *, agent: bool, body=None, open_to_both: bool = False
) -> list[Row]:
    """Every persona on one route of client B's list (client A's personas act for client A)."""
    expected: dict = dict.fromkeys(ALLOWED_A, success if open_to_both else 400)
    expected.update(dict.fromkeys(DENIED_A, 403))
    # The Agent role holds view and add: gated like the allowed roles on its five methods.
    expected["agent"] = (success if open_to_both else 400) if agent else 403
    expected.update(dict.fromkeys(ON_B, success))
    expected[None] = 401
    rows = rows_for(method, path, expected, body, agent_expected=403)
    rows.append(Row(method, path, "outsider", success if agent else 403, body, agent=True))
    return rows


ROWS = [
    *_route("GET", "/compliance/dnc/isLegacyDncEnabled", 200, agent=False, open_to_both=True),
    *_route("GET", "/compliance/dnc?count=10&offset=0", 200, agent=True),
    *_route("GET", "/compliance/v6.0/dnc/?dncType=DAILY&count=10&offset=0", 200, agent=True),
    *_route("GET", "/compliance/dnc/info?dncType=PERMANENT", 200, agent=True),
    *_route("GET", "/compliance/dnc/{legacy_b}", 200, agent=True),
    *_route("DELETE", "/compliance/dnc/{legacy_b}", 204, agent=False),
    *_route(
        "POST", "/compliance/dnc", 201, agent=True, body={"type": "DAILY", "phone": "4155550001"}
    ),
    *_route(
        "POST", "/compliance/dnc/search?count=10&offset=0", 200, agent=True, body={"filter": {}}
    ),
    *_route("POST", "/compliance/dnc/multiplePhoneDnc", 200, agent=False, body=ONE_PHONE),
    *_route("POST", "/compliance/dnc/multipleAccountDnd", 200, agent=False, body=ONE_ACCOUNT),
    *_route(
        "POST", "/compliance/dnc/multipleAccountPhoneDnd", 200, agent=False, body=ONE_ACCOUNT_PHONE
    ),
    # Client A's entry, from client B: not found, as if it did not exist.
    *rows_for("GET", "/compliance/dnc/{legacy_a}", {"outsider": 404, "outsider_sysadmin": 404}),
    *rows_for("DELETE", "/compliance/dnc/{legacy_a}", {"outsider": 404, "outsider_sysadmin": 404}),
    # Acting for client A: only a Sysadmin may name it, and client A is not LEGACY.
    *rows_for(
        "GET",
        "/compliance/dnc/{legacy_a}?client=4199",
        {"outsider_sysadmin": 400, "outsider": 403},
    ),
    # Client A's Sysadmin acting for client B reaches B's entries.
    *rows_for("GET", "/compliance/dnc/{legacy_b}?client=93119", {"sysadmin": 200}),
    *rows_for("DELETE", "/compliance/dnc/{legacy_b}?client=93119", {"sysadmin": 204}),
]
