"""Response bodies, for the OpenAPI schema only (``selectors.recording_info`` builds them)."""

from rest_framework import serializers


class RecordingInfo(serializers.Serializer):
    clientId = serializers.IntegerField()
    callCenterId = serializers.IntegerField()
    serviceId = serializers.IntegerField()
    agentId = serializers.IntegerField()
    campaignId = serializers.IntegerField()
    account = serializers.CharField()
    phone = serializers.CharField()
    termCodeId = serializers.IntegerField()
    fromDate = serializers.IntegerField(help_text="Epoch milliseconds")
    toDate = serializers.IntegerField(help_text="Epoch milliseconds")
    originalAccountNumber = serializers.CharField(required=False, help_text="Only when known")
    duration = serializers.IntegerField(help_text="Seconds")


class RecordingErrorBody(serializers.Serializer):
    """{"code", "message"}: its own name, as OpenAPI components are global."""

    code = serializers.IntegerField()
    message = serializers.CharField()
