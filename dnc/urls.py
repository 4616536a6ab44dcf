"""The Compliance API's DNC routes, mounted by ``livevox_site.urls`` (the app's ``wire_urls``).
Paths carry neither version segment nor trailing slash: ``WirePathMiddleware`` strips both."""

from django.urls import path

from .views.check import IsBlockedViewSet
from .views.contact import ContactCheckViewSet
from .views.legacy import LegacyDncViewSet as Legacy
from .views.lists import VIEWSETS


def _list_routes(list_name: str) -> list:
    """``/compliance/{dialtime,email,sms}/dnc...``: the eight methods of one list."""
    views = VIEWSETS[list_name]
    base = f"compliance/{list_name}/dnc"
    return [
        path(base, views.as_view({"get": "list", "post": "create"})),
        path(f"{base}/bulk", views.as_view({"post": "bulk"})),
        # The spec's dial-time and SMS examples send the search as a GET with a body.
        path(f"{base}/search", views.as_view({"post": "search", "get": "search_get"})),
        path(f"{base}/info", views.as_view({"get": "info"})),
        path(
            f"{base}/<str:pk>",
            views.as_view({"get": "retrieve", "put": "update", "delete": "destroy"}),
        ),
    ]


urlpatterns = [
    # Ordinary isBlocked calls are answered before routing (ResourceAppConfig.hot_paths,
    # HotPathMiddleware); this route takes the rest.
    path(
        "compliance/complianceCheck/isBlocked",
        IsBlockedViewSet.as_view({"get": "is_blocked"}),
    ),
    # Extensions: not part of the vendor's API.
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
    *_list_routes("dialtime"),
    *_list_routes("email"),
    *_list_routes("sms"),
]
