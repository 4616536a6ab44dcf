"""The DNC route called before every dial, mounted ahead of every other route of the site
(``ResourceAppConfig.hot_urls``)."""

from django.urls import path

from .views.check import is_blocked_route

urlpatterns = [
    path("compliance/complianceCheck/isBlocked", is_blocked_route),
]
