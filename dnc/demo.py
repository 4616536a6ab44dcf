"""Demo data of the DNC lists: the spec's DNC Rules table (client 93119, services 123, 456 and
789), the spec's contact groups of client 4199, and the dial-time, email and SMS entries of the
spec's list examples (client 4199) with the spec's ids.

The table lost its blank cells when the vendor's page was copied; the rows of its isBlocked
table fix them: entries 3, 4 and 5 are client-level, 1 and 2 belong to services 123 and 456,
and 6 (account A6789) belongs to service 123, since isBlocked rows 6 and 8 together allow
nothing else.
"""

from datetime import date

from livevox_site.models import Client, sync_id_sequence

from .models import (
    NO_GROUP,
    NO_SERVICE,
    ContactGroup,
    DialtimeEntry,
    DncType,
    EmailEntry,
    LegacyEntry,
    ListEntry,
    SmsEntry,
)

# (DNC ID, service id or 0, phone, account, zip): the spec's DNC Rules table.
DNC_RULES = [
    (1, 123, "4152257000", "", ""),
    (2, 456, "6173432000", "A12345", ""),
    (3, NO_SERVICE, "2016668000", "A12345", ""),
    (4, NO_SERVICE, "5034441000", "", ""),
    (5, NO_SERVICE, "", "", "94110"),
    (6, 123, "", "A6789", ""),
]

# The contact groups the spec's examples name for client 4199 (not 4968: the spec's example
# of an invalid one).
CONTACT_GROUPS = [1320, 1321, 1522, 4962, 4967, 11435, 1020229, 1020230, 1020231]


# (id, value, contact group or 0, expiration date or None): the rows the spec's List, Read and
# Find Matching examples show for client 4199. The spec's expirationDate values are midnights
# in the client's zone (America/New_York): 1519880400000 is 2018-03-01, 1634616000000 is
# 2021-10-19. They have passed, so these entries no longer block (and purge_dnc removes them
# until the next seed_demo brings them back).
DIALTIME_EXAMPLES = [
    (21945273, "4155553734", 1320, None),
    (21945274, "4155553767", 1320, date(2018, 3, 1)),
    (21945275, "4155553734", 1321, None),
    (21945272, "4085553745", NO_GROUP, date(2018, 3, 2)),
    (12225072, "8001234567", NO_GROUP, None),
]
EMAIL_EXAMPLES = [
    (100630220, "example1a@gmail.com", 1020229, date(2021, 10, 19)),
    (100630221, "example2@gmail.com", 1020230, date(2021, 10, 20)),
    (100630222, "example3@gmail.com", 1020231, date(2021, 10, 22)),
    (100630223, "example1@gmail.com", 1020229, date(2021, 10, 19)),
    (100630224, "example1@gmail.com", 1020230, date(2021, 10, 20)),
    (100630225, "example1@gmail.com", 1020231, date(2021, 10, 22)),
    (100630226, "example1@gmail.com", NO_GROUP, date(2021, 10, 22)),
]
SMS_EXAMPLES = [
    (159475304, "9176754178", 1020229, date(2021, 11, 2)),
    (159475306, "6503517497", 1020229, date(2021, 10, 27)),
    (159475308, "6178498807", 1020231, date(2021, 10, 28)),
    (159533878, "6505153873", 1020229, date(2021, 10, 27)),
    (159533880, "9176754178", 1020231, date(2021, 10, 28)),
]
LIST_EXAMPLES: list[tuple[type[ListEntry], list[tuple]]] = [
    (DialtimeEntry, DIALTIME_EXAMPLES),
    (EmailEntry, EMAIL_EXAMPLES),
    (SmsEntry, SMS_EXAMPLES),
]


def seed_list_examples(client: Client) -> None:
    """The dial-time, email and SMS entries of the spec's examples, with the spec's ids, as
    entries of ``client`` (idempotent: an entry that exists, by id or by its value and group,
    is left as it is, even if changed since). Needs the contact groups
    (``seed_contact_groups``)."""
    for model, rows in LIST_EXAMPLES:
        created = False
        for entry_id, value, group, expires in rows:
            if model.objects.filter(id=entry_id).exists():
                continue
            key = {"client": client, model.value_field: value, "contact_group_id": group}
            if model.objects.filter(**key).exists():
                continue
            model.objects.create(
                id=entry_id,
                expiration_date=expires,
                added_by="demo",
                added_via="seed_demo",
                **key,
            )
            created = True
        if created:
            sync_id_sequence(model)


def seed_dnc_rules(client: Client) -> list[LegacyEntry]:
    """The six entries of the DNC Rules table, as permanent entries of ``client`` (idempotent:
    an existing entry with the same values is kept)."""
    found = []
    for _, service_id, phone, account, zip_code in DNC_RULES:
        entry, _ = LegacyEntry.objects.get_or_create(
            client=client,
            service_id=service_id,
            phone=phone,
            account=account,
            zip=zip_code,
            dnc_type=DncType.PERMANENT,
            defaults={"added_by": "demo", "added_via": "seed_demo"},
        )
        found.append(entry)
    return found


def seed_contact_groups(client: Client) -> None:
    for group_id in CONTACT_GROUPS:
        ContactGroup.objects.get_or_create(
            group_id=group_id, client=client, defaults={"name": f"Group {group_id}"}
        )


def seed_acme(client: Client) -> None:
    seed_contact_groups(client)
    seed_list_examples(client)


def seed_dnc(actor) -> None:
    for client_id, seed in ((93119, seed_dnc_rules), (4199, seed_acme)):
        client = Client.objects.filter(pk=client_id).first()
        if client is not None:
            seed(client)
