"""``/compliance/{dialtime,email,sms}/dnc``: the dial-time, email and SMS lists.

One viewset class per list (the three differ only in their model, value key, permissions and
schema names; their methods are ``ListEntryViews``'). Views read the lenient wire through the small
functions below and call ``dnc.services.lists``; reads go through ``dnc.selectors.lists`` and
the FilterSets of ``dnc.filters.lists``.

Who: Sysadmins, Superusers and Managers with the "Edit DNC Lists" power (the role check comes
first: a missing role is a 403); then only clients whose Phone DNC Type is Dial-Time (else 400,
code 202). Agent sessions may call none of these (the spec's agent list names only the legacy
methods and Is Blocked). Another client's entry is a 404 ``{"code": 203, "message": "DNC entry
not found"}`` (the spec's example body).
"""

from drf_spectacular.drainage import isolate_view_method
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from livevox_site.api import CLIENT, PAGE, TenantViewSet, error_responses, no_content
from livevox_site.errors import EntryNotFound, InvalidInput
from livevox_site.lenient import query
from livevox_site.models import PhoneDncType

from .. import wire
from ..filters.lists import FILTERS, apply_filters, filter_parameters
from ..models import DialtimeEntry, EmailEntry, SmsEntry
from ..selectors import lists as reads
from ..services import lists as services
from ..services.dnc_type import require_dnc_type
from .common import ERROR_BODY, client_zone, doc

# --- the schema -----------------------------------------------------------------------------

ENTRY_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="DNC entry ID")
ERRORS = error_responses(
    ERROR_BODY,
    invalid="202 invalid input, or a client whose Phone DNC Type is not Dial-Time; "
    "201 element already exists",
    not_found="203 DNC entry not found",
)
NO_CONTENT = no_content(ERRORS)
DATE_HELP = (
    "yyyy-MM-dd, epoch milliseconds or ISO-8601 on input (an instant is its day in the "
    "client's time zone); epoch milliseconds of that day's midnight in the client's time zone "
    "on output"
)
TITLES = {"dialtime": "Dialtime", "email": "Email", "sms": "SMS"}


def _schemas(list_name: str) -> dict:
    """The request and response bodies of one list, named ``Dnc<List>...`` (component names
    are unique site-wide)."""
    key = wire.LIST_VALUES[list_name][0]
    prefix = f"Dnc{TITLES[list_name].capitalize()}"
    value = serializers.CharField(
        help_text="10 digits" if key != "email" else "An email address (matched without case)"
    )
    body_fields = {
        key: value,
        "contactGroupId": serializers.IntegerField(required=False, allow_null=True),
        "expirationDate": serializers.CharField(
            required=False, allow_null=True, help_text=DATE_HELP
        ),
    }
    entry_fields = {
        key: value,
        "contactGroupId": serializers.IntegerField(required=False),
        "expirationDate": serializers.IntegerField(required=False, help_text=DATE_HELP),
        "id": serializers.IntegerField(),
    }
    if list_name != "dialtime":
        entry_fields["dncId"] = serializers.IntegerField(help_text="The same as id")
    entry = inline_serializer(f"{prefix}Entry", entry_fields)
    page = {
        "dncEntries": inline_serializer(f"{prefix}EntryItem", entry_fields, many=True),
        "next": serializers.CharField(required=False, help_text="Absent on the last page"),
    }
    filterset = FILTERS[list_name]
    return {
        "body": inline_serializer(f"{prefix}Body", body_fields),
        "entry": entry,
        "created": inline_serializer(f"{prefix}Created", {"id": serializers.IntegerField()}),
        "bulk": inline_serializer(
            f"{prefix}Bulk",
            {"dncEntries": inline_serializer(f"{prefix}BulkLine", body_fields, many=True)},
        ),
        "bulk_result": inline_serializer(
            f"{prefix}BulkResult", {"processedCount": serializers.IntegerField()}
        ),
        "page": inline_serializer(f"{prefix}Page", page),
        "search": inline_serializer(
            f"{prefix}Search",
            {
                "filter": inline_serializer(
                    f"{prefix}Filter",
                    {
                        name: serializers.IntegerField(required=False)
                        if name == "contactGroupId"
                        else serializers.CharField(required=False)
                        for name in filterset.base_filters
                    },
                )
            },
        ),
        "info": inline_serializer(f"{prefix}Info", {"size": serializers.IntegerField()}),
    }


