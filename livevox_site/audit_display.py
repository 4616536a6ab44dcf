"""The audit log in plain words: one sentence per entry ("manager_strategies changed the dialing
sequence of For Documentation from 1, 3, 2 to 2, 1") and a field-by-field before/after table in
the admin's labels. The raw JSON stays in the entry (and in the CSV export); this only reads it.

Snapshots are keyed by model field names, or by the wire names a model's ``audit_snapshot()``
uses; a model names those in ``audit_labels`` ({key: label}).
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

# The last part of an action, as a verb. Anything else is shown as it is.
VERBS = {
    "created": "created",
    "added": "added",
    "updated": "changed",
    "changed": "changed",
    "deleted": "deleted",
    "deleted_bulk": "deleted",
    "deleted_all": "deleted every",
    "duplicated": "made a copy named",
    "revoked": "revoked",
    "restored": "restored",
    "password_changed": "changed the password of",
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def kind_of(object_type: str) -> str:
    """ "strategies.dialingstrategy" -> "dialing strategy"."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model else object_type.rsplit(".", 1)[-1]


def label_of(object_type: str, key: str) -> str:
    model = _model(object_type)
    if model is None:
        return key
    labels = getattr(model, "audit_labels", {})
    if key in labels:
        return labels[key]
    try:
        return str(model._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def show(value) -> str:
    """A snapshot value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(show(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {show(item)}" for key, item in value.items())
    return str(value)


def changes(entry) -> list[Change]:
    """Each field that differs between before and after, in the admin's labels (an added
    object lists what it was created with; a deleted one what it had)."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    found = []
    for key in dict.fromkeys([*before, *after]):
        if key in ("id", "outcomeId") or before.get(key) == after.get(key):
            continue
        found.append(
            Change(
                label_of(entry.object_type, key),
                show(before.get(key)) if entry.before is not None else "",
                show(after.get(key)) if entry.after is not None else "",
            )
        )
    return found


def short_actor(actor_name: str) -> str:
    """ "manager@ACME" -> "manager": the client is the viewer's own."""
    return actor_name.split("@", 1)[0]


def _who(entry) -> str:
    return short_actor(entry.actor_name) or "Someone"


def sentence(entry) -> str:
    """The entry as one sentence."""
    details = entry.details if isinstance(entry.details, dict) else {}
    verb_key = entry.action.rsplit(".", 1)[-1]
    who = _who(entry)
    kind = kind_of(entry.object_type)
    name = entry.object_name or (f"#{entry.object_id}" if entry.object_id else "")
    if entry.action == "site.login.failed":
        return (
            f"A login as {details.get('username', '?')} from {details.get('address', '?')} failed"
        )
    if entry.action == "site.login.locked_out":
        return (
            f"Logins as {details.get('username', '?')} from {details.get('address', '?')} "
            "were locked out after too many failures"
        )
    if verb_key in ("service_added", "service_removed"):
        direction = "added service" if verb_key == "service_added" else "removed service"
        linking = "to" if verb_key == "service_added" else "from"
        return f"{who} {direction} {details.get('service', '?')} {linking} {name}"
    if verb_key == "services_removed_all":
        return f"{who} removed every service from {name}"
    if verb_key == "deleted_all":
        return f"{who} deleted all {details.get('count', '')} {kind}s of {name}".replace("  ", " ")
    if "count" in details and verb_key in ("deleted_bulk", "imported", "bulk"):
        return f"{who} {VERBS.get(verb_key, verb_key)} {details['count']} {kind}s"
    if verb_key in ("updated", "changed"):
        diffs = changes(entry)
        if len(diffs) == 1:
            diff = diffs[0]
            return f"{who} changed the {diff.label} of {name} from {diff.before} to {diff.after}"
        if diffs:
            labels = [diff.label for diff in diffs]
            listed = ", ".join(labels[:-1]) + " and " + labels[-1]
            return f"{who} changed the {listed} of {name}"
        return f"{who} saved {name} without changes"
    if verb_key == "duplicated":
        return f"{who} copied a {kind} as {name}"
    verb = VERBS.get(verb_key, verb_key.replace("_", " "))
    return f"{who} {verb} the {kind} {name}".rstrip()
