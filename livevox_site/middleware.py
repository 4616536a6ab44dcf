"""Wire-path normalisation for the LiveVox URL families (wire-notes section 1)."""

import re
from urllib.parse import unquote

from .errors import CODE_INVALID, wire_error_response

WIRE_PATH = re.compile(
    r"^/(?P<category>session|configuration|compliance)(?P<version>/v\d+\.\d+)?(?P<rest>/.*)?$"
)


class WirePathMiddleware:
    """Makes ``/compliance/v6.0/dnc/`` route exactly like ``/compliance/dnc``.

    The version segment is remembered as ``request.lv_version`` ("v6.0" or "") so that ``next``
    links can repeat it. A JSON body sent without a Content-Type is read as JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = WIRE_PATH.match(request.path_info)
        request.lv_version = ""
        if match:
            # psycopg refuses NUL in text; refuse it on every database, in one place.
            if "\x00" in request.path_info or "\x00" in unquote(
                request.META.get("QUERY_STRING", "")
            ):
                return wire_error_response(
                    request, 400, CODE_INVALID, "The request may not contain NUL characters"
                )
            rest = (match["rest"] or "").rstrip("/")
            request.lv_version = (match["version"] or "").lstrip("/")
            new_path = f"/{match['category']}{rest}"
            script = request.path[: len(request.path) - len(request.path_info)]
            request.path_info = new_path
            request.path = script + new_path
            request.META["PATH_INFO"] = new_path
            if not request.META.get("CONTENT_TYPE") and int(
                request.META.get("CONTENT_LENGTH") or 0
            ):
                request.META["CONTENT_TYPE"] = "application/json"
        return self.get_response(request)