def _documented(list_name: str) -> dict:
    """The schema decorator of each method of one list's viewset, named per list."""
    title, ops = TITLES[list_name], f"{list_name}Dnc"
    bodies = _schemas(list_name)
    filters = filter_parameters(FILTERS[list_name])
    tags = [f"{title} DNC"]
    return {
        "search_get": extend_schema(exclude=True),
        "create": doc(
            f"{ops}Create",
            tags=tags,
            summary=f"Create {title} DNC",
            parameters=[CLIENT],
            request=bodies["body"],
            responses={201: bodies["created"], **ERRORS},
        ),
        "bulk": doc(
            f"{ops}CreateMultiple",
            tags=tags,
            summary=f"Create Multiple {title} DNC (at most {services.MAX_BULK_ENTRIES} entries)",
            description="Good lines are saved even when some are bad; the bad ones are named "
            'in a 400 {"code": 202} answer ("Record N: value, reason.").',
            parameters=[CLIENT],
            request=bodies["bulk"],
            responses={200: bodies["bulk_result"], **ERRORS},
        ),
        "destroy": doc(
            f"{ops}Delete",
            tags=tags,
            summary=f"Delete {title} DNC",
            parameters=[ENTRY_ID, CLIENT],
            request=None,
            responses=NO_CONTENT,
        ),
        "search": doc(
            f"{ops}FindMatching",
            tags=tags,
            summary=f"Find Matching {title} DNC",
            description='The filter under "filter", or at the top level of the body.',
            parameters=[CLIENT, *PAGE],
            request=bodies["search"],
            responses={200: bodies["page"], **ERRORS},
        ),
        "info": doc(
            f"{ops}Info",
            tags=tags,
            summary=f"Get {title} DNC List Info",
            parameters=[CLIENT],
            responses={200: bodies["info"], **ERRORS},
        ),
        "list": doc(
            f"{ops}List",
            tags=tags,
            summary=f"List {title} DNC",
            parameters=[CLIENT, *PAGE, *filters],
            responses={200: bodies["page"], **ERRORS},
        ),
        "retrieve": doc(
            f"{ops}Read",
            tags=tags,
            summary=f"Read {title} DNC",
            parameters=[ENTRY_ID, CLIENT],
            responses={200: bodies["entry"], **ERRORS},
        ),
        "update": doc(
            f"{ops}Update",
            tags=tags,
            summary=f"Update {title} DNC",
            parameters=[ENTRY_ID, CLIENT],
            request=bodies["body"],
            responses=NO_CONTENT,
        ),
    }


# --- the views ------------------------------------------------------------------------------


