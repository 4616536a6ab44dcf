"""Contact groups: a client's named groups that dial-time, email and SMS entries may name.
Managed in the admin (the vendor's API has no method for them). Every write is audited."""

from django.db import transaction

from livevox_site.audit import Actor, audit_record, snapshot
from livevox_site.errors import AlreadyExists, InvalidInput, InvalidValue
from livevox_site.lenient import MAX_INT, clean_text
from livevox_site.models import Client

from ..models import ContactGroup, DialtimeEntry, EmailEntry, SmsEntry

NAME_MAX_LENGTH = ContactGroup._meta.get_field("name").max_length
LIST_MODELS = (DialtimeEntry, EmailEntry, SmsEntry)


def _name(name: str) -> str:
    try:
        return clean_text(name, "name", max_length=NAME_MAX_LENGTH)
    except InvalidInput as exc:
        raise InvalidValue(exc.message, field="name") from None


def _check_unique(*, client: Client, name: str, group_id: int | None, exclude: int | None) -> None:
    groups = ContactGroup.objects.for_client(client)
    if groups.filter(name=name).exclude(pk=exclude).exists():
        raise InvalidValue(f"a contact group named {name!r} exists", field="name")
    if group_id is not None and ContactGroup.objects.filter(pk=group_id).exists():
        # Ids are site-wide (the vendor's): another client's id is taken too, without saying
        # whose it is.
        raise AlreadyExists(f"contact group id {group_id} is taken")


def contact_group_check(
    *, client: Client, name: str, group_id: int | None = None, exclude: int | None = None
) -> str:
    """The cleaned name, or ``InvalidValue`` / ``AlreadyExists`` (for a form's clean())."""
    cleaned = _name(name)
    if group_id is not None and not 0 < group_id <= MAX_INT:
        raise InvalidValue("must be a positive whole number", field="id")
    _check_unique(client=client, name=cleaned, group_id=group_id, exclude=exclude)
    return cleaned


@transaction.atomic
def contact_group_create(
    *, actor: Actor, client: Client, name: str, group_id: int | None = None
) -> ContactGroup:
    """A new group; ``group_id`` keeps the vendor's id (1320) when given."""
    cleaned = contact_group_check(client=client, name=name, group_id=group_id)
    group = ContactGroup(client=client, name=cleaned)
    if group_id is not None:
        group.pk = group_id
    group.save()
    audit_record(
        actor=actor,
        client=client,
        action="dnc.contactgroup.added",
        obj=group,
        after=snapshot(group),
    )
    return group


@transaction.atomic
def contact_group_rename(*, actor: Actor, group: ContactGroup, name: str) -> ContactGroup:
    cleaned = contact_group_check(client=group.client, name=name, exclude=group.pk)
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
        before=before,
        after=snapshot(group),
    )
    return group


def entries_in_group(group: ContactGroup) -> int:
    """How many entries name the group (an indexed probe per list; stops at the first)."""
    return sum(
        1
        for model in LIST_MODELS
        if model.objects.filter(client_id=group.client_id, contact_group_id=group.pk).exists()
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
    group_id = group.pk
    group.delete()
    audit_record(
        actor=actor,
        client=client_id,
        action="dnc.contactgroup.deleted",
        obj_type="dnc.contactgroup",
        obj_id=group_id,
        name=name,
        before=before,
    )
