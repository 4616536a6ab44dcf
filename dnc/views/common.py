"""What every DNC view shares: the schema decorator, the error body, the client's time zone
(the Phone DNC Type gate is the services', ``dnc.services.dnc_type``)."""

from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from livevox_site.models import Client

from ..wire import zone_of

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


def client_zone(client: Client) -> ZoneInfo:
    return zone_of(client.time_zone)
