"""``/compliance/complianceCheck/zipAreaMatch`` and ``/compliance/dialingProfiles``. Views read
the request through ``wire.py`` and answer; the rules live in ``services.py``, the reads in
``selectors.py``."""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from livevox_site.api import CLIENT, PAGE, TenantViewSet, error_responses, no_content
from livevox_site.errors import EntryNotFound
from livevox_site.lenient import epoch_ms
from livevox_site.selectors import service_for_client

from . import selectors, services, wire
from . import serializers as bodies
from .models import DialingProfile

ERROR = inline_serializer(
    "ZipAreaMatchError", {"code": serializers.IntegerField(), "message": serializers.CharField()}
)


class ComplianceCheckViewSet(TenantViewSet):
    """The compliance checks of this app: zipAreaMatch. It reads no tenant data; the queryset
    only declares the tenant scope the base viewset requires."""

    queryset = DialingProfile.objects.none()
    read_perm = "profiles.check_ziparea"
    write_perm = "profiles.check_ziparea"
    agent_actions = ("zip_area_match",)

    @extend_schema(
        operation_id="complianceCheckZipAreaMatch",
        summary="Zip Area Match",
        tags=["compliance checks"],
        auth=[{"LVSession": []}],
        request=inline_serializer(
            "ZipAreaMatch",
            {
                "areaCode": serializers.CharField(),
                "zipCode": serializers.CharField(),
                "type": serializers.ChoiceField(choices=selectors.MATCH_TYPES),
            },
        ),
        responses={
            200: inline_serializer("ZipAreaMatchResult", {"result": serializers.BooleanField()}),
            400: OpenApiResponse(ERROR, description="202 malformed area code, zip code or type"),
            401: OpenApiResponse(description="No valid LV-Session"),
            403: OpenApiResponse(ERROR, description="Role not allowed"),
        },
    )
    def zip_area_match(self, request):
        return Response({"result": selectors.zip_area_match(**wire.zip_area_match(request.data))})


class MisspelledZipAreaMatchViewSet(ComplianceCheckViewSet):
    """The vendor's own examples post to ``zipAreaMatchs``; accepted, not documented."""

    @extend_schema(exclude=True)
    def zip_area_match(self, request):
        return super().zip_area_match(request)


# --- /compliance/dialingProfiles ------------------------------------------------------------

# Audit object types whose entries move info's lastModified.
INFO_OBJECT_TYPES = ["profiles.dialingprofile", "profiles.dialingpolicy"]

PROFILE_ERROR = bodies.DialingProfileError
PROFILE = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Dialing profile ID")
POLICY = OpenApiParameter("policy", int, OpenApiParameter.PATH, description="Policy ID")
SERVICE = OpenApiParameter("service", int, OpenApiParameter.PATH, description="Service ID")
BLACKOUT = OpenApiParameter("blackout", int, OpenApiParameter.PATH, description="Blackout ID")
ERRORS = error_responses(PROFILE_ERROR)
NO_CONTENT = no_content(ERRORS)
CREATED = {201: bodies.DialingProfileCreated, **ERRORS}


def doc(operation_id: str, **kwargs):
    """The schema of one method: tagged, authenticated by LV-Session."""
    return extend_schema(
        operation_id=operation_id, tags=["dialing profiles"], auth=[{"LVSession": []}], **kwargs
    )


EXTENSION_NOTE = (
    "An extension of this service, not part of the vendor's (LiveVox) API. Holidays and "
    "blackout dates of a dialing profile: on those local dates the callee may not be called at "
    "all (doNotDial) or only within a narrower window. The profile's vendor read answer does "
    "not show them."
)


def extension(operation_id: str, **kwargs):
    """The schema of one method of ours: tagged "Extensions", described as not the vendor's."""
    description = EXTENSION_NOTE + (
        " " + kwargs.pop("description") if "description" in kwargs else ""
    )
    return extend_schema(
        operation_id=operation_id,
        tags=["Extensions"],
        auth=[{"LVSession": []}],
        description=description,
        **kwargs,
    )


BLACKOUT_EXAMPLES = [
    OpenApiExample(
        "Thanksgiving, every year",
        value={"holiday": "Thanksgiving Day", "doNotDial": True},
        request_only=True,
    ),
    OpenApiExample(
        "Christmas Eve in California and Nevada, 10:00 to 14:00 only",
        value={
            "startDate": "2026-12-24",
            "states": ["CA", "NV"],
            "startTime": "10:00",
            "endTime": "14:00",
        },
        request_only=True,
    ),
    OpenApiExample(
        "A shutdown week",
        value={"startDate": "2026-08-03", "endDate": "2026-08-07"},
        request_only=True,
    ),
]
BLACKOUT_LIST_EXAMPLE = OpenApiExample(
    "Two blackouts (client in America/New_York)",
    value={
        "blackout": [
            {
                "id": 7,
                "startDate": None,
                "endDate": None,
                "holiday": "Thanksgiving Day",
                "states": [],
                "doNotDial": True,
                "startTime": None,
                "endTime": None,
            },
            {
                "id": 8,
                "startDate": 1798088400000,
                "endDate": None,
                "holiday": None,
                "states": ["CA", "NV"],
                "doNotDial": False,
                "startTime": 54000000,
                "endTime": 68400000,
            },
        ]
    },
    response_only=True,
)


