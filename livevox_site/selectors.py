"""Site-wide reads that every resource app shares, so that none keeps a private copy, and the
read on the hot path: the ``LV-Session`` lookup that every API call makes.

Raw SQL instead of the ORM is a measured decision. ``select_related("user__client",
"access_token")`` spent 1.2-2.5 ms per call, nearly all of it compiling the query, where the
statement below takes 0.15-0.4 ms in all (bench/README.md: session validate went from 0.13-0.19
of a constant DRF view to the figures there). There is no cache: every call reads the database,
so a logout, a password change, a revoked token or a deactivated user counts on the very next
request, in every worker.
"""

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from . import rawsql
from .errors import EntryNotFound, InvalidValue
from .lenient import MAX_INT
from .models import AccessToken, Client, LVSession, Service, User


def service_for_client(*, client: Client | int, service_id: int) -> Service:
    """A service of ``client``; another client's service is not found, like a missing one."""
    if not 0 < service_id <= MAX_INT:
        raise EntryNotFound()
    service = Service.objects.for_client(client).filter(pk=service_id).first()
    if service is None:
        raise EntryNotFound()
    return service


def check_services_of_client(
    *, client: Client | int, service_ids: Iterable[int], field: str = "service_ids"
) -> list[int]:
    """``service_ids`` without repeats, in their order, each a service of ``client`` (one query);
    another client's service is reported like an unknown one."""
    ids = list(dict.fromkeys(service_ids))
    storable = [service_id for service_id in ids if 0 < service_id <= MAX_INT]
    known = set(
        Service.objects.for_client(client).filter(pk__in=storable).values_list("pk", flat=True)
    )
    unknown = [service_id for service_id in ids if service_id not in known]
    if unknown:
        raise InvalidValue(f"no service {unknown[0]} in this client", field=field)
    return ids


# --- the LV-Session lookup ------------------------------------------------------------------

_plans: dict[str, tuple[str, list[rawsql.ModelColumns]]] = {}


def _plan(db: BaseDatabaseWrapper) -> tuple[str, list[rawsql.ModelColumns]]:
    """One SELECT of the session row joined to its user, the user's client and its access
    token, by the session key (the primary key); built once per process from ``_meta``."""
    found = _plans.get(db.vendor)
    if found is not None:
        return found
    qn = db.ops.quote_name
    parts = [
        rawsql.ModelColumns(model, alias, db)
        for model, alias in ((LVSession, "s"), (User, "u"), (Client, "c"), (AccessToken, "t"))
    ]

    def join(model, alias: str, owner_alias: str, fk) -> str:
        return (
            f"INNER JOIN {qn(model._meta.db_table)} {alias} "
            f"ON {alias}.{qn(fk.target_field.column)} = {owner_alias}.{qn(fk.column)}"
        )

    sql = (
        f"SELECT {', '.join(column for part in parts for column in part.select)} "  # noqa: S608
        f"FROM {qn(LVSession._meta.db_table)} s "
        f"{join(User, 'u', 's', _SESSION_USER)} "
        f"{join(Client, 'c', 'u', _USER_CLIENT)} "
        f"{join(AccessToken, 't', 's', _SESSION_TOKEN)} "
        f"WHERE s.{qn(LVSession._meta.pk.column)} = %(key)s"
    )
    plan = _plans[db.vendor] = (sql, parts)
    return plan


_SESSION_USER = LVSession._meta.get_field("user")
_SESSION_TOKEN = LVSession._meta.get_field("access_token")
_USER_CLIENT = User._meta.get_field("client")


def session_get(key: str) -> LVSession | None:
    """The session with this key, or None, in ONE query, with ``session.user``,
    ``session.user.client`` and ``session.access_token`` loaded (reading them costs nothing).

    Whether the session may be used (expiry, revoked token, inactive user) is the caller's
    question: ``session.is_valid()`` and ``session.user.is_active``."""
    if not key or "\x00" in key:  # psycopg refuses NUL in text; no such key exists anyway
        return None
    db = connections[DEFAULT_DB_ALIAS]
    sql, parts = _plan(db)
    with db.cursor() as cursor:
        rawsql.execute(cursor, "lv_session_get", sql, {"key": key})
        row = cursor.fetchone()
    if row is None:
        return None
    loaded = []
    start = 0
    for part in parts:
        loaded.append(part.instance(row[start : start + len(part.attnames)], db))
        start += len(part.attnames)
    session, user, client, token = loaded
    _USER_CLIENT.set_cached_value(user, client)
    _SESSION_USER.set_cached_value(session, user)
    _SESSION_TOKEN.set_cached_value(session, token)
    return session
