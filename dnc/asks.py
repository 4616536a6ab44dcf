"""One contactCheck item as it arrives (a JSON object of the API, or a CSV line of the admin's
suppression preview read with ``csv_lines``: lower-cased names) turned into a ``ContactAsk``,
or ``InvalidInput`` naming the field. Shared by ``dnc/views/contact.py`` and
``dnc/suppression.py`` (not in ``dnc/wire.py``: it needs ``dnc.rows``, which imports
``dnc.wire``).
"""

from datetime import datetime

from livevox_site.errors import InvalidInput
from livevox_site.lenient import parse_date, parse_enum, present

from .decisions import Channel, Contact, ContactAsk
from .rows import parse_service
from .wire import optional, parse_account, parse_email, parse_phone, parse_zip

# The item's keys, as most clients spell them (any case is read).
_KEYS = frozenset({"service", "channel", "phone", "account", "zip", "email", "sms", "at"})


def contact_ask(raw, *, services: frozenset[int], now: datetime) -> ContactAsk:
    """One item of the body, or ``InvalidInput`` naming the field."""
    if not isinstance(raw, dict):
        raise InvalidInput("an item must be a JSON object")
    lowered = raw if raw.keys() <= _KEYS else {str(k).lower(): v for k, v in raw.items()}
    if not present(lowered.get("service")):
        raise InvalidInput("service is required", field="service")
    service_id = parse_service(lowered.get("service"), services, field="service")
    channel = Channel.CALL
    if present(lowered.get("channel")):
        channel = parse_enum(lowered["channel"], "channel", Channel.ALL)
    contact = Contact(
        service_id=service_id,
        phone=optional(parse_phone, lowered.get("phone"), "phone"),
        account=optional(parse_account, lowered.get("account"), "account"),
        zip=optional(parse_zip, lowered.get("zip"), "zip"),
        email=optional(parse_email, lowered.get("email"), "email"),
        sms=optional(parse_phone, lowered.get("sms"), "sms"),
        channel=channel,
    )
    if channel == Channel.CALL and not (contact.phone or contact.account or contact.zip):
        raise InvalidInput("a call needs at least one of phone, account or zip")
    if channel == Channel.SMS and not (contact.sms or contact.phone):
        raise InvalidInput("a text needs sms or phone")
    if channel == Channel.EMAIL and not contact.email:
        raise InvalidInput("an email needs email", field="email")
    at = parse_date(lowered.get("at"), "at") or now
    return ContactAsk(contact=contact, at=at)
