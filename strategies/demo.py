"""Demo dialing strategies for client 4199, as in the vendor's examples. ``seed_demo`` calls
``seed_strategies()``; running it again changes nothing."""

from livevox_site.audit import Actor
from livevox_site.models import Client, Service

from .models import DialingStrategy
from .services import strategy_create

DEMO_CLIENT_ID = 4199


def _outcome(result_id: int, dial: bool, retries: int, delay: int, requeue: bool) -> dict:
    return {
        "lvResultId": result_id,
        "dialAnotherNumber": dial,
        "maxNumberOfRetries": retries,
        "retryDelay": delay,
        "requeue": requeue,
    }


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
                services=[service_id for service_id in spec["services"] if service_id in known],
                outcomes=spec["outcomes"],
                strategy_id=spec["id"] if free_id else None,
            )
        )
    return created
