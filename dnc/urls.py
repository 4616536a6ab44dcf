"""The Compliance API's DNC routes, mounted by ``livevox_site.urls`` (the app's ``wire_urls``).
Paths carry neither version segment nor trailing slash: ``WirePathMiddleware`` strips both."""

from django.urls import path

from .views.check import IsBlockedViewSet
from .views.contact import ContactCheckViewSet
from .views.legacy import LegacyDncViewSet as Legacy

is_blocked = IsBlockedViewSet.as_view({"get": "is_blocked"})

urlpatterns = [
    path("compliance/complianceCheck/isBlocked", is_blocked),
    # Extensions (issue 13): not part of the vendor's API.
    path(
        "compliance/complianceCheck/contactCheck",
        ContactCheckViewSet.as_view({"post": "contact_check"}),
    ),
    path(
        "compliance/complianceCheck/contactCheck/batch",
        ContactCheckViewSet.as_view({"post": "contact_check_batch"}),
    ),
    # The legacy list: the named paths before "<str:pk>".
    path("compliance/dnc", Legacy.as_view({"get": "list", "post": "create"})),
    path("compliance/dnc/isLegacyDncEnabled", Legacy.as_view({"get": "is_enabled"})),
    path("compliance/dnc/info", Legacy.as_view({"get": "info"})),
    path("compliance/dnc/search", Legacy.as_view({"post": "search"})),
    path("compliance/dnc/multiplePhoneDnc", Legacy.as_view({"post": "multiple_phone"})),
    path("compliance/dnc/multipleAccountDnd", Legacy.as_view({"post": "multiple_account"})),
    path(
        "compliance/dnc/multipleAccountPhoneDnd",
        Legacy.as_view({"post": "multiple_account_phone"}),
    ),
    path("compliance/dnc/<str:pk>", Legacy.as_view({"get": "retrieve", "delete": "destroy"})),
]
