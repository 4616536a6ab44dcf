"""Contact groups: a client's named groups that dial-time, email and SMS entries may name.
Managed in the admin (the vendor's API has no method for them). Every write is audited.

A group's id (``ContactGroup.group_id``, the vendor's ``contactGroupId``) is unique within its
client only: every check and lookup here looks at the client's own groups, so no answer
depends on (or reveals) the ids another client holds. A new group given no id gets one more
than its client's largest."""

from django.db import IntegrityError, transaction
from django.db.models import Max

from livevox_site.audit import Actor, audit_record, snapshot
from livevox_site.errors import AlreadyExists, InvalidInput, InvalidValue
from livevox_site.lenient import MAX_INT, clean_text
from livevox_site.models import Client

from ..models import ContactGroup, DialtimeEntry, EmailEntry, SmsEntry

NAME_MAX_LENGTH = ContactGroup._meta.get_field("name").max_length
LIST_MODELS = (DialtimeEntry, EmailEntry, SmsEntry)
# Inserts tried when a concurrent writer takes the next free id (or the random key) first.
CREATE_ATTEMPTS = 5


def _name(name: str) -> str:
    try:
        return clean_text(name, "name", max_length=NAME_MAX_LENGTH)
    except InvalidInput as exc:
        raise InvalidValue(exc.message, field="name") from None


def _check_unique(
    *, client: Client | int, name: str, group_id: int | None, exclude: int | None
) -> None:
    groups = ContactGroup.objects.for_client(client)
    if groups.filter(name=name).exclude(pk=exclude).exists():
        raise InvalidValue(f"a contact group named {name!r} exists", field="name")
    if group_id is not None and groups.filter(group_id=group_id).exists():
        # Taken means taken by this client: an id another client holds is free for this one,
        # and answered as any free id is.
        raise AlreadyExists(f"contact group id {group_id} is taken")


def contact_group_check(
    *, client: Client | int, name: str, group_id: int | None = None, exclude: int | None = None
) -> str:
    """The cleaned name, or ``InvalidValue`` / ``AlreadyExists`` (for a form's clean()).
    ``exclude`` is the stored key (``pk``) of the group being renamed."""
    cleaned = _name(name)
    if group_id is not None and not 0 < group_id <= MAX_INT:
        raise InvalidValue("must be a positive whole number", field="group_id")
    _check_unique(client=client, name=cleaned, group_id=group_id, exclude=exclude)
    return cleaned


def next_group_id(client: Client | int) -> int:
    """The id a new group of ``client`` gets when none is given: one more than the client's
    largest, 1 for its first. Only the client's own groups count (the (client, id) index)."""
    found = ContactGroup.objects.for_client(client).aggregate(top=Max("group_id"))["top"]
    top = found or 0
    if top >= MAX_INT:
        raise InvalidValue(f"no id is left after {top}: give one", field="group_id")
    return top + 1


@transaction.atomic
def contact_group_create(
    *, actor: Actor, client: Client, name: str, group_id: int | None = None
) -> ContactGroup:
    """A new group of ``client``; ``group_id`` keeps the vendor's id (1320) when given, else
    the group gets ``next_group_id``. ``AlreadyExists`` only when ``client`` itself holds the
    id."""
    cleaned = contact_group_check(client=client, name=name, group_id=group_id)
    for _ in range(CREATE_ATTEMPTS):
        group = ContactGroup(
            client=client,
            name=cleaned,
            group_id=next_group_id(client) if group_id is None else group_id,
        )
        try:
            with transaction.atomic():
                # force_insert: never an UPDATE of a row with the same (random) key.
                group.save(force_insert=True)
        except IntegrityError:
            # Another writer stored this client's name or id between the check and the
            # insert: answer as the check does. Else the next free id (or the random key) was
            # taken meanwhile: try again.
            contact_group_check(client=client, name=cleaned, group_id=group_id)
            continue
        break
    else:
        raise AlreadyExists("contact group id is taken: try again")
    audit_record(
        actor=actor,
        client=client,
        action="dnc.contactgroup.added",
        obj=group,
        obj_id=group.group_id,
        after=snapshot(group),
    )
    return group


@transaction.atomic
def contact_group_rename(*, actor: Actor, group: ContactGroup, name: str) -> ContactGroup:
    cleaned = contact_group_check(client=group.client_id, name=name, exclude=group.pk)
    if cleaned == group.name:
        return group
    before = snapshot(group)
    group.name = cleaned
    group.save(update_fields=["name"])
    audit_record(
        actor=actor,
        client=group.client_id,
        action="dnc.contactgroup.changed",
        obj=group,
        obj_id=group.group_id,
        before=before,
        after=snapshot(group),
    )
    return group


def entries_in_group(group: ContactGroup) -> int:
    """How many lists have entries naming the group (an indexed probe per list; stops at the
    first entry). Entries name a group by its id within their client."""
    return sum(
        1
        for model in LIST_MODELS
        if model.objects.filter(client_id=group.client_id, contact_group_id=group.group_id).exists()
    )


@transaction.atomic
def contact_group_delete(*, actor: Actor, group: ContactGroup) -> None:
    """Refused while entries name the group: they would silently lose it (and an entry's group
    is part of what makes it unique)."""
    if entries_in_group(group):
        raise InvalidValue(
            "entries of the DNC lists still name this group: remove or move them first",
            field="id",
        )
    before = snapshot(group)
    client_id = group.client_id
    name = str(group)
    group_id = group.group_id
    subject = group.audit_subject()
    group.delete()
    audit_record(
        actor=actor,
        client=client_id,
        action="dnc.contactgroup.deleted",
        obj_type="dnc.contactgroup",
        obj_id=group_id,
        name=name,
        subject=subject,
        before=before,
    )
