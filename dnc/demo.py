"""Demo data of the DNC lists: the spec's DNC Rules table (client 93119, services 123, 456 and
789) and the spec's contact groups of client 4199.

The table lost its blank cells when the vendor's page was copied; the rows of its isBlocked
table fix them: entries 3, 4 and 5 are client-level, 1 and 2 belong to services 123 and 456,
and 6 (account A6789) belongs to service 123, since isBlocked rows 6 and 8 together allow
nothing else.
"""

from livevox_site.models import Client

from .models import NO_SERVICE, ContactGroup, DncType, LegacyEntry

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
            id=group_id, client=client, defaults={"name": f"Group {group_id}"}
        )


def seed_dnc(actor) -> None:
    for client_id, seed in ((93119, seed_dnc_rules), (4199, seed_contact_groups)):
        client = Client.objects.filter(pk=client_id).first()
        if client is not None:
            seed(client)
