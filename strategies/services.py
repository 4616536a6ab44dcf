"""Dialing strategy writes, and the validation they share with the admin.

Every rule lives here once: the API views and the admin forms call the same ``clean_*``
functions and the same ``<entity>_<action>`` services, so the two cannot drift apart. Values
arrive in their wire form (``dialingSequenceItem``, ``lvResultId``...) and are parsed
leniently (wire-notes section 4); a bad value raises ``InvalidInput`` naming the wire field.
Every write runs in one transaction and writes one audit entry of type
``strategies.dialingstrategy`` or ``strategies.outcome`` (the types ``info`` reads).
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from livevox_site.audit import Actor, audit_record, snapshot
from livevox_site.errors import AlreadyExists, EntryNotFound, InvalidInput
from livevox_site.lenient import clean_text, parse_bool, parse_int, present
from livevox_site.models import Client, Service

from .models import DialingStrategy, Outcome, Result

NAME_MAX_LENGTH = DialingStrategy._meta.get_field("name").max_length
# PositiveIntegerField's range on every supported database.
MAX_INT = 2_147_483_647

# The wire keys of an outcome and the model field each one sets.
OUTCOME_FLAGS = {"dialAnotherNumber": "dial_another_number", "requeue": "requeue"}
OUTCOME_NUMBERS = {"maxNumberOfRetries": "max_number_of_retries", "retryDelay": "retry_delay"}


# --- validation -----------------------------------------------------------------------------


def clean_name(value, *, client: Client | int, exclude_id: int | None = None) -> str:
    """Present, a string, not blank, not too long, unique within the client."""
    if not present(value):
        raise InvalidInput("name is required", field="name")
    if not isinstance(value, str):
        raise InvalidInput("name must be a string", field="name")
    name = clean_text(value, "name", max_length=NAME_MAX_LENGTH)  # NFC: one name, one form
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(f"name must be at most {NAME_MAX_LENGTH} characters", field="name")
    taken = DialingStrategy.objects.filter(client=client, name=name)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise InvalidInput(f"name: a dialing strategy named {name!r} exists", field="name")
    return name


def clean_dialing_sequence(value) -> list[int]:
    """A non-empty list of distinct positive phone positions, in dialing order."""
    field = "dialingSequenceItem"
    if value is None:
        raise InvalidInput(f"{field} is required", field=field)
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"{field} must be a non-empty list of phone positions", field=field)
    positions = []
    for item in value:
        try:
            position = parse_int(item, field, min_value=1)
        except InvalidInput:
            raise InvalidInput(
                f"{field} must hold whole numbers of 1 or more, not {item!r}", field=field
            ) from None
        if position > MAX_INT:
            raise InvalidInput(f"{field}: {position} is too large", field=field)
        if position in positions:
            raise InvalidInput(f"{field}: position {position} appears twice", field=field)
        positions.append(position)
    return positions


def _service_id(item, field: str) -> int:
    # The spec sends [{"id": N}]; a bare id is accepted too.
    raw = item.get("id") if isinstance(item, dict) else item
    if raw is None:
        raise InvalidInput(f"{field}: each entry needs an id", field=field)
    service_id = parse_int(raw, field, min_value=1)
    if service_id > MAX_INT:
        raise InvalidInput(f"{field}: no service {service_id} in this client", field=field)
    return service_id


def clean_service_ids(value, *, client: Client | int, field: str = "service") -> list[int]:
    """Service ids (``[{"id": N}]`` or ``[N]``), each a service of ``client``; duplicates are
    dropped, order is kept. Another client's service is reported like an unknown one."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"{field} must be a list of services", field=field)
    ids: list[int] = []
    for item in value:
        service_id = _service_id(item, field)
        if service_id not in ids:
            ids.append(service_id)
    known = set(Service.objects.filter(client=client, pk__in=ids).values_list("pk", flat=True))
    unknown = [service_id for service_id in ids if service_id not in known]
    if unknown:
        raise InvalidInput(f"{field}: no service {unknown[0]} in this client", field=field)
    return ids


def _clean_count(value, field: str) -> int:
    number = parse_int(value, field, min_value=0)
    if number > MAX_INT:
        raise InvalidInput(f"{field} is too large", field=field)
    return number


