"""Dialing strategy reads, in the wire shape of the spec (key order as in its examples).

Services are listed in the order they were assigned (the through table's ids), as the vendor
does; services and outcomes are fetched for a whole page in one query each: no N+1. The API's
read of one strategy is one hand-written statement (``strategy_read``).
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from livevox_site import rawsql
from livevox_site.errors import EntryNotFound
from livevox_site.lenient import MAX_INT
from livevox_site.models import Client

from .models import DialingStrategy, Outcome


def service_ids_by_strategy(strategy_ids: list[int]) -> dict[int, list[int]]:
    through = DialingStrategy.services.through
    found: dict[int, list[int]] = {strategy_id: [] for strategy_id in strategy_ids}
    rows = (
        through.objects.filter(dialingstrategy_id__in=strategy_ids)
        .order_by("pk")
        .values_list("dialingstrategy_id", "service_id")
    )
    for strategy_id, service_id in rows:
        found[strategy_id].append(service_id)
    return found


def outcome_body(outcome: Outcome) -> dict:
    return _outcome_item(
        outcome.pk,
        outcome.result_id,
        outcome.dial_another_number,
        outcome.max_number_of_retries,
        outcome.retry_delay,
        outcome.requeue,
    )


def _outcome_item(
    outcome_id: int, result_id: int, dial_another: bool, retries: int, delay: int, requeue: bool
) -> dict:
    return {
        "outcomeId": outcome_id,
        "lvResultId": result_id,
        "dialAnotherNumber": dial_another,
        "maxNumberOfRetries": retries,
        "retryDelay": delay,
        "requeue": requeue,
    }


def _detail(
    strategy_id: int, name: str, sequence: list, service_ids: list[int], outcomes: list[dict]
) -> dict:
    return {
        "service": [{"id": service_id} for service_id in service_ids],
        "dialingSequenceItem": list(sequence),
        "outcomeItem": outcomes,
        "id": strategy_id,
        "name": name,
    }


def strategy_list_item(strategy: DialingStrategy, service_ids: list[int]) -> dict:
    return {
        "service": [{"id": service_id} for service_id in service_ids],
        "id": strategy.pk,
        "name": strategy.name,
    }


def strategy_list_items(strategies: list[DialingStrategy]) -> list[dict]:
    """List entries for one page of strategies (two queries in all)."""
    services = service_ids_by_strategy([strategy.pk for strategy in strategies])
    return [strategy_list_item(strategy, services[strategy.pk]) for strategy in strategies]


def strategy_details(strategies: list[DialingStrategy]) -> list[dict]:
    """Read bodies (the API's read, the admin's export) for several strategies at once."""
    services = service_ids_by_strategy([strategy.pk for strategy in strategies])
    outcomes: dict[int, list[Outcome]] = {strategy.pk: [] for strategy in strategies}
    for outcome in Outcome.objects.filter(strategy__in=strategies).order_by("id"):
        outcomes[outcome.strategy_id].append(outcome)
    return [
        _detail(
            strategy.pk,
            strategy.name,
            strategy.dialing_sequence,
            services[strategy.pk],
            [outcome_body(outcome) for outcome in outcomes[strategy.pk]],
        )
        for strategy in strategies
    ]


def strategy_detail(strategy: DialingStrategy) -> dict:
    return strategy_details([strategy])[0]


def outcome_for(strategy: DialingStrategy, outcome_id: int) -> Outcome:
    """An outcome of this strategy; anything else is not found."""
    outcome = Outcome.objects.filter(strategy=strategy, pk=outcome_id).first()
    if outcome is None:
        raise EntryNotFound()
    return outcome


def live_roles(client_ids) -> dict[int, list[str]]:
    """What each strategy is live as, for the given clients: {strategy id: ["Default",
    "Requeue"]}, from their default and requeue settings (one query)."""
    from .models import ClientStrategies

    roles: dict[int, list[str]] = {}
    for default_id, requeue_id in ClientStrategies.objects.filter(
        client_id__in=list(client_ids)
    ).values_list("default_dialing_strategy_id", "requeue_dialing_strategy_id"):
        if default_id:
            roles.setdefault(default_id, []).append("Default")
        if requeue_id:
            roles.setdefault(requeue_id, []).append("Requeue")
    return roles


def other_strategies_by_service(client_id: int, exclude_id: int | None) -> dict[int, list[str]]:
    """{service id: names of the client's other strategies it is assigned to} (one query)."""
    through = DialingStrategy.services.through
    found: dict[int, list[str]] = {}
    rows = (
        through.objects.filter(dialingstrategy__client_id=client_id)
        .exclude(dialingstrategy_id=exclude_id)
        .order_by("dialingstrategy__name")
        .values_list("service_id", "dialingstrategy__name")
    )
    for service_id, name in rows:
        found.setdefault(service_id, []).append(name)
    return found


# --- the API's read of one strategy ---------------------------------------------------------
#
# Raw SQL is a measured decision: get_object() and the two reads of strategy_details took
# 1.7-2.1 ms on SQLite, nearly all of it compiling three ORM queries, against 0.07-0.11 ms for
# this one statement. With the raw session lookup, a strategy read went from 0.11 to 0.44-0.48
# of a constant DRF view on SQLite and from 0.06-0.08 to 0.26-0.30 on PostgreSQL
# (bench/README.md), where its two round trips are most of what is left.


def _read_plan(db: BaseDatabaseWrapper) -> tuple[str, list]:
    return _read_plan_of(db.vendor)


@cache
def _read_plan_of(vendor: str) -> tuple[str, list]:
    """One statement, three kinds of rows, told apart by the first column: the strategy (0,
    scoped to the client), its services (1, by assignment) and its outcomes (2, by id). Built
    once per database vendor."""
    db = connections[DEFAULT_DB_ALIAS]
    qn = db.ops.quote_name
    through = DialingStrategy.services.through
    strategy = {f: DialingStrategy._meta.get_field(f) for f in ("id", "client", "name")}
    sequence = DialingStrategy._meta.get_field("dialing_sequence")
    link = {f: through._meta.get_field(f) for f in ("id", "dialingstrategy", "service")}
    outcome_fields = [
        Outcome._meta.get_field(name)
        for name in (
            "id",
            "strategy",
            "result",
            "dial_another_number",
            "max_number_of_retries",
            "retry_delay",
            "requeue",
        )
    ]
    outcome = {field.name: field for field in outcome_fields}
    options = outcome_fields[3:]  # what to do after the result: the rows' other columns

    def col(alias: str, field) -> str:
        return f"{alias}.{qn(field.column)}"

    def null(field) -> str:
        # PostgreSQL types a UNION's columns by its first rows: give the NULLs their type.
        return f"CAST(NULL AS {field.cast_db_type(db)})"

    sql = (
        f"SELECT 0, {col('d', strategy['id'])}, {null(outcome['result'])}, "  # noqa: S608
        f"{', '.join(null(field) for field in options)}, "
        f"{col('d', strategy['name'])}, {col('d', sequence)} "
        f"FROM {qn(DialingStrategy._meta.db_table)} d "
        f"WHERE {col('d', strategy['id'])} = %(id)s "
        f"AND {col('d', strategy['client'])} = %(client)s "
        # Services and outcomes of another client's strategy come without their strategy row,
        # and strategy_read answers None for them.
        f"UNION ALL SELECT 1, {col('t', link['id'])}, {col('t', link['service'])}, "
        f"{', '.join('NULL' for _ in options)}, NULL, NULL "
        f"FROM {qn(through._meta.db_table)} t "
        f"WHERE {col('t', link['dialingstrategy'])} = %(id)s "
        f"UNION ALL SELECT 2, {col('o', outcome['id'])}, {col('o', outcome['result'])}, "
        f"{', '.join(col('o', field) for field in options)}, NULL, NULL "
        f"FROM {qn(Outcome._meta.db_table)} o "
        f"WHERE {col('o', outcome['strategy'])} = %(id)s "
        "ORDER BY 1, 2"
    )
    converters = [rawsql.converters(field, "o", db) for field in options] + [
        rawsql.converters(sequence, "d", db)
    ]
    return sql, converters


def strategy_read_of(client: Client, strategy_id: int) -> dict | None:
    """``strategy_read`` in the shape of ``TenantViewSet.scoped_lookup``'s finder."""
    return strategy_read(client_id=client.pk, strategy_id=strategy_id)


def strategy_read(*, client_id: int, strategy_id: int) -> dict | None:
    """The read body of one of the client's strategies (as ``strategy_detail``), or None when
    the client has no such strategy. One query; the client is in its WHERE clause (raw SQL
    cannot go through ``for_client``)."""
    if not 0 < strategy_id <= MAX_INT:  # not an id; SQLite could not even bind a huge one
        return None
    db = connections[DEFAULT_DB_ALIAS]
    sql, converters = _read_plan(db)
    with db.cursor() as cursor:
        rawsql.execute(cursor, "lv_strategy_read", sql, {"id": strategy_id, "client": client_id})
        rows = cursor.fetchall()
    if not rows or rows[0][0] != 0:
        return None
    option_converters, sequence_converter = converters[:-1], converters[-1]
    head = rows[0]
    services = [row[2] for row in rows if row[0] == 1]
    outcomes = [
        _outcome_item(
            row[1],
            row[2],
            *(
                rawsql.convert(value, found, db)
                for value, found in zip(row[3:7], option_converters, strict=True)
            ),
        )
        for row in rows
        if row[0] == 2
    ]
    sequence = rawsql.convert(head[8], sequence_converter, db)
    return _detail(head[1], head[7], sequence, services, outcomes)
