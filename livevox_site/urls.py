"""URL map. LiveVox paths are written without version segment or trailing slash;
``WirePathMiddleware`` strips both before routing."""

from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import session_views
from .apps import resource_apps
from .errors import DATABASE_RETRY_AFTER_SECONDS, wire_not_found


def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        response = JsonResponse({"status": "database unavailable"}, status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok"})


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; the static URL is resolved per
    # request because production's hashed name exists only after collectstatic.
    return redirect(static("livevox/favicon.svg"))


def root(request):
    """A small landing page: the admin, the API docs and the health check."""
    return render(request, "landing.html")


# Errors raised outside DRF answer the family's JSON on wire paths, Django's pages elsewhere.
handler400 = "livevox_site.errors.bad_request"
handler403 = "livevox_site.errors.permission_denied"
handler404 = "livevox_site.errors.page_not_found"
handler500 = "livevox_site.errors.server_error"

urlpatterns = [
    path("", root, name="root"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves the page's script as a file (?script): no inline script, for the
    # Content-Security-Policy.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("session/login", session_views.LoginView.as_view()),
    path("session/validate", session_views.ValidateView.as_view()),
    path("session/validate/<str:sessionId>", session_views.ValidatePathView.as_view()),
    path("session/logout/<str:sessionId>", session_views.LogoutView.as_view()),
    path("session/password", session_views.PasswordView.as_view()),
    # Each resource app mounts its own LiveVox routes (ResourceAppConfig.wire_urls).
    *(path("", include(app.wire_urls)) for app in resource_apps() if app.wire_urls),
    # Last: an unknown LiveVox path answers 404 in its family's error shape, not an HTML page.
    re_path(r"^(session|configuration|compliance)(/.*)?$", wire_not_found),
]
