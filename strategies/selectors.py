"""Dialing strategy reads, in the wire shape of the spec (key order as in its examples).

Services are listed in the order they were assigned (the through table's ids), as the vendor
does; services and outcomes are fetched for a whole page in one query each: no N+1.
"""

from livevox_site.errors import EntryNotFound

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
    return {
        "outcomeId": outcome.pk,
        "lvResultId": outcome.result_id,
        "dialAnotherNumber": outcome.dial_another_number,
        "maxNumberOfRetries": outcome.max_number_of_retries,
        "retryDelay": outcome.retry_delay,
        "requeue": outcome.requeue,
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
        {
            "service": [{"id": service_id} for service_id in services[strategy.pk]],
            "dialingSequenceItem": list(strategy.dialing_sequence),
            "outcomeItem": [outcome_body(outcome) for outcome in outcomes[strategy.pk]],
            "id": strategy.pk,
            "name": strategy.name,
        }
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
