"""Dialing strategy writes and the business rules they enforce.

Services take typed keyword arguments (``dialing_sequence: list[int]``, ``OutcomeSettings``):
the API's ``wire.py`` turns request bodies into these values, and the admin's forms and the demo
data call the very same functions, so the three cannot drift apart. A value that breaks a rule
raises ``InvalidValue`` naming the parameter (``dialing_sequence``, ``outcomes[1].result_id``);
the API puts the wire name in front of it, the admin shows it under its form field.

Every write runs in one transaction and writes one audit entry of type
``strategies.dialingstrategy`` or ``strategies.outcome`` (the types ``info`` reads).
"""

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from django.db import IntegrityError, transaction

from livevox_site.audit import Actor, audit_record, snapshot
from livevox_site.errors import AlreadyExists, EntryNotFound, InvalidValue
from livevox_site.lenient import MAX_INT
from livevox_site.models import Client, Service
from livevox_site.selectors import check_services_of_client

from .models import ClientStrategies, DialingStrategy, Outcome, Result

NAME_MAX_LENGTH = DialingStrategy._meta.get_field("name").max_length


@dataclass(frozen=True)
class OutcomeSettings:
    """What to do after one call result."""

    result_id: int
    dial_another_number: bool = False
    max_number_of_retries: int = 0
    retry_delay: int = 0  # minutes
    requeue: bool = False


@dataclass(frozen=True)
class OutcomeChanges:
    """Some of an outcome's settings; None leaves a setting as it is. ``result_id`` moves the
    outcome to another call result (the admin only: the API cannot)."""

    dial_another_number: bool | None = None
    max_number_of_retries: int | None = None
    retry_delay: int | None = None
    requeue: bool | None = None
    result_id: int | None = None

    def given(self) -> dict:
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


# --- rules ----------------------------------------------------------------------------------


