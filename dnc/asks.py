"""One contactCheck item as it arrives (a JSON object of the API, or a CSV line of the admin's
suppression preview read with ``csv_lines``: lower-cased names) turned into a ``ContactAsk``,
or ``InvalidInput`` naming the field. Shared by ``dnc/views/contact.py`` and
``dnc/suppression.py`` (not in ``dnc/wire.py``: it needs ``dnc.rows``, which imports
``dnc.wire``).
"""

from datetime import datetime

from livevox_site.errors import InvalidInput
from livevox_site.lenient import parse_date, parse_enum, present

from .rows import parse_service
from .selectors.decisions import Channel, Contact, ContactAsk
from .wire import optional, parse_account, parse_email, parse_phone, parse_zip

# The item's keys, as most clients spell them (any case is read).
_KEYS = frozenset({"service", "channel", "phone", "account", "zip", "email", "sms", "at"})


def contact_ask(raw, *, services: frozenset[int], now: datetime) -> ContactAsk:
    """One item of the body, or ``InvalidInput`` naming the field."""
    if not isinstance(raw, dict):
        raise InvalidInput("an item must be a JSON object")
    lowered = raw if raw.keys() <= _KEYS else {str(k).lower(): v for k, v in raw.items()}
    get = lowered.get
    if not present(get("service")):
        raise InvalidInput("service is required", field="service")
    service_id = parse_service(get("service"), services, field="service")
    channel = Channel.CALL
    if present(get("channel")):
        channel = parse_enum(lowered["channel"], "channel", Channel.ALL)
    phone = optional(parse_phone, get("phone"), "phone")
    account = optional(parse_account, get("account"), "account")
    zip_code = optional(parse_zip, get("zip"), "zip")
    email = optional(parse_email, get("email"), "email")
    sms = optional(parse_phone, get("sms"), "sms")
    if channel == Channel.CALL and not (phone or account or zip_code):
        raise InvalidInput("a call needs at least one of phone, account or zip")
    if channel == Channel.SMS and not (sms or phone):
        raise InvalidInput("a text needs sms or phone")
    if channel == Channel.EMAIL and not email:
        raise InvalidInput("an email needs email", field="email")
    at = parse_date(get("at"), "at") or now
    return ContactAsk(Contact(service_id, phone, account, zip_code, email, sms, channel), at)
