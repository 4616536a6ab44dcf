"""``/compliance/dnc``: the legacy DNC methods (docs/wire.md section 6) and account Do Not Dial
flags. Views read the request, gate it by the client's Phone DNC Type (after the role check:
a missing power is a 403 first) and answer; writes go through ``dnc.services.legacy``, list and
search through ``dnc.filters.legacy``.

Only a LEGACY client may call them (a DIAL_TIME client: 400 code 202), except Is Legacy DNC
Enabled, which tells either which it is. Agent sessions may call Read, Create, List, Info and
Find Matching DNC; everything else answers them 403.
"""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from livevox_site.api import CLIENT, PAGE, TenantViewSet, error_responses
from livevox_site.audit import audit_last_modified
from livevox_site.bulk import RowInvalid
from livevox_site.errors import InvalidInput
from livevox_site.lenient import body_object, epoch_ms, query
from livevox_site.models import PhoneDncType

from .. import wire
from ..filters.legacy import (
    filter_data,
    filtered,
    parse_dnc_type,
    parse_services,
    query_parameters,
    search_body_fields,
    search_filter,
)
from ..models import LegacyEntry
from ..rows import LegacyRowChecker, service_ids
from ..selectors import legacy as reads
from ..services import legacy as services
from ..services.dnc_type import require_dnc_type
from ..wire import local_today
from .common import ERROR_BODY, client_zone, doc

# Audit object types whose entries move info's lastModified.
INFO_OBJECT_TYPES = [services.LEGACY_TYPE]

# --- the schema -------------------------------------------------------------------------------

ENTRY = OpenApiParameter("id", int, OpenApiParameter.PATH, description="DNC entry ID")
ERRORS = error_responses(
    ERROR_BODY,
    invalid="202 invalid input, or not configured (a Dial-Time client); 201 exists",
    forbidden="Role, power or client not allowed",
)


# Enum values are strings with their values in the help text, not enums: the input is case- and
# underscore-insensitive ("Daily" is DAILY), which an enum would deny, and named enum components
# collide with the site's other "type" fields.
TYPE_HELP = "PERMANENT or DAILY (any case); DAILY blocks until midnight in the client's zone"
TYPE_OUT = "PERMANENT or DAILY"
BLOCK_HELP = "PERMANENT, DAILY, or NONE to remove the block"

