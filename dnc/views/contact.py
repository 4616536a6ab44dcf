"""``POST /compliance/complianceCheck/contactCheck`` and ``.../contactCheck/batch``: may I
contact this person now, and if not, why and when (an extension, not part of the vendor's API).

One answer joins the DNC lists (as isBlocked reads them, ``dnc/selectors/decisions.py``) and the
calling hours of the service's dialing profile (``profiles/calling_hours.py``). The batch takes up
to 50,000 items and answers them in order, a bad item with its own error and never a failed
batch; the lists are read with one query per list for the whole batch, the calling-hours rules
once.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from livevox_site.api import TenantViewSet, error_responses
from livevox_site.errors import CODE_INVALID, InvalidInput
from livevox_site.lenient import body_object
from livevox_site.memory import collector_paused
from livevox_site.renderers import LargeJSONRenderer
from profiles.calling_hours import CallingHoursPlan

from ..asks import contact_ask
from ..models import LegacyEntry
from ..rows import service_ids
from ..selectors.decisions import Channel, ContactAsk, contact_decisions
from .common import ERROR_BODY, doc

MAX_BATCH = 50_000
EXTENSION = (
    "**Extension** (not part of the vendor's API). The DNC lists and account flags as isBlocked "
    "reads them (the email and SMS lists for those channels) and the calling hours of the "
    "service's dialing profile (or the client's default, or the one system-wide profile; with "
    "none, 08:00-21:00 at the callee's location), holidays and blackout dates included, "
    "applied at the callee's local time (from the zip, else the phone's area code; a "
    "multi-zone area code: the most restrictive reading). Emails have no calling hours."
)


CONTACT = inline_serializer(
    "ContactCheck",
    {
        "service": serializers.IntegerField(),
        "channel": serializers.ChoiceField(choices=Channel.ALL, required=False, default="CALL"),
        "phone": serializers.CharField(required=False),
        "sms": serializers.CharField(required=False),
        "email": serializers.CharField(required=False),
        "account": serializers.CharField(required=False),
        "zip": serializers.CharField(required=False),
        "at": serializers.CharField(required=False, help_text="Epoch ms or ISO-8601; now"),
    },
)
DECISION = inline_serializer(
    "ContactDecision",
    {
        "allowed": serializers.BooleanField(),
        "reasons": serializers.ListField(child=serializers.DictField()),
        "localTime": serializers.CharField(),
        "timeZone": serializers.CharField(),
        "nextAllowedAt": serializers.IntegerField(allow_null=True),
    },
)
ERRORS = error_responses(ERROR_BODY, forbidden="Role not allowed, or Agent session", not_found=None)


class ContactCheckViewSet(TenantViewSet):
    """Reads through ``dnc/selectors/decisions.py``; the queryset only declares the tenant scope."""

    queryset = LegacyEntry.objects.none()
    # The same right as isBlocked (Sysadmins, Superusers, every Manager); not Agent sessions,
    # which may call only what the vendor lists.
    read_perm = "dnc.check_isblocked"
    write_perm = "dnc.check_isblocked"

    def get_renderers(self):
        # A batch answer is up to 50,000 objects: rendered by orjson (livevox_site/renderers.py).
        renderers = super().get_renderers()
        if self.action == "contact_check_batch":
            return [LargeJSONRenderer(), *renderers]
        return renderers

    def _plan(self) -> CallingHoursPlan:
        return CallingHoursPlan.for_client(self.request.client)

    @doc(
        "complianceCheckContactCheck",
        summary="Contact Check: may I contact this person now, why not, and when",
        description=EXTENSION,
        tags=["Extensions"],
        request=CONTACT,
        responses={200: DECISION, **ERRORS},
        examples=[
            OpenApiExample(
                "A call",
                value={"service": 20180, "phone": "4155553734", "account": "A1", "zip": "94110"},
                request_only=True,
            ),
            OpenApiExample(
                "Blocked by a dial-time entry",
                value={
                    "allowed": False,
                    "reasons": [
                        {
                            "rule": "dnc",
                            "list": "dialtime",
                            "id": 21945273,
                            "matched": "phone",
                            "level": "client",
                            "contactGroupId": 1320,
                        }
                    ],
                    "localTime": "2026-11-23T10:15:00-08:00",
                    "timeZone": "America/Los_Angeles",
                    "nextAllowedAt": None,
                },
                response_only=True,
            ),
        ],
    )
    def contact_check(self, request):
        client = request.client
        ask = contact_ask(
            body_object(request.data), services=service_ids(client), now=timezone.now()
        )
        (answer,) = contact_decisions(client=client, asks=[ask], plan=self._plan())
        return Response(answer)

    @doc(
        "complianceCheckContactCheckBatch",
        summary="Contact Check, many at once (up to 50,000)",
        description=EXTENSION + ' Answers `{"results": [...]}` in input order; a bad item answers '
        '`{"error": {"code": 202, "message": ...}}` in its place.',
        tags=["Extensions"],
        request=inline_serializer(
            "ContactCheckBatch",
            {
                "items": serializers.ListField(
                    child=serializers.DictField(), help_text="contactCheck bodies"
                )
            },
        ),
        responses={
            200: inline_serializer(
                "ContactCheckBatchResult",
                {"results": serializers.ListField(child=serializers.DictField())},
            ),
            **ERRORS,
        },
    )
    def contact_check_batch(self, request):
        with collector_paused():  # the body is parsed on first use, below
            return self._batch(request)

    def _batch(self, request):
        client = request.client
        data = request.data
        items = data.get("items") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise InvalidInput("items must be a list of contactCheck objects", field="items")
        if len(items) > MAX_BATCH:
            raise InvalidInput(f"at most {MAX_BATCH} items per request", field="items")
        services = service_ids(client)
        now = timezone.now()
        asks: list[ContactAsk] = []
        results: list[dict | None] = []
        for raw in items:
            try:
                asks.append(contact_ask(raw, services=services, now=now))
                results.append(None)
            except InvalidInput as exc:
                results.append({"error": {"code": CODE_INVALID, "message": exc.message}})
        answers = iter(contact_decisions(client=client, asks=asks, plan=self._plan()))
        return Response({"results": [item or next(answers) for item in results]})