def clean_outcome(data, *, partial: bool = False, prefix: str = "") -> dict:
    """An outcome's wire keys as model field values.

    Creating (``partial=False``): ``lvResultId`` is required and must be in the results
    catalog; the other keys default to false / 0 when absent. Updating (``partial=True``):
    ``lvResultId`` is ignored and a key that is absent or null is left out (unchanged)."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{prefix or 'outcome'} must be an object", field=prefix or "outcome")
    values: dict = {}
    if not partial:
        field = f"{prefix}lvResultId"
        if not present(data.get("lvResultId")):
            raise InvalidInput(f"{field} is required", field=field)
        result_id = parse_int(data["lvResultId"], field)
        if not Result.objects.filter(pk=result_id).exists():
            raise InvalidInput(f"{field}: no call result {result_id}", field=field)
        values["result_id"] = result_id
    for key, attr in OUTCOME_FLAGS.items():
        if data.get(key) is not None:
            values[attr] = parse_bool(data[key], prefix + key)
    for key, attr in OUTCOME_NUMBERS.items():
        if data.get(key) is not None:
            values[attr] = _clean_count(data[key], prefix + key)
    return values


def clean_outcomes(value) -> list[dict]:
    """The ``outcomeItem`` list of a create: each valid, no result twice."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput("outcomeItem must be a list of outcomes", field="outcomeItem")
    cleaned: list[dict] = []
    for index, item in enumerate(value):
        prefix = f"outcomeItem[{index}]."
        values = clean_outcome(item, prefix=prefix)
        if any(other["result_id"] == values["result_id"] for other in cleaned):
            raise InvalidInput(
                f"{prefix}lvResultId: result {values['result_id']} appears twice",
                field=f"{prefix}lvResultId",
            )
        cleaned.append(values)
    return cleaned


# --- snapshots ------------------------------------------------------------------------------


def strategy_state(strategy: DialingStrategy) -> dict:
    """The audit view of a strategy with its outcomes."""
    state = snapshot(strategy)
    state["outcomeItem"] = [snapshot(outcome) for outcome in strategy.outcomes.order_by("id")]
    return state


def _locked(strategy: DialingStrategy) -> DialingStrategy:
    """Lock the strategy's row for the transaction: concurrent writers to one strategy queue up
    (PostgreSQL; SQLite already has a single writer)."""
    return DialingStrategy.objects.select_for_update().get(pk=strategy.pk)


def _add_services_in_order(strategy: DialingStrategy, service_ids: Iterable[int]) -> None:
    through = DialingStrategy.services.through
    through.objects.bulk_create(
        through(dialingstrategy_id=strategy.pk, service_id=service_id) for service_id in service_ids
    )


# --- strategies -----------------------------------------------------------------------------


def strategy_create(
    *,
    actor: Actor,
    client: Client,
    name,
    dialing_sequence,
    services=None,
    outcomes=None,
    strategy_id: int | None = None,
) -> DialingStrategy:
    """Create a strategy with its services and outcomes; nothing is saved unless all of it is
    valid."""
    clean = {
        "name": clean_name(name, client=client),
        "dialing_sequence": clean_dialing_sequence(dialing_sequence),
    }
    service_ids = clean_service_ids(services, client=client)
    outcome_values = clean_outcomes(outcomes)
    with transaction.atomic():
        strategy = DialingStrategy(id=strategy_id, client=client, **clean)
        _save_named(strategy)
        _add_services_in_order(strategy, service_ids)
        Outcome.objects.bulk_create(
            Outcome(strategy=strategy, **values) for values in outcome_values
        )
        audit_record(
            actor=actor,
            client=client,
            action="strategies.strategy.created",
            obj=strategy,
            after=strategy_state(strategy),
        )
    return strategy


def _save_named(strategy: DialingStrategy) -> None:
    """Save; a name another request took between the check and the write is the same 400 as a
    name that was already taken."""
    try:
        with transaction.atomic():
            strategy.save()
    except IntegrityError:
        raise InvalidInput(
            f"name: a dialing strategy named {strategy.name!r} exists", field="name"
        ) from None


def strategy_update(
    *,
    actor: Actor,
    strategy: DialingStrategy,
    name=None,
    dialing_sequence=None,
    services=None,
) -> DialingStrategy:
    """Change the name and/or dialing sequence (``None``: unchanged); ``services`` (the admin
    only) replaces the assigned services."""
    changes: dict = {}
    if name is not None:
        changes["name"] = clean_name(name, client=strategy.client_id, exclude_id=strategy.pk)
    if dialing_sequence is not None:
        changes["dialing_sequence"] = clean_dialing_sequence(dialing_sequence)
    service_ids = (
        None if services is None else clean_service_ids(services, client=strategy.client_id)
    )
    with transaction.atomic():
        strategy = _locked(strategy)
        before = snapshot(strategy)
        for attr, value in changes.items():
            setattr(strategy, attr, value)
        _save_named(strategy)
        if service_ids is not None and service_ids != _assigned_ids(strategy):
            strategy.services.clear()
            _add_services_in_order(strategy, service_ids)
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


