"""Wire-path normalisation for the LiveVox URL families (docs/wire.md section 1), input no page
can hold (NUL), the headers that keep answers out of caches and pages safe in browsers, and the
admin's time zone (the viewer's client's)."""

import re
from urllib.parse import unquote_to_bytes
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils import timezone

from .errors import CODE_INVALID, CODE_NOT_FOUND, body_too_large_message, wire_error_response

WIRE_PATH = re.compile(
    r"^/(?P<category>session|configuration|compliance)(?P<version>/v\d+\.\d+)?(?P<rest>/.*)?$"
)


class WirePathMiddleware:
    """Makes ``/compliance/v6.0/dnc/`` route exactly like ``/compliance/dnc``.

    The version segment is remembered as ``request.lv_version`` ("v6.0" or "") so that ``next``
    links can repeat it. A JSON body sent without a Content-Type is read as JSON. Input no view
    could handle is answered here, in the family's shape: a path with NUL (404, as no route
    holds one), a query string or a cookie with NUL, a query string that is not UTF-8 (400), a
    body over ``LV_MAX_BODY_BYTES`` (413). Every answer on a wire path, the lean isBlocked one
    of ``HotPathMiddleware`` (below) included, says ``Cache-Control: no-store``: they hold DNC
    entries, sessions and settings that no cache or proxy may keep (a view that sets its own
    Cache-Control keeps it).

    Any other path (the admin, the landing page) with NUL in its path answers 404 and with NUL
    in its query or a cookie 400, before sessions and authentication: PostgreSQL cannot hold
    NUL in text, and such input would otherwise reach it and fail as a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = WIRE_PATH.match(request.path_info)
        request.lv_version = ""
        if match is None:
            _refuse_nul(request)
            return self.get_response(request)
        refusal = _refusal(request)
        if refusal is not None:
            response = wire_error_response(request, *refusal)
        else:
            rest = (match["rest"] or "").rstrip("/")
            request.lv_version = (match["version"] or "").lstrip("/")
            new_path = f"/{match['category']}{rest}"
            script = request.path[: len(request.path) - len(request.path_info)]
            request.path_info = new_path
            request.path = script + new_path
            request.META["PATH_INFO"] = new_path
            if not request.META.get("CONTENT_TYPE") and _content_length(request):
                request.META["CONTENT_TYPE"] = "application/json"
            response = self.get_response(request)
        response.setdefault("Cache-Control", "no-store")
        return response


def _content_length(request) -> int | None:
    """The Content-Length header as a number (0 when absent), or None when it is not one."""
    raw = request.META.get("CONTENT_LENGTH") or "0"
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _query_text(request) -> str | None:
    """The decoded query string, or None when its bytes are not UTF-8 (Django would quietly
    turn them into U+FFFD; "%ED%A0%80", an encoded lone surrogate, is not UTF-8 either)."""
    raw = request.META.get("QUERY_STRING", "")
    try:
        # WSGI hands the raw bytes over as latin-1 text (PEP 3333).
        return unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        return None


def _refuse_nul(request) -> None:
    """Http404 for a page path with NUL, BadRequest (400) for a query (percent-encoded or not)
    or a cookie (the session's is looked up) with NUL: psycopg refuses NUL in text, so no page
    may pass one on to the database."""
    if "\x00" in request.path_info:
        raise Http404("No page has NUL in its path")
    raw = request.META.get("QUERY_STRING", "")
    if "%00" in raw or "\x00" in raw:
        raise BadRequest("The query string may not contain NUL characters")
    if _nul_in_cookies(request):
        raise BadRequest("The cookies may not contain NUL characters")


def _nul_in_cookies(request) -> bool:
    # Parsed, as the session middleware reads them: a quoted cookie may spell NUL as \000.
    return bool(request.META.get("HTTP_COOKIE")) and any(
        "\x00" in name or "\x00" in value for name, value in request.COOKIES.items()
    )


def _refusal(request) -> tuple[int, int, str] | None:
    """(status, code, message) for input refused before any view runs, else None."""
    # psycopg refuses NUL in text; refuse it on every database, in one place. No route holds
    # a path with NUL: it is not found, like any other unknown path.
    if "\x00" in request.path_info:
        return 404, CODE_NOT_FOUND, "Entry not found"
    query_text = _query_text(request)
    if query_text is None:
        return 400, CODE_INVALID, "The query string must be percent-encoded UTF-8"
    if "\x00" in query_text or _nul_in_cookies(request):
        return 400, CODE_INVALID, "The request may not contain NUL characters"
    length = _content_length(request)
    if length is None:
        return 400, CODE_INVALID, "Content-Length must be a whole number"
    limit = (
        settings.LV_MAX_BATCH_BODY_BYTES
        if request.path_info.rstrip("/").endswith("/batch")
        else settings.LV_MAX_BODY_BYTES
    )
    if length > limit:
        return 413, 413, body_too_large_message(limit)
    return None


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` (``LV_CONTENT_SECURITY_POLICY``) on every HTML answer: the
    admin, the landing page, the API docs, Django's error pages and DRF's browsable API. Scripts
    and styles come only from the site's own files (the admin's, ``livevox_site/static``,
    the docs' sidecar); no page of the site holds an inline script or style. JSON answers carry
    none: a browser never renders them as a page. Placed first, after ``SecurityMiddleware``,
    so that every answer passes through it. With DEBUG on, error answers go without it: Django's
    debug pages style and script themselves inline."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.LV_CONTENT_SECURITY_POLICY
        self.debug = settings.DEBUG

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html") and not (
            self.debug and response.status_code >= 400
        ):
            response.setdefault("Content-Security-Policy", self.policy)
        return response


class PlainAdminNotFoundMiddleware:
    """An admin path that is no page answers the site's plain 404 page, with DEBUG on too:
    Django's debug 404 lists every URL pattern, which a manager cannot use (and need not see)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and request.path_info.startswith("/admin/")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            from .errors import page_not_found

            return page_not_found(request, Http404())
        return response


class ClientTimeZoneMiddleware:
    """Admin pages show times in the time zone of the viewer's client (the header says which).
    Placed after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not request.path_info.startswith("/admin/") or not getattr(user, "client_id", None):
            return self.get_response(request)
        try:
            zone = ZoneInfo(user.client.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)


class HotPathMiddleware:
    """Lean answers for the few calls made before every dial (isBlocked), declared by apps as
    ``ResourceAppConfig.hot_paths``, tried right after ``WirePathMiddleware`` (so versioned
    and trailing-slash paths are found) and before sessions, CSRF, authentication, messages
    and the URL conf, none of which such a call uses. A function returns a response or None;
    None, or any path not declared, goes down the ordinary chain to its route.

    Measured (bench/README.md): Django's middleware and request cycle were about a third of an
    isBlocked call in process. The security headers of ``SecurityMiddleware`` (above) still
    apply, and the Host header is validated here as ``CommonMiddleware`` would."""

    def __init__(self, get_response):
        from django.utils.module_loading import import_string

        from .apps import resource_apps

        self.get_response = get_response
        self.handlers = {
            path: import_string(target)
            for app in resource_apps()
            for path, target in app.hot_paths.items()
        }

    def __call__(self, request):
        handler = self.handlers.get(request.path_info)
        if handler is not None:
            request.get_host()  # DisallowedHost (a 400) as CommonMiddleware would raise it
            response = handler(request)
            if response is not None:
                return response
        return self.get_response(request)
