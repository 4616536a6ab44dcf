"""Permission rows for the site-wide endpoints (sessions, health)."""

from .matrix import Row


def setup(client_a, client_b, persona) -> dict:
    return {}


ROWS = [
    # The session calls authenticate by their body, not by a session: no session is needed.
    Row("GET", "/session/validate/not-a-session", None, 404),
    Row("GET", "/session/validate?sessionId=not-a-session", None, 404),
    Row("DELETE", "/session/logout/not-a-session", None, 204),
    Row("POST", "/session/login", None, 400, {}),
    Row("POST", "/session/password", None, 400, {}),
]
