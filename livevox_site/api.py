"""API conventions shared by every resource app: the tenant-scoped base viewset, client
resolution, ``offset``/``count`` paging with relative ``next`` links, and ``info`` answers."""

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from .audit import Actor, audit_last_modified
from .errors import EntryNotFound, InvalidInput, InvalidValue, for_wire
from .lenient import MAX_INT, epoch_ms, parse_int, query
from .models import Client
from .permissions import LiveVoxPermission
from .tenancy import OtherClientRefused, client_to_act_for, for_client

MAX_COUNT = 1000


def resolve_client(request) -> Client:
    """The client a request acts for: the user's own, or with ``?client=`` another one, which
    only a Sysadmin may name (anyone else: 403)."""
    raw = query(request).get("client")
    try:
        client = client_to_act_for(request.user, None if raw is None else parse_int(raw, "client"))
    except OtherClientRefused as refused:
        raise PermissionDenied(str(refused)) from None
    if client is None:
        raise EntryNotFound("Client not found")
    return client


def page_params(request) -> tuple[int, int]:
    """``offset`` and ``count``, both required; ``count`` is capped at 1000 (the vendor's cap)."""
    params = query(request)
    for name in ("offset", "count"):
        if name not in params:
            raise InvalidInput(f"{name} is required", field=name)
    offset = parse_int(params["offset"], "offset", min_value=0)
    count = parse_int(params["count"], "count", min_value=1)
    return offset, min(count, MAX_COUNT)


def next_link(request, offset: int, count: int) -> str:
    """Relative, no leading slash, repeating the version segment the client used:
    ``compliance/v6.0/email/dnc?offset=5&count=5``."""
    category, _, rest = request.path_info.lstrip("/").partition("/")
    version = getattr(request, "lv_version", "")
    path = "/".join(part for part in (category, version, rest) if part)
    others = [(k, v) for k, v in request.GET.items() if k.lower() not in ("offset", "count")]
    return f"{path}?{urlencode([('offset', offset + count), ('count', count), *others])}"


# --- the schema's shared parts (each family's error body is its own) -------------------------

CLIENT = OpenApiParameter(
    "client", int, OpenApiParameter.QUERY, description="Act for this client (Sysadmins only)"
)
PAGE = [
    OpenApiParameter("offset", int, OpenApiParameter.QUERY, required=True),
    OpenApiParameter("count", int, OpenApiParameter.QUERY, required=True, description="<= 1000"),
]


def error_responses(
    body,
    *,
    invalid: str = "202 invalid input",
    forbidden: str = "Role or client not allowed",
    not_found: str | None = "203 entry not found",
) -> dict:
    """The error answers of an operation, in its family's ``body`` shape: 400 (``invalid``
    says which codes), 401, 403 (``forbidden`` says who), and 404 unless ``not_found`` is
    None."""
    errors = {
        400: OpenApiResponse(body, description=invalid),
        401: OpenApiResponse(description="No valid LV-Session"),
        403: OpenApiResponse(body, description=forbidden),
    }
    if not_found is not None:
        errors[404] = OpenApiResponse(body, description=not_found)
    return errors


def no_content(errors: dict) -> dict:
    """An operation that answers 204 with an empty body, or one of ``errors``."""
    return {204: OpenApiResponse(description="Done; empty body"), **errors}