def _assigned_ids(strategy: DialingStrategy) -> list[int]:
    through = DialingStrategy.services.through
    return list(
        through.objects.filter(dialingstrategy_id=strategy.pk)
        .order_by("pk")
        .values_list("service_id", flat=True)
    )


def strategy_delete(*, actor: Actor, strategy: DialingStrategy) -> None:
    """Delete a strategy with its outcomes; a client's default or requeue strategy reference to
    it is cleared (SET_NULL) and named in the audit entry."""
    with transaction.atomic():
        strategy = _locked(strategy)
        before = strategy_state(strategy)
        cleared = [
            field
            for field in ("default_dialing_strategy", "requeue_dialing_strategy")
            if Client.objects.filter(pk=strategy.client_id, **{field: strategy}).exists()
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
        DialingStrategy.objects.filter(
            client_id=strategy.client_id, name__startswith=base
        ).values_list("name", flat=True)
    )
    number = 1
    while True:
        candidate = f"{base})" if number == 1 else f"{base} {number})"
        if candidate not in taken:
            return candidate
        number += 1


def strategy_duplicate(*, actor: Actor, strategy: DialingStrategy, name=None) -> DialingStrategy:
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


def _service_of_client(strategy: DialingStrategy, service_id) -> Service:
    """A service of the strategy's client named in a path; anything else is not found."""
    try:
        value = parse_int(service_id, "service")
    except InvalidInput:
        raise EntryNotFound() from None
    service = Service.objects.filter(client_id=strategy.client_id, pk=value).first()
    if service is None:
        raise EntryNotFound()
    return service


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


def strategy_service_add(*, actor: Actor, strategy: DialingStrategy, service_id) -> None:
    """Assign one service; already assigned: ``AlreadyExists``."""
    service = _service_of_client(strategy, service_id)
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


def strategy_service_remove(*, actor: Actor, strategy: DialingStrategy, service_id) -> None:
    """Unassign one service; a service that is not assigned is not found."""
    service = _service_of_client(strategy, service_id)
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


# --- outcomes -------------------------------------------------------------------------------


def outcome_for(strategy: DialingStrategy, outcome_id) -> Outcome:
    """An outcome of this strategy named in a path; anything else is not found."""
    try:
        value = parse_int(outcome_id, "outcome")
    except InvalidInput:
        raise EntryNotFound() from None
    outcome = Outcome.objects.filter(strategy=strategy, pk=value).first()
    if outcome is None:
        raise EntryNotFound()
    return outcome


def outcome_create(*, actor: Actor, strategy: DialingStrategy, data) -> Outcome:
    """Add an outcome for one call result; a result the strategy already has:
    ``AlreadyExists``."""
    values = clean_outcome(data)
    with transaction.atomic():
        strategy = _locked(strategy)
        if strategy.outcomes.filter(result_id=values["result_id"]).exists():
            raise AlreadyExists()
        outcome = Outcome(strategy=strategy, **values)
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


def outcome_update(*, actor: Actor, outcome: Outcome, data, result_id=None) -> Outcome:
    """Change some of an outcome's settings: a key absent or null is left unchanged.
    ``result_id`` (the admin only; the API cannot move an outcome) gives it another result."""
    values = clean_outcome(data, partial=True)
    if result_id is not None:
        values["result_id"] = clean_outcome({"lvResultId": result_id})["result_id"]
    with transaction.atomic():
        outcome = Outcome.objects.select_for_update().select_related("strategy").get(pk=outcome.pk)
        before = snapshot(outcome)
        for attr, value in values.items():
            setattr(outcome, attr, value)
        try:
            with transaction.atomic():
                outcome.save()
        except IntegrityError:
            raise AlreadyExists() from None
        after = snapshot(outcome)
        if after != before:
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
        )


def unassign_deleted_service(sender, *, service, actor: Actor, **kwargs) -> None:
    """``service_deleting`` receiver: unassign the service from every strategy, audited, so the
    strategies' info.lastModified moves."""
    for strategy in DialingStrategy.objects.filter(services=service):
        strategy_service_remove(actor=actor, strategy=strategy, service_id=service.pk)
