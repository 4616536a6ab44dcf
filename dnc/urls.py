"""The Compliance API's DNC routes, mounted by ``livevox_site.urls`` (the app's ``wire_urls``).
Paths carry neither version segment nor trailing slash: ``WirePathMiddleware`` strips both."""

from django.urls import path

from .views.check import IsBlockedViewSet

is_blocked = IsBlockedViewSet.as_view({"get": "is_blocked"})

urlpatterns = [
    path("compliance/complianceCheck/isBlocked", is_blocked),
]
