"""The Compliance API's recording routes, mounted by ``livevox_site.urls`` (the app's
``wire_urls``). ``info`` comes first: it is not a recording id."""

from django.urls import path

from .views import RecordingViewSet as V

info = V.as_view({"get": "info"})
recording = V.as_view({"get": "retrieve", "delete": "destroy"})

urlpatterns = [
    path("compliance/recording/info", info),
    path("compliance/recording/<str:pk>", recording),
]