_values = {
    "serviceId": serializers.IntegerField(
        required=False, help_text="Absent: every service of the client"
    ),
    "phone": serializers.CharField(required=False, help_text="10 digits; '*' wildcards allowed"),
    "account": serializers.CharField(required=False),
    "zip": serializers.CharField(required=False),
}
CREATE_BODY = inline_serializer(
    "DncLegacyCreate",
    {
        "type": serializers.CharField(help_text=TYPE_HELP),
        **_values,
        "clientId": serializers.IntegerField(
            required=False, help_text="Ignored: the session's client (or ?client=)"
        ),
    },
)
CREATED = inline_serializer("DncLegacyCreated", {"id": serializers.IntegerField()})
READ = inline_serializer(
    "DncLegacyEntry",
    {
        "id": serializers.IntegerField(),
        "clientId": serializers.IntegerField(),
        "type": serializers.CharField(help_text=TYPE_OUT),
        **_values,
        "filename": serializers.CharField(required=False, help_text="The import file it came from"),
    },
)
ITEM = inline_serializer(
    "DncLegacyListItem",
    {
        "id": serializers.IntegerField(),
        "clientId": serializers.IntegerField(),
        "dncType": serializers.CharField(help_text=TYPE_OUT),
        **_values,
    },
    many=True,
)
LIST = inline_serializer(
    "DncLegacyList",
    {"dnc": ITEM, "next": serializers.CharField(allow_null=True)},
)
INFO = inline_serializer(
    "DncLegacyInfo",
    {
        "size": serializers.IntegerField(),
        "lastModified": serializers.IntegerField(
            required=False, help_text="Epoch ms; absent when nothing was ever changed"
        ),
    },
)
SEARCH_BODY = inline_serializer(
    "DncLegacySearch",
    {
        "filter": inline_serializer(
            "DncLegacySearchFilter",
            search_body_fields(),
            required=False,
            help_text="Also accepted at top level, or under 'type'",
        )
    },
)
ENABLED = inline_serializer("DncLegacyEnabled", {"result": serializers.BooleanField()})
PHONE_BODY = inline_serializer(
    "DncLegacyMultiplePhone",
    {
        "block": serializers.CharField(help_text=BLOCK_HELP),
        "phoneDncEntry": inline_serializer(
            "DncLegacyPhoneEntry",
            {
                "phone": serializers.CharField(),
                "service": inline_serializer(
                    "DncLegacyServiceRef",
                    {"id": serializers.IntegerField()},
                    many=True,
                    required=False,
                    help_text="Absent or empty: every service",
                ),
            },
            many=True,
            help_text=f"At most {wire.MAX_BULK_LINES} lines",
        ),
    },
)
PHONE_RESULT = inline_serializer(
    "DncLegacyMultiplePhoneResult",
    {
        "successfulEntries": serializers.IntegerField(),
        "failedEntries": serializers.IntegerField(),
        "duplicateEntries": serializers.IntegerField(),
        "line": serializers.IntegerField(required=False, help_text="The first failed line"),
        "reason": serializers.CharField(required=False, help_text="Why it failed"),
    },
)
LINE_ERROR = inline_serializer(
    "DncLegacyFailedLine",
    {"line": serializers.IntegerField(), "reason": serializers.CharField()},
    many=True,
)
ACCOUNT_RESULT = inline_serializer(
    "DncLegacyMultipleAccountResult",
    {
        "successfulEntries": serializers.IntegerField(),
        "failedEntries": LINE_ERROR,
        "duplicateEntries": serializers.IntegerField(),
    },
)
ACCOUNT_BODY = inline_serializer(
    "DncLegacyMultipleAccount",
    {
        "accountDndEntry": inline_serializer(
            "DncLegacyAccountEntry",
            {
                "account": serializers.CharField(),
                "block": serializers.CharField(help_text=BLOCK_HELP),
            },
            many=True,
            help_text=f"At most {wire.MAX_BULK_LINES} lines",
        ),
    },
)
ACCOUNT_PHONE_BODY = inline_serializer(
    "DncLegacyMultipleAccountPhone",
    {
        "accountPhoneDndEntry": inline_serializer(
            "DncLegacyAccountPhoneEntry",
            {
                "account": serializers.CharField(),
                "phones": inline_serializer(
                    "DncLegacyAccountPhone",
                    {
                        "phone": serializers.CharField(),
                        "ordinal": serializers.IntegerField(
                            min_value=1,
                            max_value=wire.MAX_ORDINAL,
                            help_text="The phone's position on the account (checked, not kept)",
                        ),
                        "phoneBlock": serializers.CharField(help_text=BLOCK_HELP),
                    },
                    many=True,
                    help_text="Each phone is a line, numbered across the accounts",
                ),
            },
            many=True,
            help_text=f"At most {wire.MAX_BULK_LINES} phones in all",
        ),
    },
)


# --- answers ----------------------------------------------------------------------------------


def bulk_counts(result: services.BulkResult) -> dict:
    """Multiple Phone DNC's answer: failures as a count, and the first one's line and reason."""
    body = {
        "successfulEntries": result.successful,
        "failedEntries": len(result.errors),
        "duplicateEntries": result.duplicates,
    }
    if result.errors:
        body.update(line=result.errors[0].line, reason=result.errors[0].reason)
    return body


def bulk_lines(result: services.BulkResult) -> dict:
    """Multiple Account (+Phone) DND's answer: every failed line with its reason."""
    return {
        "successfulEntries": result.successful,
        "failedEntries": [{"line": e.line, "reason": e.reason} for e in result.errors],
        "duplicateEntries": result.duplicates,
    }


