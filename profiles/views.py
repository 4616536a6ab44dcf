"""``/compliance/complianceCheck/zipAreaMatch`` and ``/compliance/dialingProfiles``. Views read
the request through ``wire.py`` and answer; the rules live in ``services.py``, the reads in
``selectors.py``."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from livevox_site.api import TenantViewSet

from . import selectors, wire
from .models import DialingProfile

ERROR = inline_serializer(
    "ComplianceError", {"code": serializers.IntegerField(), "message": serializers.CharField()}
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