class WireSchema(AutoSchema):
    """OpenAPI for LiveVox methods: a "list" answers one object (``{"strategy": [...], "next":
    ...}``), never a bare array, whatever DRF's action name suggests."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


T = TypeVar("T")

# Resolved from TenantViewSet itself in every subclass (checked when the class is created).
GUARDED = (
    "get_queryset",
    "get_object",
    "get_permissions",
    "get_authenticators",
    "permission_classes",
)


class TenantViewSet(viewsets.GenericViewSet):
    """Base for every LiveVox API viewset.

    - Fails closed: a subclass must declare ``read_perm`` and ``write_perm`` (a permission, or
      ``ANY_ROLE``), checked when the class is created, like the two rules below.
    - ``request.client`` is resolved once, after authentication and the role check.
    - ``get_queryset`` always narrows to ``request.client`` through the model's declared
      ``tenant_path`` (``livevox_site.tenancy``); subclasses refine it in ``scope_queryset`` and
      may override neither ``get_queryset`` nor ``get_object``, so scoping cannot be forgotten.
      Another client's object is then a 404.
    - The error body's shape follows the path (``livevox_site.errors.shape_for_path``).
    """

    # Bodies are parsed by the app's wire module; this only lets OPTIONS and the browsable API
    # render.
    serializer_class = serializers.Serializer
    read_perm: str | None = None
    write_perm: str | None = None
    action_perms: dict[str, str] = {}
    agent_actions: tuple[str, ...] = ()
    # Service parameter -> wire field, to name the field of a service's InvalidValue.
    wire_field_names: dict[str, str] = {}
    lookup_value_regex = r"[^/]+"
    schema = WireSchema()
    # The one permission class; subclasses declare what it checks, never replace it.
    permission_classes = [LiveVoxPermission]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # What the class resolves, not only what it writes itself: a mixin placed before this
        # base in the bases would otherwise replace the scoping or the permission check unseen.
        for guarded in GUARDED:
            if getattr(cls, guarded) is not getattr(TenantViewSet, guarded):
                owner = next(k for k in cls.__mro__ if guarded in k.__dict__)
                raise TypeError(
                    f"{cls.__name__}: {guarded} comes from {owner.__name__}; TenantViewSet's "
                    "is the only one (narrow rows in scope_queryset(), name the permissions "
                    "in read_perm / write_perm / action_perms)"
                )
        missing = [name for name in ("read_perm", "write_perm") if not getattr(cls, name, None)]
        if missing:
            raise TypeError(
                f"{cls.__name__} declares no {' and no '.join(missing)}: name the permission "
                "each needs, or ANY_ROLE"
            )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request.client = resolve_client(request)
        request._request.client = request.client

    def handle_exception(self, exc):
        if isinstance(exc, InvalidValue):
            exc = for_wire(exc, self.wire_field_names)
        return super().handle_exception(exc)

    def get_queryset(self) -> QuerySet:
        return self.scope_queryset(for_client(super().get_queryset(), self.request.client))

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        """Hook: narrow or annotate the tenant's queryset."""
        return queryset

    def lookup_id(self) -> int:
        """The object id in the path; a 404 when it cannot be one."""
        lookup = str(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        # ASCII digits within the id columns' range; anything else names no object.
        if not (lookup.isascii() and lookup.isdigit() and 0 < int(lookup) <= MAX_INT):
            raise EntryNotFound()
        return int(lookup)

    def scoped_lookup(
        self, find: Callable[[Client, Any], T | None], object_id: Any = None, message: str = ""
    ) -> T:
        """The one way to find an object other than by ``get_object``: a hand-written statement
        (a hot read), a key that is not the primary key (a recording's vendor id), rows the
        client shares with others (system-wide dialing profiles). ``find(client, object_id)``
        answers the object within ``request.client``, or None: the same 404 as get_object's.
        ``object_id`` defaults to the path's id (``lookup_id``)."""
        found = find(self.request.client, self.lookup_id() if object_id is None else object_id)
        if found is None:
            raise EntryNotFound(message) if message else EntryNotFound()
        return found

    def get_object(self):
        obj = self.get_queryset().filter(**{self.lookup_field: self.lookup_id()}).first()
        if obj is None:
            raise EntryNotFound()
        self.check_object_permissions(self.request, obj)
        return obj

    @property
    def actor(self) -> Actor:
        return Actor.from_request(self.request)

    def paged_response(self, queryset: QuerySet, key: str, serialize_page) -> Response:
        """One page as ``{key: [...], "next": link-or-null}``. ``serialize_page`` turns the
        page's rows into the JSON list at once, so related rows can be fetched per page."""
        offset, count = page_params(self.request)
        rows = list(queryset[offset : offset + count + 1])
        more = len(rows) > count
        return Response(
            {
                key: serialize_page(rows[:count]),
                "next": next_link(self.request, offset, count) if more else None,
            }
        )

    def info_response(self, queryset: QuerySet, object_types: list[str]) -> Response:
        """``{size, lastModified}``; lastModified (epoch ms) is left out when nothing was ever
        changed, as the vendor allows.

        Cost at scale. ``lastModified`` is one probe of the audit index (client, object_type,
        at): constant time. ``size`` is ``queryset.count()``, which reads every matching row:
        at best an index-only scan of an index that starts with the client column (after
        autovacuum has marked the pages all-visible), else a sequential scan. Measured with
        ``bench/bench_count.py`` (PostgreSQL, 10 million rows of one client, both cores busy
        with parallel workers): about 700 ms per call, with or without a service filter,
        whichever the plan; reading a counter row: 0.26 ms. Fine for strategies and profiles
        (hundreds of rows per client). The DNC lists must not count: they keep a counter table
        per (client, list type, service), changed in the same transaction as every write
        (``bulk_upsert``'s ``report.created``, single creates, deletions) and read here instead
        of ``queryset.count()``. Bulk writes add to the counter once per call, so it is no
        hot spot; concurrent single writes to one client's counter row queue on its row lock.
        """
        body = {"size": queryset.count()}
        last = audit_last_modified(client=self.request.client, object_types=object_types)
        if last is not None:
            body["lastModified"] = epoch_ms(last)
        return Response(body)
