"""The error contract (docs/wire.md section 3), produced in one place.

Services raise ``LVError`` subclasses; the API's exception handler turns those and DRF's own
exceptions into one of the two documented bodies, chosen by the request's path:
``{"code": N, "message": "..."}`` (DNC, compliance checks, recordings, sessions: the default) or
``{"errorCode": N, "errorMessage": "..."}`` for the path prefixes that resource apps declare in
their AppConfig's ``error_shapes`` (dialing strategies and profiles). That declaration is the
only place a family's shape is named.
"""

import functools
import json
import logging
import re
import sys

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    ObjectDoesNotExist,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, connections
from django.http import Http404, HttpResponse, UnreadablePostError
from django.template import loader
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)

CODE_ALREADY_EXISTS = 201
CODE_INVALID = 202
CODE_NOT_FOUND = 203

SHAPE_CODE = "code"
SHAPE_ERROR_CODE = "errorCode"


class LVError(Exception):
    """A documented failure: an HTTP status, a LiveVox code and a message."""

    status = status.HTTP_400_BAD_REQUEST
    code = CODE_INVALID
    default_message = "Invalid input"

    def __init__(self, message: str | None = None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(self.message)


class InvalidInput(LVError):
    """400, code 202: the request names a bad value. ``field`` says which."""


class InvalidValue(InvalidInput):
    """A typed value that breaks a business rule, raised by a service. ``field`` is the
    service's own parameter name (``dialing_sequence``, ``outcomes[1].result_id``) and
    ``message`` does not repeat it ("position 1 appears twice"): the API names the wire field in
    front of it (``TenantViewSet.wire_field_names``), the admin shows it under its form field."""


def wire_field(field: str, names: dict[str, str]) -> str:
    """``outcomes[1].result_id`` -> ``outcomeItem[1].lvResultId`` with the app's names."""
    parts = []
    for part in field.split("."):
        name, bracket, rest = part.partition("[")
        parts.append(names.get(name, name) + bracket + rest)
    return ".".join(parts)


def for_wire(error: InvalidValue, names: dict[str, str]) -> InvalidInput:
    """A service's rule violation as the API reports it: "dialingSequenceItem: position 1
    appears twice"."""
    field = wire_field(error.field or "", names)
    return InvalidInput(f"{field}: {error.message}" if field else error.message, field=field)


class AlreadyExists(LVError):
    code = CODE_ALREADY_EXISTS
    default_message = "Element already exists"


class EntryNotFound(LVError):
    status = status.HTTP_404_NOT_FOUND
    code = CODE_NOT_FOUND
    default_message = "Entry not found"


class Unauthorized(LVError):
    status = status.HTTP_401_UNAUTHORIZED
    code = 401
    default_message = "Not authenticated"


class StorageUnavailable(LVError):
    """The file storage (the media folder or S3) failed: nothing was changed; try again."""

    status = status.HTTP_503_SERVICE_UNAVAILABLE
    code = 503
    default_message = "The file storage is unavailable; nothing was changed, try again"


# A request whose database connection failed (the server went away, a failover, a killed
# backend; on PostgreSQL also a deadlock or a lock timeout, which psycopg files under the same
# class): 503 with Retry-After, as /healthz answers, and the connection is closed so that the
# next request opens a new one. psycopg's own classes too: code that uses psycopg directly (COPY)
# sees them unwrapped.
DATABASE_RETRY_AFTER_SECONDS = 1
DATABASE_GONE_MESSAGE = "The database is unavailable; try again"


def _database_gone_classes() -> tuple[type[Exception], ...]:
    found: list[type[Exception]] = [OperationalError, InterfaceError]
    try:
        import psycopg
    except ImportError:  # a SQLite-only installation
        return tuple(found)
    return (*found, psycopg.OperationalError, psycopg.InterfaceError)


DATABASE_GONE = _database_gone_classes()
BODY_CUT_SHORT_MESSAGE = "The request body ended before its Content-Length"


def database_gone(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a failure of the database connection (``DATABASE_GONE``), which
    answers 503, rather than of the statement (a 400 or a 500)."""
    return isinstance(exc, DATABASE_GONE)


def close_failed_connections() -> None:
    """Close every open database connection outside a transaction, so that the next request
    connects again instead of failing on a dead socket (Django would only do it at the end of
    the request, and not at all in tests). Inside a transaction the owner of the transaction
    decides (closing would break it)."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block:
            conn.close()


class TooManyAttempts(LVError):
    """429; ``retry_after`` (seconds) is sent as ``Retry-After``."""

    status = status.HTTP_429_TOO_MANY_REQUESTS
    code = 429
    default_message = "Too many failed login attempts; try again later"

    def __init__(self, message: str | None = None, *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


@functools.cache
def _declared_shapes() -> tuple[tuple[str, str], ...]:
    from .apps import resource_apps

    shapes = {
        prefix: shape for app in resource_apps() for prefix, shape in app.error_shapes.items()
    }
    # Longest prefix first, so "/compliance/dialingProfiles" wins over a "/compliance/".
    return tuple(sorted(shapes.items(), key=lambda item: -len(item[0])))


# A path Django's error handlers see may still carry its version segment (an error raised
# before WirePathMiddleware ran): "/compliance/v6.0/dialingProfiles".
_VERSION_SEGMENT = re.compile(r"^(/(?:session|configuration|compliance))/v\d+\.\d+(?=/|$)")
_WIRE_PATH = re.compile(r"^/(session|configuration|compliance)(/|$)")


def shape_for_path(path: str) -> str:
    """The error shape of the family a wire path belongs to (with or without its version
    segment; the bare family path too)."""
    path = _VERSION_SEGMENT.sub(r"\1", path)
    for prefix, shape in _declared_shapes():
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return shape
    return SHAPE_CODE


def is_wire_path(path: str) -> bool:
    """Under /session, /configuration or /compliance: answered in a family's JSON shape."""
    return _WIRE_PATH.match(path) is not None


def body_too_large_message(limit: int) -> str:
    return f"The request body may be at most {limit} bytes"


def error_body(shape: str, code: int, message: str) -> dict:
    if shape == SHAPE_ERROR_CODE:
        return {"errorCode": code, "errorMessage": message}
    return {"code": code, "message": message}


def _flatten(detail, prefix: str = "") -> list[str]:
    """DRF validation detail as 'field: message' strings."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            out += _flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name)
        return out
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, prefix)]
    return [f"{prefix}: {detail}" if prefix else str(detail)]


def _status_and_code(exc) -> tuple[int, int, str]:
    if isinstance(exc, LVError):
        return exc.status, exc.code, exc.message
    if isinstance(exc, Http404 | exceptions.NotFound | ObjectDoesNotExist):
        # ObjectDoesNotExist: the row went away between lookup and lock (a concurrent delete).
        return 404, CODE_NOT_FOUND, "Entry not found"
    if isinstance(exc, exceptions.ValidationError):
        return 400, CODE_INVALID, "; ".join(_flatten(exc.detail)) or "Invalid input"
    if isinstance(exc, exceptions.ParseError):
        return 400, CODE_INVALID, f"Malformed request body: {exc.detail}"
    if isinstance(exc, exceptions.NotAuthenticated):
        return 401, 401, "A valid LV-Session header is required"
    if isinstance(exc, exceptions.AuthenticationFailed):
        return 401, 401, str(exc.detail)
    if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
        detail = getattr(exc, "detail", None) or "Forbidden"
        return 403, 403, str(detail)
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, exc.status_code, str(exc.detail)
    if isinstance(exc, IntegrityError):
        return 400, CODE_INVALID, "The change conflicts with existing data; retry"
    if isinstance(exc, DataError):
        return 400, CODE_INVALID, "A value is out of range or cannot be stored"
    if database_gone(exc):
        return 503, 503, DATABASE_GONE_MESSAGE
    if isinstance(exc, UnreadablePostError):
        # The client went away, or sent less than its Content-Length: nothing to answer to, but
        # no server error either.
        return 400, CODE_INVALID, BODY_CUT_SHORT_MESSAGE
    if isinstance(exc, RequestDataTooBig):
        return 413, 413, body_too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, SuspiciousOperation):
        # E.g. more query fields than DATA_UPLOAD_MAX_NUMBER_FIELDS.
        return 400, CODE_INVALID, "Bad request"
    return 500, 500, "Internal error"


def exception_handler(exc, context) -> Response:
    view = context.get("view")
    request = context.get("request")
    shape = shape_for_path(request.path_info) if request is not None else SHAPE_CODE
    http_status, code, message = _status_and_code(exc)
    headers = {}
    if database_gone(exc):
        logger.error("Database unavailable in %s", view.__class__.__name__, exc_info=exc)
        close_failed_connections()
        headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    elif http_status >= 500:
        logger.exception("Unhandled error in %s", view.__class__.__name__, exc_info=exc)
    elif isinstance(exc, SuspiciousOperation):
        # Logged where Django itself logs these.
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    return Response(error_body(shape, code, message), status=http_status, headers=headers)


def wire_error_response(request, status_code: int, code: int, message: str) -> HttpResponse:
    """An error in the family's shape for code that runs outside DRF (middleware, no route)."""
    body = error_body(shape_for_path(request.path_info), code, message)
    return HttpResponse(
        json.dumps(body, separators=(",", ":")), status=status_code, content_type="application/json"
    )


@csrf_exempt  # it changes nothing: an admin's cookie must not turn the 404 into a CSRF 403
def wire_not_found(request, *args, **kwargs) -> HttpResponse:
    """Any unknown path under /session, /configuration or /compliance."""
    return wire_error_response(request, 404, CODE_NOT_FOUND, "Entry not found")


# Django's error handlers (handler400/403/404/500 in urls.py, CSRF_FAILURE_VIEW): the family's
# JSON on wire paths, Django's own pages elsewhere. They run for errors raised outside DRF's
# exception handler: middleware (a Host not in ALLOWED_HOSTS), rendering, CSRF checks.


def bad_request(request, exception, *args, **kwargs) -> HttpResponse:
    if not is_wire_path(request.path_info):
        return defaults.bad_request(request, exception, *args, **kwargs)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return wire_error_response(request, 413, 413, body_too_large_message(limit))
    # Django's own messages name settings (ALLOWED_HOSTS...): not for API clients.
    message = "Invalid Host header" if isinstance(exception, DisallowedHost) else "Bad request"
    return wire_error_response(request, 400, CODE_INVALID, message)


def _page(request, template: str, status: int, exception) -> HttpResponse:
    """An error page; under ``/admin/`` with the admin's own context (the user's links, Log
    out included), as every admin page has it."""
    from django.contrib import admin
    from django.template import loader

    context = {"exception": str(exception)}
    if request.path_info.startswith("/admin/") and hasattr(request, "user"):
        context.update(admin.site.each_context(request))
    return HttpResponse(loader.get_template(template).render(context, request), status=status)


def permission_denied(request, exception, *args, **kwargs) -> HttpResponse:
    if not is_wire_path(request.path_info):
        return _page(request, "403.html", 403, exception)
    return wire_error_response(request, 403, 403, "Forbidden")


def page_not_found(request, exception, *args, **kwargs) -> HttpResponse:
    if not is_wire_path(request.path_info):
        return _page(request, "404.html", 404, exception)
    return wire_not_found(request)


def server_error(request, *args, **kwargs) -> HttpResponse:
    # Django calls handler500 while it handles the exception: it is still sys.exc_info()'s.
    exc = sys.exc_info()[1]
    if database_gone(exc):
        return database_unavailable(request)
    if isinstance(exc, UnreadablePostError):
        if not is_wire_path(request.path_info):
            return defaults.bad_request(request, exc)
        return wire_error_response(request, 400, CODE_INVALID, BODY_CUT_SHORT_MESSAGE)
    if not is_wire_path(request.path_info):
        return defaults.server_error(request, *args, **kwargs)
    return wire_error_response(request, 500, 500, "Internal error")


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After for a request whose database connection failed outside DRF (the
    admin, middleware, the isBlocked hot path): the family's JSON on wire paths, a plain page
    elsewhere (rendered without the request: its context processors would ask the database)."""
    close_failed_connections()
    if is_wire_path(request.path_info):
        response = wire_error_response(request, 503, 503, DATABASE_GONE_MESSAGE)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request, reason: str = "", **kwargs) -> HttpResponse:
    if not is_wire_path(request.path_info):
        return csrf.csrf_failure(request, reason, **kwargs)
    return wire_error_response(request, 403, 403, f"CSRF verification failed: {reason}")
