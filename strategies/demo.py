"""Demo dialing strategies for client 4199, as in the vendor's examples, and ACME's default and
requeue strategies. ``seed_demo`` calls ``seed_strategies()`` through the app's
``seed_demo`` hook; running it again changes nothing."""

from livevox_site.audit import Actor, audit_record, snapshot
from livevox_site.models import Client, Service

from .models import ClientStrategies, DialingStrategy
from .services import OutcomeSettings, strategy_create

DEMO_CLIENT_ID = 4199


def _outcome(result_id: int, dial: bool, retries: int, delay: int, requeue: bool):
    return OutcomeSettings(result_id, dial, retries, delay, requeue)


STRATEGIES = [
    {
        "id": 7957,
        "name": "Custom Requeue",
        "dialing_sequence": [1, 4],
        "services": [17797, 17885, 26881, 20575],
        "outcomes": [
            _outcome(339, False, 0, 0, True),
            _outcome(320, True, 0, 0, True),
            _outcome(742, False, 0, 10, True),
        ],
    },
    {
        "id": 30953,
        "name": "For Documentation",
        "dialing_sequence": [1, 3, 2],
        "services": [20180, 18892],
        "outcomes": [_outcome(316, False, 1, 10, False), _outcome(476, True, 2, 5, True)],
    },
]


def seed_strategies(actor: Actor | None = None) -> list[DialingStrategy]:
    """Create the demo strategies that are missing (matched by name); services the demo client
    does not have are left out. Returns the strategies created."""
    actor = actor or Actor.command("seed_demo")
    client = Client.objects.filter(pk=DEMO_CLIENT_ID).first()
    if client is None:
        return []
    created = []
    for spec in STRATEGIES:
        if DialingStrategy.objects.filter(client=client, name=spec["name"]).exists():
            continue
        free_id = not DialingStrategy.objects.filter(pk=spec["id"]).exists()
        known = set(
            Service.objects.filter(client=client, pk__in=spec["services"]).values_list(
                "pk", flat=True
            )
        )
        created.append(
            strategy_create(
                actor=actor,
                client=client,
                name=spec["name"],
                dialing_sequence=spec["dialing_sequence"],
                service_ids=[i for i in spec["services"] if i in known],
                outcomes=spec["outcomes"],
                strategy_id=spec["id"] if free_id else None,
            )
        )
    return created


def seed_client_strategies(actor: Actor) -> None:
    """ACME dials with "For Documentation" and requeues with "Custom Requeue", unless someone
    already chose."""
    client = Client.objects.filter(pk=DEMO_CLIENT_ID).first()
    if client is None:
        return
    settings, _ = ClientStrategies.objects.get_or_create(client=client)
    if settings.default_dialing_strategy_id or settings.requeue_dialing_strategy_id:
        return
    before = snapshot(settings)
    strategies = {s.name: s for s in DialingStrategy.objects.for_client(client)}
    settings.default_dialing_strategy = strategies.get("For Documentation")
    settings.requeue_dialing_strategy = strategies.get("Custom Requeue")
    settings.save()
    audit_record(
        actor=actor,
        client=client,
        action="strategies.clientstrategies.changed",
        obj=settings,
        before=before,
        after=snapshot(settings),
    )
