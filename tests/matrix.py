"""The permission matrix as data: (method, path, who) -> status.

Each app keeps its rows in ``tests/matrix_<app>.py`` (``ROWS`` and a ``setup`` that creates the
objects its paths name) and is listed in ``tests/test_permission_matrix.py``; a LiveVox route
with no row fails ``test_every_wire_route_has_rows``.
"""

from dataclasses import dataclass

# Everyone who can hold a session, in client A (4199) unless named outsider (client B, 93119).
ROLES = [
    "sysadmin",
    "superuser",
    "it_user",
    "manager",
    "manager_with_strategies_power",
    "manager_with_dnc_power",
    "agent",
    "outsider",
    "outsider_sysadmin",
]


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # may hold {placeholders}, filled from the setups' objects
    who: str | None  # a persona; None: no session at all
    status: int
    body: dict | list | str | None = None
    agent: bool = False  # log in with agent=true

    def id(self) -> str:
        who = self.who or "anonymous"
        return f"{self.method} {self.path} as {who}{' (agent session)' if self.agent else ''}"


def rows_for(method: str, path: str, expected: dict, body=None, agent_expected=None) -> list[Row]:
    """One row per persona in ``expected`` (``{who: status}``), plus, when
    ``agent_expected`` is given, an Agent session of the most powerful Manager."""
    rows = [Row(method, path, who, status, body) for who, status in expected.items()]
    if agent_expected is not None:
        rows.append(Row(method, path, "manager_with_strategies_power", agent_expected, body, True))
    return rows
