"""Recording reads."""

from django.db.models import QuerySet

from livevox_site.lenient import epoch_ms
from livevox_site.models import Client

from .models import Recording
from .services import ID_MAX_LENGTH


def recording_for(queryset: QuerySet, recording_id: str) -> Recording | None:
    """The recording of a queryset scoped to one client (the API's) with this vendor id, or
    None; an id that cannot be one names nothing. One row at most: (client, recording id) is
    unique."""
    if not recording_id or len(recording_id) > ID_MAX_LENGTH:
        return None
    return queryset.filter(recording_id=recording_id).first()


def recording_of_client(client: Client, recording_id: str) -> Recording | None:
    """The client's recording with this vendor id, or None (``TenantViewSet.scoped_lookup``)."""
    return recording_for(Recording.objects.for_client(client), recording_id)


def recording_info(recording: Recording) -> dict:
    """Get Call Recording Info's body: the spec's keys in the spec's order, times in epoch ms,
    ``originalAccountNumber`` only when known."""
    body = {
        "clientId": recording.client_id,
        "callCenterId": recording.call_center_id,
        "serviceId": recording.service_id,
        "agentId": recording.agent_id,
        "campaignId": recording.campaign_id,
        "account": recording.account,
        "phone": recording.phone,
        "termCodeId": recording.term_code_id,
        "fromDate": epoch_ms(recording.start_time),
        "toDate": epoch_ms(recording.end_time),
    }
    if recording.original_account_number:
        body["originalAccountNumber"] = recording.original_account_number
    body["duration"] = recording.duration
    return body
