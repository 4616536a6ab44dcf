"""The Compliance API's dialing-profile and zipAreaMatch routes, mounted by
``livevox_site.urls`` (the app's ``wire_urls``). Paths carry neither version segment nor
trailing slash: ``WirePathMiddleware`` strips both."""

from django.urls import path

from .views import ComplianceCheckViewSet, MisspelledZipAreaMatchViewSet

zip_area_match = ComplianceCheckViewSet.as_view({"post": "zip_area_match"})
# The spec's two examples post to "zipAreaMatchs".
zip_area_match_typo = MisspelledZipAreaMatchViewSet.as_view({"post": "zip_area_match"})

urlpatterns = [
    path("compliance/complianceCheck/zipAreaMatch", zip_area_match),
    path("compliance/complianceCheck/zipAreaMatchs", zip_area_match_typo),
]