def clean_name(name: str, *, client: Client | int, exclude_id: int | None = None) -> str:
    """Trimmed and in Unicode NFC (so "Cafe" + combining accent and "Café" are one name), not
    blank, not too long, unique within the client."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise InvalidValue("may not be blank", field="name")
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        raise InvalidValue("may not contain control characters", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidValue(f"may be at most {NAME_MAX_LENGTH} characters", field="name")
    taken = DialingStrategy.objects.for_client(client).filter(name=name)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise InvalidValue(f"a dialing strategy named {name!r} exists", field="name")
    return name


def clean_dialing_sequence(positions: Sequence[int]) -> list[int]:
    """At least one phone position; each 1 or more and listed once, in dialing order."""
    field = "dialing_sequence"
    if not positions:
        raise InvalidValue("must be a non-empty list of phone positions", field=field)
    seen: list[int] = []
    for position in positions:
        if position < 1:
            raise InvalidValue(f"must hold whole numbers of 1 or more, not {position}", field=field)
        if position > MAX_INT:
            raise InvalidValue(f"{position} is too large", field=field)
        if position in seen:
            raise InvalidValue(f"position {position} appears twice", field=field)
        seen.append(position)
    return seen


def check_result(result_id: int, *, field: str = "result_id") -> int:
    if not (0 < result_id <= MAX_INT and Result.objects.filter(pk=result_id).exists()):
        raise InvalidValue(f"no call result {result_id}", field=field)
    return result_id


def check_outcomes(outcomes: Sequence[OutcomeSettings]) -> list[OutcomeSettings]:
    """Each for a call result of the catalog, no result twice (one query)."""
    result_ids = [outcome.result_id for outcome in outcomes]
    known = set(
        Result.objects.filter(pk__in=[i for i in result_ids if 0 < i <= MAX_INT]).values_list(
            "pk", flat=True
        )
    )
    for index, outcome in enumerate(outcomes):
        field = f"outcomes[{index}].result_id"
        if outcome.result_id not in known:
            raise InvalidValue(f"no call result {outcome.result_id}", field=field)
        if outcome.result_id in result_ids[:index]:
            raise InvalidValue(f"result {outcome.result_id} appears twice", field=field)
    return list(outcomes)


# --- snapshots and helpers ------------------------------------------------------------------


def strategy_state(strategy: DialingStrategy) -> dict:
    """The audit view of a strategy with its outcomes."""
    state = snapshot(strategy)
    state["outcomeItem"] = [snapshot(outcome) for outcome in strategy.outcomes.order_by("id")]
    return state


def _locked(strategy: DialingStrategy) -> DialingStrategy:
    """Lock the strategy's row for the transaction: concurrent writers to one strategy queue up
    (PostgreSQL; SQLite already has a single writer)."""
    return DialingStrategy.objects.select_for_update().get(pk=strategy.pk)


def _assigned_ids(strategy: DialingStrategy) -> list[int]:
    through = DialingStrategy.services.through
    return list(
        through.objects.filter(dialingstrategy_id=strategy.pk)
        .order_by("pk")
        .values_list("service_id", flat=True)
    )


def _add_services_in_order(strategy: DialingStrategy, service_ids: Iterable[int]) -> None:
    through = DialingStrategy.services.through
    through.objects.bulk_create(
        through(dialingstrategy_id=strategy.pk, service_id=service_id) for service_id in service_ids
    )


def _outcome(strategy: DialingStrategy, settings: OutcomeSettings) -> Outcome:
    return Outcome(
        strategy=strategy,
        result_id=settings.result_id,
        dial_another_number=settings.dial_another_number,
        max_number_of_retries=settings.max_number_of_retries,
        retry_delay=settings.retry_delay,
        requeue=settings.requeue,
    )


def _save_named(strategy: DialingStrategy) -> None:
    """Save; a name another request took between the check and the write is the same 400 as a
    name that was already taken."""
    try:
        with transaction.atomic():
            strategy.save()
    except IntegrityError:
        raise InvalidValue(
            f"a dialing strategy named {strategy.name!r} exists", field="name"
        ) from None


# --- strategies -----------------------------------------------------------------------------


def strategy_create(
    *,
    actor: Actor,
    client: Client,
    name: str,
    dialing_sequence: Sequence[int],
    service_ids: Sequence[int] = (),
    outcomes: Sequence[OutcomeSettings] = (),
    strategy_id: int | None = None,
) -> DialingStrategy:
    """Create a strategy with its services and outcomes; nothing is saved unless all of it is
    valid."""
    name = clean_name(name, client=client)
    sequence = clean_dialing_sequence(dialing_sequence)
    service_ids = check_services_of_client(client=client, service_ids=service_ids)
    outcomes = check_outcomes(outcomes)
    with transaction.atomic():
        strategy = DialingStrategy(
            id=strategy_id, client=client, name=name, dialing_sequence=sequence
        )
        _save_named(strategy)
        _add_services_in_order(strategy, service_ids)
        Outcome.objects.bulk_create(_outcome(strategy, settings) for settings in outcomes)
        audit_record(
            actor=actor,
            client=client,
            action="strategies.strategy.created",
            obj=strategy,
            after=strategy_state(strategy),
        )
    return strategy


def strategy_update(
    *,
    actor: Actor,
    strategy: DialingStrategy,
    name: str | None = None,
    dialing_sequence: Sequence[int] | None = None,
    service_ids: Sequence[int] | None = None,
) -> DialingStrategy:
    """Change the name and/or dialing sequence (None: unchanged). ``service_ids`` (the admin
    only) sets which services are assigned: services kept keep their place in the assignment
    order, new ones are added after them. A call that changes nothing writes nothing."""
    changes: dict = {}
    if name is not None:
        changes["name"] = clean_name(name, client=strategy.client_id, exclude_id=strategy.pk)
    if dialing_sequence is not None:
        changes["dialing_sequence"] = clean_dialing_sequence(dialing_sequence)
    if service_ids is not None:
        service_ids = check_services_of_client(client=strategy.client_id, service_ids=service_ids)
    with transaction.atomic():
        strategy = _locked(strategy)
        before = snapshot(strategy)
        changed = {
            attr: value for attr, value in changes.items() if getattr(strategy, attr) != value
        }
        if changed:
            for attr, value in changed.items():
                setattr(strategy, attr, value)
            _save_named(strategy)
        if service_ids is not None:
            assigned = _assigned_ids(strategy)
            through = DialingStrategy.services.through
            through.objects.filter(dialingstrategy_id=strategy.pk).exclude(
                service_id__in=service_ids
            ).delete()
            _add_services_in_order(strategy, [i for i in service_ids if i not in assigned])
        after = snapshot(strategy)
        if after != before:
            audit_record(
                actor=actor,
                client=strategy.client_id,
                action="strategies.strategy.updated",
                obj=strategy,
                before=before,
                after=after,
            )
    return strategy


def strategy_delete(*, actor: Actor, strategy: DialingStrategy) -> None:
    """Delete a strategy with its outcomes; a client's default or requeue strategy reference to
    it is cleared (SET_NULL) and named in the audit entry."""
    with transaction.atomic():
        strategy = _locked(strategy)
        before = strategy_state(strategy)
        cleared = [
            field
            for field in ("default_dialing_strategy", "requeue_dialing_strategy")
            if ClientStrategies.objects.filter(
                client_id=strategy.client_id, **{field: strategy}
            ).exists()
        ]
        strategy_id, client_id = strategy.pk, strategy.client_id
        strategy.delete()
        audit_record(
            actor=actor,
            client=client_id,
            action="strategies.strategy.deleted",
            obj_type="strategies.dialingstrategy",
            obj_id=strategy_id,
            before=before,
            details={"clientFieldsCleared": cleared} if cleared else None,
        )


def _copy_name(strategy: DialingStrategy) -> str:
    # Room for " (copy 9999)".
    base = f"{strategy.name[: NAME_MAX_LENGTH - 12]} (copy"
    taken = set(
        DialingStrategy.objects.for_client(strategy.client_id)
        .filter(name__startswith=base)
        .values_list("name", flat=True)
    )
    number = 1
    while True:
        candidate = f"{base})" if number == 1 else f"{base} {number})"
        if candidate not in taken:
            return candidate
        number += 1


def strategy_duplicate(
    *, actor: Actor, strategy: DialingStrategy, name: str | None = None
) -> DialingStrategy:
    """A copy of a strategy (sequence, services, outcomes) under a new name; by default
    "<name> (copy)", "<name> (copy 2)"..."""
    with transaction.atomic():
        new_name = clean_name(
            name if name is not None else _copy_name(strategy), client=strategy.client_id
        )
        copy = DialingStrategy.objects.create(
            client_id=strategy.client_id,
            name=new_name,
            dialing_sequence=list(strategy.dialing_sequence),
        )
        _add_services_in_order(copy, _assigned_ids(strategy))
        Outcome.objects.bulk_create(
            Outcome(
                strategy=copy,
                result_id=outcome.result_id,
                dial_another_number=outcome.dial_another_number,
                max_number_of_retries=outcome.max_number_of_retries,
                retry_delay=outcome.retry_delay,
                requeue=outcome.requeue,
            )
            for outcome in strategy.outcomes.order_by("id")
        )
        audit_record(
            actor=actor,
            client=strategy.client_id,
            action="strategies.strategy.duplicated",
            obj=copy,
            after=strategy_state(copy),
            details={"copiedFrom": strategy.pk},
        )
    return copy


# --- services assigned to a strategy --------------------------------------------------------


def _audit_assignment(
    actor: Actor, strategy: DialingStrategy, action: str, before: dict, details=None
) -> None:
    """One entry for a change of a strategy's services, with its state before and after."""
    audit_record(
        actor=actor,
        client=strategy.client_id,
        action=f"strategies.strategy.{action}",
        obj=strategy,
        before=before,
        after=snapshot(strategy),
        details=details,
    )


