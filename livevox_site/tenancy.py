"""The tenant guard: how each model reaches its client, declared once on the model, and used by
the API's base viewset, the admin's mixin, the services and the selectors alike.

Every model that the API or the admin shows declares a class attribute ``tenant_path``:

- a lookup from the model to its ``Client``: ``"client"`` for a direct foreign key,
  ``"strategy__client"`` for a row that belongs to a strategy, ``"pk"`` for ``Client`` itself;
- or ``SHARED`` for a catalog that every client reads (the call results catalog).

A model whose rows are each either one client's or shared by all (system-wide dialing
profiles: no client) also declares ``tenant_shared_when_empty = True``. ``for_client`` still
answers only the client's own rows (what it may change); ``visible_to`` adds the shared ones
(what it may read), for the API's selectors and the admin's mixin alike.

A model without a declaration raises ``ImproperlyConfigured`` the first time something scopes
it: a forgotten declaration fails loudly instead of being treated as shared.

Raw SQL on a hot path cannot go through ``for_client``; such functions take the client (or its
id) as a required keyword argument (``def is_blocked(*, client: Client, ...)``,
``def strategy_read(*, client_id: int, ...)``) and put it in their ``WHERE`` clause, so no
caller can forget it either.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models

SHARED = "__shared__"


def tenant_path(model: type[models.Model]) -> str | None:
    """The lookup from ``model`` to its client, or None for a declared shared model."""
    path = getattr(model, "tenant_path", None)
    if path is None:
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no tenant_path: say how it reaches its client "
            "(e.g. tenant_path = 'client') or that it is shared (tenant_path = SHARED)"
        )
    return None if path == SHARED else path


def is_shared(model: type[models.Model]) -> bool:
    return tenant_path(model) is None


def for_client(queryset: models.QuerySet, client) -> models.QuerySet:
    """``queryset`` narrowed to one client (a ``Client`` or its id); shared models unchanged."""
    path = tenant_path(queryset.model)
    if path is None:
        return queryset
    client_id = client if isinstance(client, int) else client.pk
    return queryset.filter(**{path: client_id})


def has_shared_rows(model: type[models.Model]) -> bool:
    """Whether rows without a client are shared by every client (``tenant_shared_when_empty``)."""
    return bool(getattr(model, "tenant_shared_when_empty", False))


def visible_to(queryset: models.QuerySet, client) -> models.QuerySet:
    """What one client may read: its own rows, and the shared ones of a model that has them."""
    path = tenant_path(queryset.model)
    if path is None or not has_shared_rows(queryset.model):
        return for_client(queryset, client)
    client_id = client if isinstance(client, int) else client.pk
    return queryset.filter(models.Q(**{path: client_id}) | models.Q(**{f"{path}__isnull": True}))


def client_id_of(obj: models.Model) -> int | None:
    """The id of the client an object belongs to (None for shared objects), following the
    declared path attribute by attribute."""
    path = tenant_path(type(obj))
    if path is None:
        return None
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    value = obj
    for hop in hops:
        value = getattr(value, hop, None)
        if value is None:
            return None
    # A relation ("client") is read through its column; a plain column ("client_id") as it is.
    return getattr(value, last if last.endswith("_id") else f"{last}_id", None)


class TenantQuerySet(models.QuerySet):
    """The default queryset of tenant models: ``Model.objects.for_client(client)``."""

    def for_client(self, client) -> models.QuerySet:
        return for_client(self, client)

    def visible_to(self, client) -> models.QuerySet:
        return visible_to(self, client)


class OtherClientRefused(Exception):
    """Only a Sysadmin may act for another client: a 403, in the API and the admin alike."""


def client_to_act_for(user, client_id: int | None):
    """The client a request acts for, decided once for the API (``?client=``) and the admin:
    the user's own when ``client_id`` is None or theirs; another one only for a Sysadmin
    (``OtherClientRefused`` otherwise, before any lookup); None when no such client exists
    (a 404)."""
    from .models import Client

    if client_id is None or client_id == user.client_id:
        return user.client
    if not user.is_sysadmin:
        raise OtherClientRefused("You may not act for another client")
    return Client.objects.filter(pk=client_id).first()
