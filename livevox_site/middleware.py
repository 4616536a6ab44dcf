"""Wire-path normalisation for the LiveVox URL families (wire-notes section 1), and the admin's
time zone (the viewer's client's)."""

import re
from urllib.parse import unquote_to_bytes
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone

from .errors import CODE_INVALID, body_too_large_message, wire_error_response

WIRE_PATH = re.compile(
    r"^/(?P<category>session|configuration|compliance)(?P<version>/v\d+\.\d+)?(?P<rest>/.*)?$"
)


class WirePathMiddleware:
    """Makes ``/compliance/v6.0/dnc/`` route exactly like ``/compliance/dnc``.

    The version segment is remembered as ``request.lv_version`` ("v6.0" or "") so that ``next``
    links can repeat it. A JSON body sent without a Content-Type is read as JSON. Input no view
    could handle is answered here: a query string with NUL or that is not UTF-8 (400), a body
    over ``LV_MAX_BODY_BYTES`` (413).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = WIRE_PATH.match(request.path_info)
        request.lv_version = ""
        if match:
            refusal = _refusal(request)
            if refusal is not None:
                return wire_error_response(request, *refusal)
            rest = (match["rest"] or "").rstrip("/")
            request.lv_version = (match["version"] or "").lstrip("/")
            new_path = f"/{match['category']}{rest}"
            script = request.path[: len(request.path) - len(request.path_info)]
            request.path_info = new_path
            request.path = script + new_path
            request.META["PATH_INFO"] = new_path
            if not request.META.get("CONTENT_TYPE") and _content_length(request):
                request.META["CONTENT_TYPE"] = "application/json"
        return self.get_response(request)


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


def _refusal(request) -> tuple[int, int, str] | None:
    """(status, code, message) for input refused before any view runs, else None."""
    query_text = _query_text(request)
    if query_text is None:
        return 400, CODE_INVALID, "The query string must be percent-encoded UTF-8"
    # psycopg refuses NUL in text; refuse it on every database, in one place.
    if "\x00" in request.path_info or "\x00" in query_text:
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
