"""Permission rows for /compliance/{dialtime,email,sms}/dnc: every route, every role.

The spec: Sysadmins, Superusers and Managers with the "Edit DNC Lists" power; plain Managers
and IT Users 403; Agent sessions 403 (the spec's agent list names only the legacy methods and
Is Blocked). Client A (4199) is Dial-Time, so its allowed users succeed. Client B (93119) is
Legacy: its users pass the role check and then get 400 (the Phone DNC Type gate), asking for
their own list or for client A's entry alike; client B's Sysadmin acting for client A with
``?client=4199`` succeeds, its Superuser may not name another client (403)."""

from dnc.demo import seed_contact_groups
from dnc.models import DialtimeEntry, EmailEntry, SmsEntry

from .matrix import rows_for

ALLOWED = ["sysadmin", "superuser", "manager_with_dnc_power"]
DENIED = ["it_user", "manager", "manager_with_strategies_power", "agent"]
LISTS = {
    # list name: (model, a value, another value)
    "dialtime": (DialtimeEntry, "4155550100", "4155550101"),
    "email": (EmailEntry, "matrix@example.com", "other@example.com"),
    "sms": (SmsEntry, "4155550100", "4155550101"),
}


def setup(client_a, client_b, persona) -> dict:
    seed_contact_groups(client_a)
    found = {}
    for name, (model, value, _) in LISTS.items():
        entry = model.objects.create(client=client_a, **{model.value_field: value})
        found[f"{name}_a"] = entry.pk
    return found


def _expect(success: int) -> dict:
    expected = dict.fromkeys(ALLOWED, success)
    expected.update(dict.fromkeys(DENIED, 403))
    expected.update({None: 401, "outsider": 400, "outsider_sysadmin": 400})
    return expected


def _routes(name: str) -> list[tuple[str, str, dict | None, int]]:
    model, _, other = LISTS[name]
    key = model.value_field
    base = f"/compliance/{name}/dnc"
    entry = base + "/{" + name + "_a}"
    return [
        ("POST", base, {key: other}, 201),
        ("POST", f"{base}/bulk", {"dncEntries": [{key: other}]}, 200),
        ("DELETE", entry, None, 204),
        ("POST", f"{base}/search?offset=0&count=5", {"filter": {}}, 200),
        ("GET", f"{base}/search?offset=0&count=5", None, 200),
        ("GET", f"{base}/info", None, 200),
        ("GET", f"{base}?offset=0&count=5", None, 200),
        ("GET", entry, None, 200),
        ("PUT", entry, {key: other}, 204),
    ]


def _rows(name: str) -> list:
    rows = []
    for method, path, body, success in _routes(name):
        rows += rows_for(method, path, _expect(success), body, agent_expected=403)
        acting = path + ("&" if "?" in path else "?") + "client=4199"
        rows += rows_for(method, acting, {"outsider_sysadmin": success, "outsider": 403}, body)
    return rows


ROWS = [
    *_rows("dialtime"),
    *_rows("email"),
    *_rows("sms"),
    # A version segment and a trailing slash route the same.
    *rows_for("GET", "/compliance/v17.0/email/dnc/info/", {"manager_with_dnc_power": 200}),
]
