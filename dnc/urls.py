"""The Compliance API's DNC routes, mounted by ``livevox_site.urls`` (the app's ``wire_urls``).
Paths carry neither version segment nor trailing slash: ``WirePathMiddleware`` strips both."""

from django.urls import path

from .views.check import IsBlockedViewSet
from .views.lists import VIEWSETS

is_blocked = IsBlockedViewSet.as_view({"get": "is_blocked"})


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
    path("compliance/complianceCheck/isBlocked", is_blocked),
    *_list_routes("dialtime"),
    *_list_routes("email"),
    *_list_routes("sms"),
]