def _no_content() -> Response:
    return Response(status=status.HTTP_204_NO_CONTENT)


def _created(obj) -> Response:
    return Response({"id": obj.pk}, status=status.HTTP_201_CREATED)


class DialingProfileViewSet(TenantViewSet):
    """Dialing profiles of the caller's client (or, for a Sysadmin, of ``?client=``).

    Reads see the client's profiles and the system-wide ones (``selectors.profiles_visible_to``);
    writes reach the client's own profiles through the tenant-scoped ``get_queryset()``, and the
    system-wide ones for Sysadmins only (anyone else: 403). Assigning a service is a change to
    the client's service, so it works with a system-wide profile too. Another client's profile
    is a 404."""

    queryset = DialingProfile.objects.order_by("id")
    wire_field_names = wire.WIRE_FIELDS
    read_perm = "profiles.view_dialingprofile"
    write_perm = "profiles.change_dialingprofile"
    action_perms = {
        "create": "profiles.add_dialingprofile",
        "destroy": "profiles.delete_dialingprofile",
        "policy_create": "profiles.add_dialingpolicy",
        "policy_update": "profiles.change_dialingpolicy",
        "policy_destroy": "profiles.delete_dialingpolicy",
        "service_add": "profiles.change_serviceprofile",
        "service_remove": "profiles.change_serviceprofile",
        "blackout_list": "profiles.view_dialingblackout",
        "blackout_create": "profiles.add_dialingblackout",
        "blackout_destroy": "profiles.delete_dialingblackout",
    }

    @property
    def zone(self) -> str:
        return self.request.client.time_zone

    def visible_profile(self) -> DialingProfile:
        return self.scoped_lookup(selectors.profile_visible_to)

    def writable_profile(self) -> DialingProfile:
        """The client's own profile (tenant-scoped), or a system-wide one for a Sysadmin."""
        profile_id = self.lookup_id()
        own = self.get_queryset().filter(pk=profile_id).first()
        if own is not None:
            return own
        shared = selectors.system_wide_profile(profile_id)
        if shared is None:
            raise EntryNotFound()
        if not self.request.user.is_sysadmin:
            raise PermissionDenied("Only a Sysadmin may change a system-wide dialing profile")
        return shared

    # --- the collection ---

    @doc(
        "dialingProfilesList",
        summary="List Dialing Profiles (the client's and the system-wide ones)",
        parameters=[CLIENT, *PAGE],
        responses={200: bodies.DialingProfileList, **ERRORS},
    )
    def list(self, request):
        return self.paged_response(
            selectors.profiles_visible_to(request.client),
            "dialingProfile",
            selectors.profile_list_items,
        )

    @doc(
        "dialingProfilesInfo",
        summary="Get Dialing Profile List Info",
        parameters=[CLIENT],
        responses={200: bodies.DialingProfileListInfo, **ERRORS},
    )
    def info(self, request):
        response = self.info_response(
            selectors.profiles_visible_to(request.client), INFO_OBJECT_TYPES
        )
        # The list holds the system-wide profiles too: a change to one of them (audited in the
        # acting Sysadmin's client) moves every client's lastModified.
        shared = selectors.system_wide_last_modified()
        if shared is not None and epoch_ms(shared) > response.data.get("lastModified", 0):
            response.data["lastModified"] = epoch_ms(shared)
        return response

    @doc(
        "dialingProfileCreate",
        summary="Create Dialing Profile (with its policies, all or nothing)",
        parameters=[CLIENT],
        request=bodies.DialingProfileCreate,
        responses=CREATED,
    )
    def create(self, request):
        profile = services.profile_create(
            actor=self.actor,
            client=request.client,
            **wire.profile_create(request.data, zone=self.zone),
        )
        return _created(profile)

    # --- one profile ---

    @doc(
        "dialingProfileRead",
        summary="Read Dialing Profile",
        parameters=[PROFILE, CLIENT],
        responses={200: bodies.DialingProfileRead, **ERRORS},
    )
    def retrieve(self, request, pk=None):
        return Response(selectors.profile_read(self.visible_profile(), client=request.client))

    @doc(
        "dialingProfileUpdate",
        summary="Update Dialing Profile (name and/or description)",
        parameters=[PROFILE, CLIENT],
        request=bodies.DialingProfileUpdate,
        responses=NO_CONTENT,
    )
    def update(self, request, pk=None):
        profile = self.writable_profile()
        changes = wire.profile_update(request.data)
        services.profile_update(actor=self.actor, client=request.client, profile=profile, **changes)
        return _no_content()

    @doc(
        "dialingProfileDelete",
        summary="Delete Dialing Profile",
        parameters=[PROFILE, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def destroy(self, request, pk=None):
        profile = self.writable_profile()
        services.profile_delete(actor=self.actor, client=request.client, profile=profile)
        return _no_content()

    # --- policies ---

    @doc(
        "dialingPolicyCreate",
        summary="Create Dialing Policy",
        parameters=[PROFILE, CLIENT],
        request=bodies.DialingPolicyBody,
        responses=CREATED,
    )
    def policy_create(self, request, pk=None):
        profile = self.writable_profile()
        settings = wire.policy_settings(request.data, zone=self.zone)
        policy = services.policy_create(
            actor=self.actor, client=request.client, profile=profile, settings=settings
        )
        return _created(policy)

    @doc(
        "dialingPolicyUpdate",
        summary="Update Dialing Policy (absent or null keys unchanged)",
        parameters=[PROFILE, POLICY, CLIENT],
        request=bodies.DialingPolicyUpdate,
        responses=NO_CONTENT,
    )
    def policy_update(self, request, pk=None, policy=None):
        found = selectors.policy_of(self.writable_profile(), wire.path_id(policy))
        changes = wire.policy_changes(request.data, zone=self.zone)
        services.policy_update(
            actor=self.actor, client=request.client, policy=found, changes=changes
        )
        return _no_content()

    @doc(
        "dialingPolicyDelete",
        summary="Delete Dialing Policy",
        parameters=[PROFILE, POLICY, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def policy_destroy(self, request, pk=None, policy=None):
        found = selectors.policy_of(self.writable_profile(), wire.path_id(policy))
        services.policy_delete(actor=self.actor, client=request.client, policy=found)
        return _no_content()

    # --- services ---

    @doc(
        "dialingProfileServiceAdd",
        summary="Update Dialing Profile Add Service (moves it from its former profile)",
        parameters=[PROFILE, SERVICE, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def service_add(self, request, pk=None, service=None):
        profile = self.visible_profile()
        found = service_for_client(client=request.client, service_id=wire.path_id(service))
        services.profile_service_add(actor=self.actor, profile=profile, service=found)
        return _no_content()

    @doc(
        "dialingProfileServiceRemove",
        summary="Update Dialing Profile Remove Service",
        parameters=[PROFILE, SERVICE, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def service_remove(self, request, pk=None, service=None):
        profile = self.visible_profile()
        found = service_for_client(client=request.client, service_id=wire.path_id(service))
        services.profile_service_remove(actor=self.actor, profile=profile, service=found)
        return _no_content()

    # --- holidays and blackout dates (an extension) ---

    @extension(
        "dialingProfileBlackoutsList",
        summary="List Holidays and Blackout Dates of a Dialing Profile",
        parameters=[PROFILE, CLIENT],
        responses={200: bodies.DialingBlackoutList, **ERRORS},
        examples=[BLACKOUT_LIST_EXAMPLE],
    )
    def blackout_list(self, request, pk=None):
        return Response(selectors.blackout_list(self.visible_profile(), zone=self.zone))

    @extension(
        "dialingProfileBlackoutCreate",
        summary="Create Holiday or Blackout Date",
        description="A date (or a startDate-endDate range, a year at most) or a US federal "
        "holiday by name, optionally limited to states; do-not-dial, or calls only between "
        "startTime and endTime (local times on the callee's clock; an end before the start "
        "crosses midnight).",
        parameters=[PROFILE, CLIENT],
        request=bodies.DialingBlackoutBody,
        responses=CREATED,
        examples=BLACKOUT_EXAMPLES,
    )
    def blackout_create(self, request, pk=None):
        profile = self.writable_profile()
        settings = wire.blackout_settings(request.data, zone=self.zone)
        blackout = services.blackout_create(
            actor=self.actor, client=request.client, profile=profile, settings=settings
        )
        return _created(blackout)

    @extension(
        "dialingProfileBlackoutDelete",
        summary="Delete Holiday or Blackout Date",
        parameters=[PROFILE, BLACKOUT, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def blackout_destroy(self, request, pk=None, blackout=None):
        found = selectors.blackout_of(self.writable_profile(), wire.path_id(blackout))
        services.blackout_delete(actor=self.actor, client=request.client, blackout=found)
        return _no_content()
