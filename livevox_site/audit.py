"""Writing the audit log. Every service that changes data calls ``audit_record`` (or
``audit_bulk`` once per bulk operation) with the ``Actor`` it was given."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms.models import model_to_dict

from .models import AuditEntry, Client, LVSession, Source


@dataclass(frozen=True)
class Actor:
    """Who is acting, and through what: resolved once per request or command."""

    source: str
    user_id: int | None = None
    name: str = ""
    session: str = ""
    token: str = ""

    @classmethod
    def from_request(cls, request, source: str = Source.API) -> "Actor":
        user = getattr(request, "user", None)
        # LVSessionAuthentication puts the session in DRF's request.auth; the admin has none.
        lv_session = getattr(request, "auth", None)
        if not isinstance(lv_session, LVSession):
            lv_session = None
        if user is None or not user.is_authenticated:
            return cls(source=source)
        return cls(
            source=source,
            user_id=user.pk,
            name=str(user),
            session=lv_session.key[:8] if lv_session else "",
            token=lv_session.access_token.prefix if lv_session else "",
        )

    @classmethod
    def command(cls, name: str) -> "Actor":
        return cls(source=Source.COMMAND, name=name)


def to_json(value: Any) -> Any:
    """A JSON-safe copy (dates, decimals, UUIDs become strings)."""
    import json

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj: models.Model | None) -> dict | None:
    """The audit view of an object: its own ``audit_snapshot()`` if it has one, else its
    fields."""
    if obj is None:
        return None
    if hasattr(obj, "audit_snapshot"):
        return to_json(obj.audit_snapshot())
    data = model_to_dict(obj)
    data.pop("password", None)
    for field in obj._meta.many_to_many:
        if field.name in data:  # model_to_dict gives the related objects: keep their ids
            data[field.name] = sorted(related.pk for related in data[field.name])
    data["id"] = obj.pk
    return to_json(data)


def object_type(obj_or_model) -> str:
    return obj_or_model._meta.label_lower


def audit_record(
    *,
    actor: Actor,
    client: Client | int,
    action: str,
    obj: models.Model | None = None,
    obj_type: str = "",
    obj_id: Any = "",
    before: Any = None,
    after: Any = None,
    details: dict | None = None,
    name: str = "",
    subject: tuple[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``before``/``after`` are JSON-able snapshots (see ``snapshot``).

    ``name`` is what a person calls the object (default: ``obj.audit_name()``, ``str(obj)``, or
    the snapshot's ``name``), kept so the trail can be searched and read after the object is
    gone. ``subject`` is the (type, id) of the object whose history this belongs to (default:
    ``obj.audit_subject()``, else the object itself): an outcome's changes are its strategy's.
    """
    client_id = client.pk if isinstance(client, Client) else client
    kind = obj_type or (object_type(obj) if obj is not None else "")
    object_id = str(obj_id if obj_id != "" else (obj.pk if obj is not None else ""))
    if not name:
        if obj is not None:
            name = obj.audit_name() if hasattr(obj, "audit_name") else str(obj)
        else:
            shown = after if isinstance(after, dict) else before
            name = str(shown.get("name", "")) if isinstance(shown, dict) else ""
    if subject is None and obj is not None and hasattr(obj, "audit_subject"):
        subject = obj.audit_subject()
    subject_type, subject_id = subject if subject is not None else (kind, object_id)
    return AuditEntry.objects.create(
        object_name=name[:200],
        subject_type=subject_type,
        subject_id=str(subject_id),
        client_id=client_id,
        actor_id=actor.user_id,
        actor_name=actor.name,
        actor_session=actor.session,
        actor_token=actor.token,
        source=actor.source,
        action=action,
        object_type=kind,
        object_id=object_id,
        before=to_json(before),
        after=to_json(after),
        details=to_json(details),
    )


