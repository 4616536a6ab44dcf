"""Which DNC lists a client uses, by its Phone DNC Type, and the refusal of the others.

isBlocked reads the legacy list and the account flags for every client, and the dial-time list
only for a Dial-Time client; the API offers the legacy methods to Legacy clients and the
dial-time, email and SMS methods to Dial-Time clients (400, code 202, for the others). An
opt-out that is stored must block, so every path that adds to a list (the API, the admin, the
CSV import, the shell) refuses the lists the client does not use, through ``require_list``
here; the admin and the import show ``list_refusal``'s sentence, which says why.
"""

from livevox_site.errors import InvalidInput
from livevox_site.models import Client, PhoneDncType

# The Phone DNC Type each list belongs to.
LIST_TYPE: dict[str, str] = {
    "legacy": PhoneDncType.LEGACY,
    "dialtime": PhoneDncType.DIAL_TIME,
    "email": PhoneDncType.DIAL_TIME,
    "sms": PhoneDncType.DIAL_TIME,
}
_LABELS = {
    "legacy": "legacy DNC list",
    "dialtime": "dial-time DNC list",
    "email": "email DNC list",
    "sms": "SMS DNC list",
}


def api_refusal(client: Client) -> str:
    """The vendor's words for a method of the other family (400, code 202)."""
    label = PhoneDncType(client.phone_dnc_type).label
    return f"This client is not configured to use this method (its Phone DNC Type is {label})"


def require_dnc_type(client: Client, wanted: str) -> None:
    """A Legacy client may use the legacy methods, a Dial-Time client the dial-time, email and
    SMS methods; the others raise ``InvalidInput`` (400, code 202)."""
    if client.phone_dnc_type != wanted:
        raise InvalidInput(api_refusal(client))


def require_list(client: Client, list_name: str) -> None:
    """``require_dnc_type`` for one list by name."""
    require_dnc_type(client, LIST_TYPE[list_name])


def list_refusal(client: Client, list_name: str) -> str | None:
    """Why ``client`` may not add to ``list_name``, in a manager's words; None when it may."""
    if client.phone_dnc_type == LIST_TYPE[list_name]:
        return None
    label = _LABELS[list_name]
    if list_name == "legacy":
        return (
            f"{client.name} uses the dial-time DNC lists (its Phone DNC Type is Dial-Time), "
            f"so the API refuses its {label}. Add the numbers to the dial-time list instead, "
            "or ask a Sysadmin to change the client's Phone DNC Type."
        )
    effect = (
        "isBlocked does not read the dial-time list for it, so an entry here would block no call"
        if list_name == "dialtime"
        else f"the API refuses the {label} for it"
    )
    return (
        f"{client.name} uses the legacy DNC list (its Phone DNC Type is Legacy): {effect}. "
        "Add the numbers to the legacy list instead, or ask a Sysadmin to change the client's "
        "Phone DNC Type."
    )


def client_change_refusal(client: Client, changed: dict) -> str | None:
    """Why a client may not take the changes ``changed`` ({field: new value}) as they are: a
    Dial-Time client turned Legacy while it holds dial-time entries would stop blocking those
    numbers (isBlocked reads that list for Dial-Time clients only). Legacy to Dial-Time loses
    nothing: the legacy list and the account flags are read for every client."""
    from ..models import DialtimeEntry

    new_type = changed.get("phone_dnc_type")
    if new_type is None or new_type == client.phone_dnc_type:
        return None
    if client.phone_dnc_type != PhoneDncType.DIAL_TIME:
        return None
    held = DialtimeEntry.objects.for_client(client).count()
    if not held:
        return None
    entries = "entry" if held == 1 else "entries"
    return (
        f"{client.name} holds {held} dial-time DNC {entries}, which isBlocked reads only for "
        "Dial-Time clients: as a Legacy client, those numbers would be called again. Move them "
        "to the legacy list (export them, then import them there) or remove them first."
    )
