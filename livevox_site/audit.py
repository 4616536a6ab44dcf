"""Writing the audit log. Every service that changes data calls ``audit_record`` (or
``audit_bulk`` once per bulk operation) with the ``Actor`` it was given."""

from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
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
) -> AuditEntry:
    """Append one entry. ``before``/``after`` are JSON-able snapshots (see ``snapshot``)."""
    client_id = client.pk if isinstance(client, Client) else client
    return AuditEntry.objects.create(
        client_id=client_id,
        actor_id=actor.user_id,
        actor_name=actor.name,
        actor_session=actor.session,
        actor_token=actor.token,
        source=actor.source,
        action=action,
        object_type=obj_type or (object_type(obj) if obj is not None else ""),
        object_id=str(obj_id if obj_id != "" else (obj.pk if obj is not None else "")),
        before=to_json(before),
        after=to_json(after),
        details=to_json(details),
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
