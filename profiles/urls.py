"""The Compliance API's dialing-profile and zipAreaMatch routes, mounted by
``livevox_site.urls`` (the app's ``wire_urls``). Paths carry neither version segment nor
trailing slash: ``WirePathMiddleware`` strips both."""

from django.urls import path

from .views import ComplianceCheckViewSet, MisspelledZipAreaMatchViewSet
from .views import DialingProfileViewSet as V

zip_area_match = ComplianceCheckViewSet.as_view({"post": "zip_area_match"})
# The spec's two examples post to "zipAreaMatchs".
zip_area_match_typo = MisspelledZipAreaMatchViewSet.as_view({"post": "zip_area_match"})
collection = V.as_view({"get": "list", "post": "create"})
info = V.as_view({"get": "info"})
profile = V.as_view({"get": "retrieve", "put": "update", "delete": "destroy"})
policies = V.as_view({"put": "policy_create"})
policy = V.as_view({"put": "policy_update", "delete": "policy_destroy"})
service = V.as_view({"put": "service_add", "delete": "service_remove"})
# Extensions (not the vendor's API): a profile's holidays and blackout dates.
blackouts = V.as_view({"get": "blackout_list", "post": "blackout_create"})
blackout = V.as_view({"delete": "blackout_destroy"})

urlpatterns = [
    path("compliance/complianceCheck/zipAreaMatch", zip_area_match),
    path("compliance/complianceCheck/zipAreaMatchs", zip_area_match_typo),
    path("compliance/dialingProfiles", collection),
    path("compliance/dialingProfiles/info", info),
    path("compliance/dialingProfiles/<str:pk>", profile),
    path("compliance/dialingProfiles/<str:pk>/policies", policies),
    path("compliance/dialingProfiles/<str:pk>/policies/<str:policy>", policy),
    path("compliance/dialingProfiles/<str:pk>/services/<str:service>", service),
    path("compliance/dialingProfiles/<str:pk>/blackouts", blackouts),
    path("compliance/dialingProfiles/<str:pk>/blackouts/<str:blackout>", blackout),
]
