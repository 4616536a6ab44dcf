"""Permission rows for /compliance/recording: every route, every role.

The spec: reading is for Sysadmin, Superuser and Manager (IT Users are not among the Compliance
API's roles); Delete Call Recording is for Sysadmins only; Agent sessions 403; another client's
recording is a 404, as if it did not exist. The files the setup stores are one frame each, in
the configured MEDIA_ROOT."""

import io
from dataclasses import replace

from django.core.files import File

from livevox_site.audit import Actor
from recordings.demo import SPEC_EXAMPLE, silent_mp3
from recordings.services import recording_create

from .matrix import rows_for

READERS = ["sysadmin", "superuser", "manager", "manager_with_strategies_power"]
READERS += ["manager_with_dnc_power"]
DENIED = ["it_user", "agent"]


def setup(client_a, client_b, persona) -> dict:
    found = {}
    for key, client in (("a", client_a), ("b", client_b)):
        recording = recording_create(
            actor=Actor.command("matrix"),
            client=client,
            recording_id=f"matrix-{key}",
            metadata=replace(SPEC_EXAMPLE, service_id=0),
            audio=File(io.BytesIO(silent_mp3(0.01)), name="m.mp3"),
        )
        found[f"rec_{key}"] = recording.recording_id
    return found


def _expect(allowed: list[str], success: int) -> dict:
    expected = dict.fromkeys(allowed, success)
    expected.update(dict.fromkeys((who for who in READERS if who not in allowed), 403))
    expected.update(dict.fromkeys(DENIED, 403))
    # Client B's users do not see client A's recording; a missing permission is a 403 decided
    # before any lookup (client B's Superuser may not delete at all).
    outsider = 404 if "superuser" in allowed else 403
    expected.update({None: 401, "outsider": outsider, "outsider_sysadmin": 404})
    return expected


def _on_a(method: str, path: str, allowed: list[str], success: int) -> list:
    return rows_for(method, path, _expect(allowed, success), agent_expected=403)


ROWS = [
    *_on_a("GET", "/compliance/recording/info?recording={rec_a}", READERS, 200),
    *_on_a("GET", "/compliance/recording/{rec_a}", READERS, 200),
    *_on_a("GET", "/compliance/v6.0/recording/{rec_a}/", READERS, 200),
    *_on_a("DELETE", "/compliance/recording/{rec_a}", ["sysadmin"], 204),
    # Client B's own recording: its users read it, its Sysadmin deletes it.
    *rows_for("GET", "/compliance/recording/info?recording={rec_b}", {"outsider": 200}),
    *rows_for("DELETE", "/compliance/recording/{rec_b}", {"outsider": 403}),
    *rows_for("DELETE", "/compliance/recording/{rec_b}", {"outsider_sysadmin": 204}),
    # A Sysadmin acting for the owner.
    *rows_for(
        "GET",
        "/compliance/recording/info?recording={rec_a}&client=4199",
        {"outsider_sysadmin": 200, "outsider": 403},
    ),
]
