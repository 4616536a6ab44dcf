"""Site-wide reads that every resource app shares, so that none keeps a private copy."""

from collections.abc import Iterable

from .errors import EntryNotFound, InvalidValue
from .lenient import MAX_INT
from .models import Client, Service


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