def _same_client(strategy: DialingStrategy, service: Service) -> None:
    if service.client_id != strategy.client_id:
        raise EntryNotFound()


def strategy_service_add(*, actor: Actor, strategy: DialingStrategy, service: Service) -> None:
    """Assign one service of the strategy's client; already assigned: ``AlreadyExists``."""
    _same_client(strategy, service)
    with transaction.atomic():
        strategy = _locked(strategy)
        if strategy.services.filter(pk=service.pk).exists():
            raise AlreadyExists()
        before = snapshot(strategy)
        try:
            with transaction.atomic():
                _add_services_in_order(strategy, [service.pk])
        except IntegrityError:
            raise AlreadyExists() from None
        _audit_assignment(actor, strategy, "service_added", before, details={"service": service.pk})


def strategy_service_remove(*, actor: Actor, strategy: DialingStrategy, service: Service) -> None:
    """Unassign one service; a service that is not assigned is not found."""
    _same_client(strategy, service)
    with transaction.atomic():
        strategy = _locked(strategy)
        before = snapshot(strategy)
        through = DialingStrategy.services.through
        deleted, _ = through.objects.filter(
            dialingstrategy_id=strategy.pk, service_id=service.pk
        ).delete()
        if not deleted:
            raise EntryNotFound()
        _audit_assignment(
            actor, strategy, "service_removed", before, details={"service": service.pk}
        )


