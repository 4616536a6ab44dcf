"""The request and response bodies, for the OpenAPI schema (``/api/schema/``).

Validation does not go through these: the plain functions in ``services.py`` do it (the same
ones the admin calls), and ``selectors.py`` builds the responses.
"""

from rest_framework import serializers


class ServiceRef(serializers.Serializer):
    id = serializers.IntegerField(help_text="Service ID")


class OutcomeCreate(serializers.Serializer):
    lvResultId = serializers.IntegerField(help_text="Internal ID of the call result")
    dialAnotherNumber = serializers.BooleanField(
        help_text="Dial the next number in the sequence after this result (true/false or "
        '"true"/"false")'
    )
    maxNumberOfRetries = serializers.IntegerField(min_value=0, help_text="Re-dial attempts allowed")
    retryDelay = serializers.IntegerField(min_value=0, help_text="Minutes")
    requeue = serializers.BooleanField(help_text="Requeue calls with this result")


class OutcomeUpdate(serializers.Serializer):
    """Every key optional; absent or null: unchanged."""

    dialAnotherNumber = serializers.BooleanField(required=False, allow_null=True)
    maxNumberOfRetries = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    retryDelay = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    requeue = serializers.BooleanField(required=False, allow_null=True)


class OutcomeRead(serializers.Serializer):
    outcomeId = serializers.IntegerField()
    lvResultId = serializers.IntegerField()
    dialAnotherNumber = serializers.BooleanField()
    maxNumberOfRetries = serializers.IntegerField()
    retryDelay = serializers.IntegerField()
    requeue = serializers.BooleanField()


class StrategyCreate(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="Unique within the client")
    service = ServiceRef(many=True, required=False, help_text="Services that may use it")
    dialingSequenceItem = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        help_text="Distinct phone positions in dialing order",
    )
    outcomeItem = OutcomeCreate(many=True, required=False)


class StrategyUpdate(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    dialingSequenceItem = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, required=False
    )


class StrategyRead(serializers.Serializer):
    service = ServiceRef(many=True)
    dialingSequenceItem = serializers.ListField(child=serializers.IntegerField())
    outcomeItem = OutcomeRead(many=True)
    id = serializers.IntegerField()
    name = serializers.CharField()


class StrategyListItem(serializers.Serializer):
    service = ServiceRef(many=True)
    id = serializers.IntegerField()
    name = serializers.CharField()


class StrategyList(serializers.Serializer):
    strategy = StrategyListItem(many=True)
    next = serializers.CharField(
        allow_null=True, help_text="Relative link to the next page; null on the last page"
    )


class ListInfo(serializers.Serializer):
    size = serializers.IntegerField()
    lastModified = serializers.IntegerField(
        required=False, help_text="Epoch milliseconds of the last change (absent if none)"
    )


class CreatedId(serializers.Serializer):
    id = serializers.IntegerField()


class ErrorBody(serializers.Serializer):
    errorCode = serializers.IntegerField(help_text="201 exists, 202 invalid, 203 not found")
    errorMessage = serializers.CharField()