class ListEntryViews:
    """The methods of one list, shared by the three lists' viewsets."""

    list_name = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, role, request.client
        require_dnc_type(request.client, PhoneDncType.DIAL_TIME)

    @property
    def zone(self):
        return client_zone(self.request.client)

    @property
    def via(self) -> str:
        # The request an entry came from, e.g. "POST /compliance/email/dnc".
        return f"{self.request.method} {self.request.path_info}"

    def entry(self):
        try:
            entry_id = self.lookup_id()
        except EntryNotFound:
            raise EntryNotFound(services.NOT_FOUND) from None
        found = self.get_queryset().filter(pk=entry_id).first()
        if found is None:
            raise EntryNotFound(services.NOT_FOUND)
        return found

    def _page(self, queryset) -> Response:
        value_field = services.list_model(self.list_name).value_field
        response = self.paged_response(
            reads.page_rows(queryset, value_field),
            "dncEntries",
            lambda rows: reads.page_items(
                rows, list_name=self.list_name, value_field=value_field, zone=self.zone
            ),
        )
        # The spec's examples have no "next" on the last page (docs/wire.md: null or absent).
        if response.data.get("next") is None:
            response.data.pop("next", None)
        return response

    def create(self, request):
        entry = services.list_entry_create(
            actor=self.actor,
            client=request.client,
            list_name=self.list_name,
            via=self.via,
            **wire.list_create_args(request.data, list_name=self.list_name, zone=self.zone),
        )
        return Response({"id": entry.pk}, status=status.HTTP_201_CREATED)

    def bulk(self, request):
        outcome = services.list_entries_bulk(
            actor=self.actor,
            client=request.client,
            list_name=self.list_name,
            entries=wire.list_bulk_entries(request.data),
            via=self.via,
        )
        if outcome.message:
            raise InvalidInput(outcome.message)
        return Response({"processedCount": outcome.processed})

    def destroy(self, request, pk=None):
        services.list_entry_delete(
            actor=self.actor, client=request.client, entry=self.entry(), via=self.via
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def search(self, request):
        queryset = apply_filters(
            self.get_queryset(), wire.list_search_filter(request.data), FILTERS[self.list_name]
        )
        return self._page(queryset)

    def info(self, request):
        return Response({"size": reads.list_size(client=request.client, list_name=self.list_name)})

    def search_get(self, request):
        # The spec's dial-time and SMS examples send Find Matching as a GET with a body:
        # accepted, documented only as the POST.
        return self.search(request)

    def list(self, request):
        queryset = apply_filters(self.get_queryset(), query(request), FILTERS[self.list_name])
        return self._page(queryset)

    def retrieve(self, request, pk=None):
        return Response(reads.entry_read(self.entry(), list_name=self.list_name, zone=self.zone))

    def update(self, request, pk=None):
        entry = self.entry()
        services.list_entry_update(
            actor=self.actor,
            client=request.client,
            entry=entry,
            via=self.via,
            **wire.list_update_args(request.data, list_name=self.list_name, zone=self.zone),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ListViewSet(ListEntryViews, TenantViewSet):
    """What the three lists' viewsets share beyond their methods: no Agent session, the
    services' parameter names on the wire. Each names its model, permissions and schema."""

    agent_actions = ()
    wire_field_names = {
        "contact_group_id": "contactGroupId",
        "expiration_date": "expirationDate",
    }
    # Each list names its own permissions (view, change; add, delete).
    read_perm = write_perm = "dnc.view_dialtimeentry"


def documented_as(list_name: str):
    """Each list's own schema on the shared methods: drf-spectacular's ``isolate_view_method``
    gives the class its own copy of each (as ``extend_schema_view`` does for the standard
    actions, but for ``bulk``, ``search`` and ``info`` too); decorating ``ListEntryViews``
    itself would name all three lists' operations alike."""

    def decorate(view: type) -> type:
        for method, schema in _documented(list_name).items():
            schema(isolate_view_method(view, method))
        return view

    return decorate


@documented_as("dialtime")
class DialtimeDncViewSet(_ListViewSet):
    """The client's Dialtime DNC list."""

    list_name = "dialtime"
    queryset = DialtimeEntry.objects.order_by("id")
    read_perm = "dnc.view_dialtimeentry"
    write_perm = "dnc.change_dialtimeentry"
    action_perms = {
        "create": "dnc.add_dialtimeentry",
        "bulk": "dnc.add_dialtimeentry",
        "destroy": "dnc.delete_dialtimeentry",
        "search": "dnc.view_dialtimeentry",  # a POST, but a read
    }


@documented_as("email")
class EmailDncViewSet(_ListViewSet):
    """The client's Email DNC list."""

    list_name = "email"
    queryset = EmailEntry.objects.order_by("id")
    read_perm = "dnc.view_emailentry"
    write_perm = "dnc.change_emailentry"
    action_perms = {
        "create": "dnc.add_emailentry",
        "bulk": "dnc.add_emailentry",
        "destroy": "dnc.delete_emailentry",
        "search": "dnc.view_emailentry",  # a POST, but a read
    }


@documented_as("sms")
class SmsDncViewSet(_ListViewSet):
    """The client's SMS DNC list."""

    list_name = "sms"
    queryset = SmsEntry.objects.order_by("id")
    read_perm = "dnc.view_smsentry"
    write_perm = "dnc.change_smsentry"
    action_perms = {
        "create": "dnc.add_smsentry",
        "bulk": "dnc.add_smsentry",
        "destroy": "dnc.delete_smsentry",
        "search": "dnc.view_smsentry",  # a POST, but a read
    }


VIEWSETS = {"dialtime": DialtimeDncViewSet, "email": EmailDncViewSet, "sms": SmsDncViewSet}
