"""What every DNC view shares: the schema decorator, the error body, the Phone DNC Type gate,
the client's time zone."""

from functools import lru_cache
from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from livevox_site.errors import InvalidInput
from livevox_site.models import Client, PhoneDncType

ERROR_BODY = inline_serializer(
    "DncError", {"code": serializers.IntegerField(), "message": serializers.CharField()}
)


def doc(operation_id: str, *, tags: list[str] | None = None, **kwargs):
    """The schema of one DNC method: tagged, authenticated by LV-Session."""
    return extend_schema(
        operation_id=operation_id,
        tags=tags or ["DNC"],
        auth=[{"LVSession": []}],
        **kwargs,
    )


@lru_cache(maxsize=64)
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def client_zone(client: Client) -> ZoneInfo:
    return zone_of(client.time_zone)


def require_dnc_type(client: Client, wanted: str) -> None:
    """The spec: a Legacy client may use the legacy methods, a Dial-Time client the dial-time,
    email and SMS methods; the wrong ones answer 400, code 202."""
    if client.phone_dnc_type != wanted:
        label = PhoneDncType(client.phone_dnc_type).label
        raise InvalidInput(
            f"This client is not configured to use this method (its Phone DNC Type is {label})"
        )
