"""``/compliance/recording``: Get Call Recording Info, Get Call Recording By Id (the mp3) and
Delete Call Recording By Id."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from livevox_site.api import TenantViewSet, error_responses
from livevox_site.errors import InvalidInput
from livevox_site.lenient import query

from . import selectors, serializers, services
from .models import Recording
from .streaming import audio_response

RECORDING_QUERY = OpenApiParameter(
    "recording", str, OpenApiParameter.QUERY, required=True, description="Call recording id"
)
RECORDING_PATH = OpenApiParameter("id", str, OpenApiParameter.PATH, description="Call recording id")
ERRORS = error_responses(
    serializers.RecordingErrorBody, forbidden="Role not allowed, or Agent session"
)


def doc(operation_id: str, **kwargs):
    return extend_schema(
        operation_id=operation_id, tags=["call recordings"], auth=[{"LVSession": []}], **kwargs
    )


class AudioOrJSONNegotiation(DefaultContentNegotiation):
    """Players send ``Accept: audio/mpeg``, which no renderer offers: the audio is a plain
    streaming response, so pick JSON (for error bodies) instead of answering 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RecordingViewSet(TenantViewSet):
    """Recordings of the caller's client (or, for a Sysadmin, of ``?client=``)."""

    queryset = Recording.objects.all()
    read_perm = "recordings.view_recording"
    write_perm = "recordings.delete_recording"
    content_negotiation_class = AudioOrJSONNegotiation
    wire_field_names = {"recording_id": "recording"}

    def _recording(self, recording_id: str) -> Recording:
        return self.scoped_lookup(
            selectors.recording_of_client, recording_id, "Call recording not found"
        )

    @doc(
        "recordingInfo",
        summary="Get Call Recording Info",
        parameters=[RECORDING_QUERY],
        responses={200: serializers.RecordingInfo, **ERRORS},
    )
    def info(self, request):
        recording_id = query(request).get("recording")
        if recording_id is None:
            raise InvalidInput("recording is required", field="recording")
        return Response(selectors.recording_info(self._recording(recording_id)))

    @doc(
        "recordingRead",
        summary="Get Call Recording By Id (mp3; single byte ranges)",
        parameters=[RECORDING_PATH],
        responses={
            (200, "audio/mpeg"): OpenApiTypes.BINARY,
            (206, "audio/mpeg"): OpenApiTypes.BINARY,
            304: OpenApiResponse(description="Not modified (If-None-Match)"),
            416: OpenApiResponse(description="Range not satisfiable"),
            **ERRORS,
        },
    )
    def retrieve(self, request, pk=None):
        return audio_response(request, self._recording(pk))

    @doc(
        "recordingDelete",
        summary="Delete Call Recording By Id (Sysadmin)",
        parameters=[RECORDING_PATH],
        request=None,
        responses={204: OpenApiResponse(description="Deleted; empty body"), **ERRORS},
    )
    def destroy(self, request, pk=None):
        services.recording_delete(actor=self.actor, recording=self._recording(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
