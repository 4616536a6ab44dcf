"""Permission rows for the site-wide endpoints (sessions, health)."""

from livevox_site.audit import Actor
from livevox_site.services import access_token_create, session_login

from .matrix import ROLES, Row


def setup(client_a, client_b, persona) -> dict:
    # A live session of another user, to show that validate and logout do not depend on who
    # asks (nor on having a session at all).
    token = access_token_create(actor=Actor.command("matrix"), client=client_b, name="matrix")[0]
    other = persona("outsider")
    return {"live_session": session_login(user=other, token=token, agent=False).key}


_WRONG_CREDENTIALS = {"clientName": "ACME", "userName": "nobody", "password": "wrong password"}

ROWS = [
    # The session calls authenticate by their body, not by a session: no session is needed.
    Row("GET", "/session/validate/not-a-session", None, 404),
    Row("GET", "/session/validate?sessionId=not-a-session", None, 404),
    Row("DELETE", "/session/logout/not-a-session", None, 204),
    Row("POST", "/session/login", None, 400, {}),
    Row("POST", "/session/password", None, 400, {}),
    # Whoever asks, with whatever session: the same answers.
    *[Row("GET", "/session/validate/{live_session}", who, 204) for who in (None, *ROLES)],
    *[Row("GET", "/session/validate?sessionId={live_session}", who, 204) for who in (None, *ROLES)],
    Row("GET", "/session/validate/{live_session}", "manager", 204, agent=True),
    Row("DELETE", "/session/logout/{live_session}", None, 204),
    Row("DELETE", "/session/logout/{live_session}", "manager", 204),
    Row("DELETE", "/session/logout/{live_session}", "manager", 204, agent=True),
    *[Row("POST", "/session/login", who, 401, _WRONG_CREDENTIALS) for who in (None, "sysadmin")],
    Row("POST", "/session/password", "sysadmin", 401, {**_WRONG_CREDENTIALS, "newPassword": "x"}),
    # Versioned paths and trailing slashes route the same.
    Row("GET", "/session/v5.0/validate/{live_session}/", None, 204),
    Row("GET", "/session/v5.0/validate?sessionId={live_session}", None, 204),
    Row("DELETE", "/session/v5.0/logout/not-a-session/", None, 204),
    Row("POST", "/session/v5.0/login/", None, 400, {}),
    Row("POST", "/session/v5.0/password/", None, 400, {}),
    # Wrong methods.
    Row("GET", "/session/login", None, 405),
    Row("PUT", "/session/login", "manager", 405, {}),
    Row("POST", "/session/validate/{live_session}", None, 405, {}),
    Row("DELETE", "/session/validate?sessionId={live_session}", None, 405),
    Row("GET", "/session/logout/{live_session}", None, 405),
    Row("POST", "/session/logout/{live_session}", "manager", 405, {}),
    Row("GET", "/session/password", None, 405),
    # Not a session route at all.
    Row("GET", "/session/unknown", None, 404),
]
