"""Permission rows for zipAreaMatch: every role, Agent sessions included."""

from .matrix import ROLES, Row

ZIP = "/compliance/complianceCheck/zipAreaMatch"
MATCH = {"areaCode": 415, "zipCode": 94111, "type": "DIAL_TIME"}


def setup(client_a, client_b, persona) -> dict:
    return {}


ROWS = [
    # Every role that may use the Compliance API, in either client.
    *(Row("POST", path, who, 200, MATCH) for path in (ZIP, ZIP + "s") for who in ROLES),
    Row("POST", ZIP, None, 401, MATCH),
    Row("POST", ZIP + "s", None, 401, MATCH),
    # Agent sessions (wire-notes section 2 lists Zip Area Match).
    Row("POST", ZIP, "agent", 200, MATCH, agent=True),
    Row("POST", ZIP, "manager_with_strategies_power", 200, MATCH, agent=True),
    Row("POST", ZIP + "s", "agent", 200, MATCH, agent=True),
    Row("POST", "/compliance/v6.0/complianceCheck/zipAreaMatch/", "it_user", 200, MATCH),
    # Other methods: 405 after authentication.
    Row("GET", ZIP, "it_user", 405),
]
