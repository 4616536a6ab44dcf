"""Site-wide reads that every resource app shares, so that none keeps a private copy, and the
read on the hot path: the ``LV-Session`` lookup that every API call makes.

Raw SQL instead of the ORM is a measured decision (bench/bench_api.py, figures in
bench/README.md). ``select_related("user__client", "access_token")`` took 1.2 ms a call on
SQLite and 1.8-2.6 ms on PostgreSQL, nearly all of it compiling the query; the statements at the
end of this module take 0.13 ms (SQLite) and 0.26 ms (PostgreSQL) with the four instances built,
0.06 and 0.16 ms for validate. In the same runs, session validate went from 0.26 to 0.77-0.81
of a constant DRF view on SQLite and from 0.15-0.17 to 0.49-0.60 on PostgreSQL, where that view
after one ``SELECT 1`` reaches only 0.66.

These reads keep no cache: every call reads the database, so a logout, a password change, a
revoked token or a deactivated user counts on the very next request, in every worker. The one
cache of sessions (``auth.VerifiedLaterLVSessionAuthentication``, isBlocked's) is checked again
by the very statement that answers, and never refuses on what it holds.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

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

_SESSION_USER = LVSession._meta.get_field("user")
_SESSION_TOKEN = LVSession._meta.get_field("access_token")
_USER_CLIENT = User._meta.get_field("client")


class _SessionPlan:
    """The two statements, built once per process from ``_meta``. Both join the session to its
    user and access token by the session key (the primary key) and share one WHERE clause that
    says in SQL what ``LVSession.is_valid`` says in Python, plus an active user: the API's only
    test of a session."""

    def __init__(self, db: BaseDatabaseWrapper):
        qn = db.ops.quote_name
        self.parts = [
            rawsql.ModelColumns(model, alias, db)
            for model, alias in ((LVSession, "s"), (User, "u"), (Client, "c"), (AccessToken, "t"))
        ]

        def join(model, alias: str, owner_alias: str, fk) -> str:
            return (
                f"INNER JOIN {qn(model._meta.db_table)} {alias} "
                f"ON {alias}.{qn(fk.target_field.column)} = {owner_alias}.{qn(fk.column)}"
            )

        def column(alias: str, model, name: str) -> str:
            return f"{alias}.{qn(model._meta.get_field(name).column)}"

        source = (
            f"FROM {qn(LVSession._meta.db_table)} s "
            f"{join(User, 'u', 's', _SESSION_USER)} "
            f"{join(AccessToken, 't', 's', _SESSION_TOKEN)} "
        )
        usable = (
            f"WHERE {column('s', LVSession, 'key')} = %(key)s "
            f"AND {column('s', LVSession, 'last_used_at')} > %(idle_since)s "
            f"AND {column('t', AccessToken, 'revoked_at')} IS NULL "
            f"AND {column('u', User, 'is_active')} = %(active)s"
        )
        columns = ", ".join(column for part in self.parts for column in part.select)
        self.get = (
            f"SELECT {columns} {source}"  # noqa: S608 (names from _meta)
            f"{join(Client, 'c', 'u', _USER_CLIENT)} {usable}"
        )
        self.usable = f"SELECT 1 {source}{usable}"  # noqa: S608 (names from _meta)


@cache
def _plan_of(vendor: str) -> _SessionPlan:
    """The session statements, built once per database vendor."""
    return _SessionPlan(connections[DEFAULT_DB_ALIAS])


def _prepare(key: str, now: datetime) -> tuple[BaseDatabaseWrapper, _SessionPlan, dict] | None:
    if not key or "\x00" in key:  # psycopg refuses NUL in text; no such key exists anyway
        return None
    db = connections[DEFAULT_DB_ALIAS]
    plan = _plan_of(db.vendor)
    idle_since = now - timedelta(seconds=settings.LV_SESSION_IDLE_SECONDS)
    # As the ORM would send it (SQLite compares datetimes as text).
    params = {
        "key": key,
        "idle_since": db.ops.adapt_datetimefield_value(idle_since),
        "active": True,
    }
    return db, plan, params


def session_get(key: str, *, now: datetime | None = None) -> LVSession | None:
    """The usable session with this key, or None when there is none (unknown key, unused for
    ``LV_SESSION_IDLE_SECONDS``, revoked access token, inactive user). ONE query; the session
    comes with ``session.user``, ``session.user.client`` and ``session.access_token`` loaded, so
    reading them costs nothing."""
    prepared = _prepare(key, now or timezone.now())
    if prepared is None:
        return None
    db, plan, params = prepared
    with db.cursor() as cursor:
        rawsql.execute(cursor, "lv_session_get", plan.get, params)
        row = cursor.fetchone()
    if row is None:
        return None
    loaded = []
    start = 0
    for part in plan.parts:
        loaded.append(part.instance(row[start : start + len(part.attnames)], db))
        start += len(part.attnames)
    session, user, client, token = loaded
    _USER_CLIENT.set_cached_value(user, client)
    _SESSION_USER.set_cached_value(session, user)
    _SESSION_TOKEN.set_cached_value(session, token)
    return session


def session_is_usable(key: str) -> bool:
    """Whether ``session_get`` would find this session: the same WHERE clause, one query,
    nothing loaded (``GET /session/validate`` needs no more)."""
    prepared = _prepare(key, timezone.now())
    if prepared is None:
        return False
    db, plan, params = prepared
    with db.cursor() as cursor:
        rawsql.execute(cursor, "lv_session_usable", plan.usable, params)
        return cursor.fetchone() is not None


def session_usable_clause(
    key: str, *, now: datetime | None = None
) -> tuple[BaseDatabaseWrapper, str, dict] | None:
    """For a hot path that folds the session check into its own statement (isBlocked): the
    database, ``SELECT 1 FROM <session> s JOIN <user> u JOIN <token> t WHERE <usable>`` (the
    WHERE clause of ``session_get``, with ``%(key)s``, ``%(idle_since)s`` and ``%(active)s``;
    a caller may append ``AND u.<column> = ...``) and its parameters. None for a key that
    cannot exist."""
    prepared = _prepare(key, now or timezone.now())
    if prepared is None:
        return None
    db, plan, params = prepared
    return db, plan.usable, params
