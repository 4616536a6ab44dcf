"""The Configuration API's dialing strategy routes, mounted by ``livevox_site.urls`` (the app's
``wire_urls``). Paths carry neither version segment nor trailing slash: ``WirePathMiddleware``
strips both."""

from django.urls import path

from .views import DialingStrategyViewSet as V
from .views import MisspelledPathViewSet

collection = V.as_view({"get": "list", "post": "create"})
info = V.as_view({"get": "info"})
strategy = V.as_view({"get": "retrieve", "post": "update", "delete": "destroy"})
outcomes = V.as_view({"post": "outcome_create", "delete": "outcomes_destroy"})
outcome = V.as_view({"put": "outcome_update", "delete": "outcome_destroy"})
services = V.as_view({"delete": "services_remove_all"})
service = V.as_view({"put": "service_add", "delete": "service_remove"})
# The vendor's own documentation spells the add-service path "dialngStrategies" once.
service_typo = MisspelledPathViewSet.as_view({"put": "service_add"})

urlpatterns = [
    path("configuration/dialingStrategies", collection),
    path("configuration/dialingStrategies/info", info),
    path("configuration/dialingStrategies/<str:pk>", strategy),
    path("configuration/dialingStrategies/<str:pk>/outcomes", outcomes),
    path("configuration/dialingStrategies/<str:pk>/outcomes/<str:outcome>", outcome),
    path("configuration/dialingStrategies/<str:pk>/services", services),
    path("configuration/dialingStrategies/<str:pk>/services/<str:service>", service),
    path("configuration/dialngStrategies/<str:pk>/services/<str:service>", service_typo),
]
