"""The site's URLs plus the baseline view the benchmarks compare against."""

from django.http import HttpResponse
from django.urls import path

from livevox_site.urls import urlpatterns as site_patterns


def plain(request):
    return HttpResponse(b'{"ok":true}', content_type="application/json")


urlpatterns = [path("bench/plain", plain), *site_patterns]
