"""The request and response bodies, for the OpenAPI schema (``/api/schema/``).

Validation does not go through these: the plain functions in ``wire.py`` and ``services.py``
do it (the same rules the admin calls), and ``selectors.py`` builds the responses.
"""

from rest_framework import serializers

from .models import Country, DayOfWeek

TIME_HELP = (
    'Local time of day in the client\'s time zone: "HH:MM[:SS]", epoch seconds or epoch '
    "milliseconds on input; epoch milliseconds of that time on 1970-01-01 on output"
)


class DialingProfileError(serializers.Serializer):
    errorCode = serializers.IntegerField()
    errorMessage = serializers.CharField()


class DialingProfileCreated(serializers.Serializer):
    id = serializers.IntegerField()


class DialingPolicyBody(serializers.Serializer):
    """A state or an area code or both; both times or neither."""

    dayOfWeek = serializers.ChoiceField(choices=DayOfWeek.values)
    doNotDial = serializers.BooleanField(required=False)
    doNotLeaveMessage = serializers.BooleanField(required=False)
    country = serializers.ChoiceField(choices=Country.values, required=False, allow_null=True)
    state = serializers.CharField(required=False, allow_null=True, help_text="Two letters")
    areaCode = serializers.CharField(required=False, allow_null=True)
    startTime = serializers.CharField(required=False, allow_null=True, help_text=TIME_HELP)
    endTime = serializers.CharField(required=False, allow_null=True, help_text=TIME_HELP)


class DialingPolicyUpdate(DialingPolicyBody):
    """Every key optional; absent or null: unchanged."""

    dayOfWeek = serializers.ChoiceField(choices=DayOfWeek.values, required=False, allow_null=True)
    clearAreaCode = serializers.BooleanField(required=False, allow_null=True)
    clearTimeRange = serializers.BooleanField(required=False, allow_null=True)


class DialingPolicyRead(DialingPolicyBody):
    id = serializers.IntegerField()
    startTime = serializers.IntegerField(allow_null=True, help_text=TIME_HELP)
    endTime = serializers.IntegerField(allow_null=True, help_text=TIME_HELP)


class DialingProfileCreate(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(required=False, allow_null=True)
    policy = DialingPolicyBody(many=True, required=False)


class DialingProfileUpdate(serializers.Serializer):
    name = serializers.CharField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_null=True)


class DialingProfileServiceRef(serializers.Serializer):
    id = serializers.IntegerField(help_text="Service ID")


class DialingProfileRead(serializers.Serializer):
    service = DialingProfileServiceRef(
        many=True, help_text="The client's services that use it by default"
    )
    policy = DialingPolicyRead(many=True)
    clientId = serializers.IntegerField(required=False, help_text="Absent: system-wide")
    name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    clientDefault = serializers.BooleanField()


class DialingProfileItem(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_null=True)


class DialingProfileList(serializers.Serializer):
    dialingProfile = DialingProfileItem(many=True)
    next = serializers.CharField(allow_null=True)


class DialingProfileListInfo(serializers.Serializer):
    size = serializers.IntegerField()
    lastModified = serializers.IntegerField(required=False, help_text="Epoch ms")


# --- holidays and blackout dates (an extension) ----------------------------------------------

DATE_HELP = (
    "A date: yyyy-MM-dd, epoch ms or ISO-8601 on input (an instant is the date it falls on in "
    "the client's time zone); epoch ms of its midnight in the client's time zone on output"
)
BLACKOUT_TIME_HELP = (
    "Local time of day on the callee's clock (as a policy's): \"HH:MM[:SS]\", epoch seconds or "
    "epoch milliseconds on input; epoch milliseconds of that time on 1970-01-01 in the "
    "client's time zone on output"
)


class DialingBlackoutBody(serializers.Serializer):
    """A date (or range) or a federal holiday; do-not-dial, or a narrower window."""

    startDate = serializers.CharField(required=False, allow_null=True, help_text=DATE_HELP)
    endDate = serializers.CharField(
        required=False, allow_null=True, help_text=DATE_HELP + ". Absent: the start date alone"
    )
    holiday = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="A US federal holiday's name, every year (its observed day too), instead of "
        "dates",
    )
    states = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        allow_null=True,
        help_text="Two-letter state or province codes; absent or empty: everywhere",
    )
    doNotDial = serializers.BooleanField(
        required=False, allow_null=True, help_text="Absent: true unless a window is given"
    )
    startTime = serializers.CharField(required=False, allow_null=True, help_text=BLACKOUT_TIME_HELP)
    endTime = serializers.CharField(required=False, allow_null=True, help_text=BLACKOUT_TIME_HELP)


class DialingBlackoutRead(serializers.Serializer):
    id = serializers.IntegerField()
    startDate = serializers.IntegerField(allow_null=True, help_text=DATE_HELP)
    endDate = serializers.IntegerField(allow_null=True, help_text=DATE_HELP)
    holiday = serializers.CharField(allow_null=True)
    states = serializers.ListField(child=serializers.CharField())
    doNotDial = serializers.BooleanField()
    startTime = serializers.IntegerField(allow_null=True, help_text=BLACKOUT_TIME_HELP)
    endTime = serializers.IntegerField(allow_null=True, help_text=BLACKOUT_TIME_HELP)


class DialingBlackoutList(serializers.Serializer):
    blackout = DialingBlackoutRead(many=True)
