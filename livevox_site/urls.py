"""URL map. LiveVox paths are written without version segment or trailing slash;
``WirePathMiddleware`` strips both before routing."""

from django.contrib import admin
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import session_views
from .errors import wire_not_found


def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def root(request):
    return HttpResponse(
        '<p>LiveVox-compatible compliance service. <a href="/admin/">Admin</a> · '
        '<a href="/api/docs/">API docs</a></p>'
    )


# Errors raised outside DRF answer the family's JSON on wire paths, Django's pages elsewhere.
handler400 = "livevox_site.errors.bad_request"
handler403 = "livevox_site.errors.permission_denied"
handler404 = "livevox_site.errors.page_not_found"
handler500 = "livevox_site.errors.server_error"

urlpatterns = [
    path("", root),
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("session/login", session_views.LoginView.as_view()),
    path("session/validate", session_views.ValidateView.as_view()),
    path("session/validate/<str:sessionId>", session_views.ValidatePathView.as_view()),
    path("session/logout/<str:sessionId>", session_views.LogoutView.as_view()),
    path("session/password", session_views.PasswordView.as_view()),
    path("configuration/", include("strategies.urls")),
    # Last: an unknown LiveVox path answers 404 in its family's error shape, not an HTML page.
    re_path(r"^(session|configuration|compliance)(/.*)?$", wire_not_found),
]