class LegacyDncViewSet(TenantViewSet):
    """The legacy list of the caller's client (or, for a Sysadmin, of ``?client=``); another
    client's entry is a 404 (code 203)."""

    queryset = LegacyEntry.objects.all()
    read_perm = "dnc.view_legacyentry"
    write_perm = "dnc.add_legacyentry"
    action_perms = {
        "search": "dnc.view_legacyentry",
        "destroy": "dnc.delete_legacyentry",
        "multiple_phone": "dnc.change_legacyentry",
        "multiple_account_phone": "dnc.change_legacyentry",
        "multiple_account": "dnc.change_accountflag",
    }
    # docs/wire.md section 2: Read, Create, List, Info and Find Matching DNC.
    agent_actions = ("retrieve", "create", "list", "info", "search")
    wire_field_names = {"dnc_type": "type", "service_id": "serviceId"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # After the role check (a missing power is a 403 first), before any lookup.
        if self.action != "is_enabled":
            require_dnc_type(request.client, PhoneDncType.LEGACY)

    @property
    def today(self):
        return local_today(client_zone(self.request.client))

    @property
    def via(self) -> str:
        return f"{self.request.method} {self.request.path_info}"

    # --- reads ---

    @doc(
        "dncIsLegacyDncEnabled",
        summary="Is Legacy DNC Enabled",
        parameters=[CLIENT],
        request=None,
        responses={200: ENABLED, **ERRORS},
    )
    def is_enabled(self, request):
        return Response({"result": request.client.phone_dnc_type == PhoneDncType.LEGACY})

    @doc(
        "dncList",
        summary="List DNC Entries",
        parameters=[CLIENT, *query_parameters(), *PAGE],
        responses={200: LIST, **ERRORS},
    )
    def list(self, request):
        entries = filtered(self.get_queryset(), query(request), client=request.client)
        return self.paged_response(entries.values_list(*reads.LIST_FIELDS), "dnc", reads.list_items)

    @doc(
        "dncSearch",
        summary="Find Matching DNC",
        parameters=[CLIENT, *PAGE],
        request=SEARCH_BODY,
        responses={200: LIST, **ERRORS},
    )
    def search(self, request):
        given = search_filter(request.data)
        entries = filtered(self.get_queryset(), given, client=request.client)
        return self.paged_response(entries.values_list(*reads.LIST_FIELDS), "dnc", reads.list_items)

    @doc(
        "dncInfo",
        summary="Get DNC List Info",
        parameters=[
            CLIENT,
            *query_parameters(exclude=("modifiedAfter", "phone", "account", "zip")),
        ],
        responses={200: INFO, **ERRORS},
    )
    def info(self, request):
        data = filter_data(query(request))
        lists = list(reads.COUNTER_LISTS.values())
        if "dncType" in data:
            lists = [reads.COUNTER_LISTS[parse_dnc_type(data["dncType"])]]
        services = parse_services(data["service"], request.client) if "service" in data else None
        size = reads.legacy_list_size(client=request.client, lists=lists, service_ids=services)
        body = {"size": size}
        last = audit_last_modified(client=request.client, object_types=INFO_OBJECT_TYPES)
        if last is not None:
            body["lastModified"] = epoch_ms(last)
        return Response(body)

    @doc(
        "dncRead",
        summary="Read DNC",
        parameters=[ENTRY, CLIENT],
        responses={200: READ, **ERRORS},
    )
    def retrieve(self, request, pk=None):
        return Response(reads.entry_read(self.get_object()))

    # --- writes ---

    @doc(
        "dncCreate",
        summary="Create DNC",
        parameters=[CLIENT],
        request=CREATE_BODY,
        responses={201: CREATED, **ERRORS},
    )
    def create(self, request):
        body = body_object(request.data)
        if "type" not in body and "dncType" in body:
            body = {**body, "type": body["dncType"]}
        checker = LegacyRowChecker.for_client(request.client, self.today)
        try:
            values = checker(body)
        except RowInvalid as exc:
            raise InvalidInput(exc.reason) from None
        values.pop("blocks_through")
        entry = services.legacy_entry_create(
            actor=self.actor, client=request.client, today=self.today, via=self.via, **values
        )
        return Response({"id": entry.pk}, status=status.HTTP_201_CREATED)

    @doc(
        "dncDelete",
        summary="Delete DNC",
        parameters=[ENTRY, CLIENT],
        request=None,
        responses={204: OpenApiResponse(description="Done; empty body"), **ERRORS},
    )
    def destroy(self, request, pk=None):
        services.legacy_entry_delete(
            actor=self.actor, client=request.client, entry=self.get_object()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- the three bulk methods: one shape, each its service and answer ---

    def _bulk(self, request, service, answer, **read) -> Response:
        result = service(
            actor=self.actor, client=request.client, today=self.today, via=self.via, **read
        )
        return Response(answer(result))

    @doc(
        "dncMultiplePhoneDnc",
        summary="Multiple Phone DNC",
        parameters=[CLIENT],
        request=PHONE_BODY,
        responses={200: PHONE_RESULT, **ERRORS},
    )
    def multiple_phone(self, request):
        block, read = wire.read_phone_bulk(request.data, service_ids(request.client))
        return self._bulk(request, services.phone_dnc_bulk, bulk_counts, block=block, read=read)

    @doc(
        "dncMultipleAccountDnd",
        summary="Multiple Account DND",
        parameters=[CLIENT],
        request=ACCOUNT_BODY,
        responses={200: ACCOUNT_RESULT, **ERRORS},
    )
    def multiple_account(self, request):
        read = wire.read_account_bulk(request.data)
        return self._bulk(request, services.account_dnd_bulk, bulk_lines, read=read)

    @doc(
        "dncMultipleAccountPhoneDnd",
        summary="Multiple Account+Phone DND",
        parameters=[CLIENT],
        request=ACCOUNT_PHONE_BODY,
        responses={200: ACCOUNT_RESULT, **ERRORS},
    )
    def multiple_account_phone(self, request):
        read = wire.read_account_phone_bulk(request.data)
        return self._bulk(request, services.account_phone_dnd_bulk, bulk_lines, read=read)