def audit_bulk(
    *,
    actor: Actor,
    client: Client | int,
    action: str,
    obj_type: str,
    counts: Mapping[str, int],
    source_name: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """One entry for a whole bulk operation (an import, a bulk endpoint call), never one per row.

    ``counts`` says what happened to the lines, e.g. ``{"created": 10, "updated": 2,
    "unchanged": 0, "failed": 1}``; ``source_name`` names where they came from (the file name,
    or the request, e.g. ``"POST /compliance/dnc/multiplePhoneDnc"``). Both land in
    ``details`` (``{"counts": ..., "source": ..., **details}``). Call it inside the batch's
    ``transaction.atomic()`` so the entry commits, or rolls back, with the rows: outside a
    transaction it raises ``RuntimeError``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_bulk must run inside the transaction that writes the batch")
    return audit_record(
        actor=actor,
        client=client,
        action=action,
        obj_type=obj_type,
        details={"counts": dict(counts), "source": source_name, **(details or {})},
    )


def audit_deleted(
    *,
    actor: Actor,
    client: Client | int,
    objects_or_snapshots: Sequence[models.Model | dict],
    obj_type: str = "",
    action: str = "",
    details: dict | None = None,
) -> AuditEntry | None:
    """Record the deletion of several objects of one kind and one client: one ordinary entry
    (``action``, ``before`` = the snapshot) for one object, one summary entry for more
    (``action + "_bulk"``, ``before`` = the list of snapshots, ``details`` = ``{"count",
    "ids"}``). Nothing is written for none.

    Pass model instances (snapshotted now, so call this before they are deleted, in the same
    transaction) or snapshots already taken, each with its ``"id"``. ``obj_type`` defaults to
    the instances' model label, ``action`` to ``<obj_type>.deleted``. Meant for selections a
    person makes (the admin, an API call naming ids); an import that removes thousands of rows
    writes ``audit_bulk`` with counts instead of every row's snapshot.
    """
    if not objects_or_snapshots:
        return None
    befores, ids = [], []
    for item in objects_or_snapshots:
        if isinstance(item, models.Model):
            obj_type = obj_type or object_type(item)
            befores.append(snapshot(item))
            ids.append(item.pk)
        elif "id" in item:
            befores.append(to_json(item))
            ids.append(item["id"])
        else:
            raise ValueError("audit_deleted: a snapshot needs its 'id'")
    if not obj_type:
        raise ValueError("audit_deleted: obj_type is required for snapshots")
    action = action or f"{obj_type}.deleted"
    if len(befores) == 1:
        return audit_record(
            actor=actor,
            client=client,
            action=action,
            obj_type=obj_type,
            obj_id=ids[0],
            before=befores[0],
            details=details,
        )
    return audit_record(
        actor=actor,
        client=client,
        action=f"{action}_bulk",
        obj_type=obj_type,
        before=befores,
        details={"count": len(ids), "ids": to_json(ids), **(details or {})},
    )


def _model_labels() -> frozenset[str]:
    from django.apps import apps

    return frozenset(model._meta.label_lower for model in apps.get_models())


def audit_visible_to(queryset: models.QuerySet, user) -> models.QuerySet:
    """The entries of ``queryset`` that ``user`` may read.

    An entry shows an object's before and after, so it is readable exactly when the object is:
    with the ``view_`` permission of the model its ``object_type`` names
    (``strategies.dialingstrategy`` needs ``strategies.view_dialingstrategy``). Entries of no
    model (events such as ``site.login``) are for Superusers and Sysadmins only. Tenant scoping
    is the caller's (``scope_to_client``); this only narrows by kind.
    """
    from .roles import Role

    labels = _model_labels()
    readable = sorted(
        label for label in labels if user.has_perm("{}.view_{}".format(*label.split(".", 1)))
    )
    allowed = models.Q(object_type__in=readable)
    if user.role in (Role.SYSADMIN, Role.SUPERUSER):
        allowed |= ~models.Q(object_type__in=sorted(labels))
    return queryset.filter(allowed)


def audit_last_modified(*, client: Client | int, object_types: list[str]):
    """When anything of these types last changed for the client (deletions included), or None."""
    client_id = client.pk if isinstance(client, Client) else client
    return AuditEntry.objects.filter(client_id=client_id, object_type__in=object_types).aggregate(
        last=models.Max("at")
    )["last"]