def strategy_services_remove_all(*, actor: Actor, strategy: DialingStrategy) -> None:
    with transaction.atomic():
        strategy = _locked(strategy)
        before = snapshot(strategy)
        if not before["service"]:
            return
        strategy.services.clear()
        _audit_assignment(actor, strategy, "services_removed_all", before)


def unassign_deleted_service(sender, *, service: Service, actor: Actor, **kwargs) -> None:
    """``service_deleting`` receiver: unassign the service from every strategy, audited, so the
    strategies' info.lastModified moves."""
    for strategy in DialingStrategy.objects.filter(services=service):
        strategy_service_remove(actor=actor, strategy=strategy, service=service)


# --- outcomes -------------------------------------------------------------------------------


def outcome_create(
    *, actor: Actor, strategy: DialingStrategy, settings: OutcomeSettings
) -> Outcome:
    """Add an outcome for one call result; a result the strategy already has:
    ``AlreadyExists``."""
    check_result(settings.result_id)
    with transaction.atomic():
        strategy = _locked(strategy)
        if strategy.outcomes.filter(result_id=settings.result_id).exists():
            raise AlreadyExists()
        outcome = _outcome(strategy, settings)
        try:
            with transaction.atomic():
                outcome.save()
        except IntegrityError:
            raise AlreadyExists() from None
        audit_record(
            actor=actor,
            client=strategy.client_id,
            action="strategies.outcome.created",
            obj=outcome,
            after=snapshot(outcome),
        )
    return outcome


def outcome_update(*, actor: Actor, outcome: Outcome, changes: OutcomeChanges) -> Outcome:
    """Change the settings ``changes`` gives; a change to nothing writes nothing."""
    values = changes.given()
    if "result_id" in values:
        check_result(values["result_id"])
    with transaction.atomic():
        outcome = Outcome.objects.select_for_update().select_related("strategy").get(pk=outcome.pk)
        before = snapshot(outcome)
        for attr, value in values.items():
            setattr(outcome, attr, value)
        after = snapshot(outcome)
        if after == before:
            return outcome
        try:
            with transaction.atomic():
                outcome.save()
        except IntegrityError:
            raise AlreadyExists() from None
        audit_record(
            actor=actor,
            client=outcome.strategy.client_id,
            action="strategies.outcome.updated",
            obj=outcome,
            before=before,
            after=after,
        )
    return outcome


def outcome_delete(*, actor: Actor, outcome: Outcome) -> None:
    with transaction.atomic():
        client_id = DialingStrategy.objects.values_list("client_id", flat=True).get(
            pk=outcome.strategy_id
        )
        before, outcome_id = snapshot(outcome), outcome.pk
        name, subject = outcome.audit_name(), outcome.audit_subject()
        deleted, _ = Outcome.objects.filter(pk=outcome_id).delete()
        if not deleted:
            raise EntryNotFound()
        audit_record(
            actor=actor,
            client=client_id,
            action="strategies.outcome.deleted",
            obj_type="strategies.outcome",
            obj_id=outcome_id,
            before=before,
            name=name,
            subject=subject,
        )


def outcomes_delete_all(*, actor: Actor, strategy: DialingStrategy) -> None:
    """Remove every outcome of a strategy: one audit entry for the batch."""
    with transaction.atomic():
        strategy = _locked(strategy)
        outcomes = list(strategy.outcomes.order_by("id"))
        if not outcomes:
            return
        Outcome.objects.filter(strategy=strategy).delete()
        audit_record(
            actor=actor,
            client=strategy.client_id,
            action="strategies.outcome.deleted_all",
            obj_type="strategies.outcome",
            obj_id="",
            before=[snapshot(outcome) for outcome in outcomes],
            details={"strategy": strategy.pk, "count": len(outcomes)},
            name=strategy.name,
            subject=("strategies.dialingstrategy", strategy.pk),
        )
