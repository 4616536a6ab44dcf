"""``GET /compliance/complianceCheck/isBlocked``: the check before every dial.

Its cost is one statement (``dnc/selectors/checks.py``): the session comes from a per-process cache
(``VerifiedLaterLVSessionAuthentication``) and is re-checked inside the same statement as the
lists, so a call is one round trip to the database. Nothing is audited (a read) and no model
instance is built on the way. bench/README.md has the figures.
"""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from livevox_site import rawsql
from livevox_site.api import CLIENT, TenantViewSet
from livevox_site.auth import TOUCH_EVERY, VerifiedLaterLVSessionAuthentication
from livevox_site.errors import InvalidInput
from livevox_site.lenient import parse_bool, query
from livevox_site.selectors import session_usable_clause

from .. import wire
from ..models import LegacyEntry
from ..selectors.checks import is_blocked, is_blocked_for_session
from ..selectors.decisions import Contact, dnc_reasons
from ..wire import local_today
from .common import ERROR_BODY, client_zone, doc


class IsBlockedViewSet(TenantViewSet):
    """isBlocked reads no rows through the ORM; the queryset only declares the tenant scope
    the base viewset requires."""

    queryset = LegacyEntry.objects.none()
    read_perm = "dnc.check_isblocked"
    write_perm = "dnc.check_isblocked"
    agent_actions = ("is_blocked",)
    authentication_classes = [VerifiedLaterLVSessionAuthentication]

    @doc(
        "complianceCheckIsBlocked",
        summary="Is Blocked",
        tags=["compliance checks"],
        parameters=[
            CLIENT,
            OpenApiParameter("service", int, required=True),
            OpenApiParameter("phone", str, description="10 digits; +1, spaces, dashes allowed"),
            OpenApiParameter("account", str),
            OpenApiParameter("zip", str),
            OpenApiParameter(
                "explain",
                bool,
                description="Extension (not in the vendor's API): add `reasons`, each row or "
                'flag that blocks the call. Without it the answer is exactly `{"result": bool}`.',
            ),
        ],
        responses={
            200: inline_serializer(
                "DncIsBlockedResult",
                {
                    "result": serializers.BooleanField(),
                    "reasons": serializers.ListField(
                        child=serializers.DictField(),
                        required=False,
                        help_text="Only with explain=true (an extension)",
                    ),
                },
            ),
            400: OpenApiResponse(
                ERROR_BODY,
                description="202: no service, or no phone, account or zip, or a malformed one",
            ),
            401: OpenApiResponse(description="No valid LV-Session"),
            403: OpenApiResponse(ERROR_BODY, description="Role not allowed"),
        },
    )
    def is_blocked(self, request):
        params = query(request)
        check = wire.is_blocked_ask(params)
        explain = "explain" in params and parse_bool(params["explain"], "explain")
        client = request.client
        today = local_today(client_zone(client))
        session = request.auth
        if getattr(request, "lv_session_cached", False):
            clause = session_usable_clause(session.key)
            current, service_known, blocked = (False, False, False)
            if clause is not None:
                _, usable_sql, params = clause
                current, service_known, blocked = is_blocked_for_session(
                    usable_sql=usable_sql,
                    session_params=params,
                    role=request.user.role,
                    client=client,
                    check=check,
                    today=today,
                )
            if not current:
                # Logged out, expired, revoked, deactivated, or the role or the client changed
                # since the cache was filled: ask the database again, from the start.
                VerifiedLaterLVSessionAuthentication.forget(session.key)
                return self._again(request)
        else:
            service_known, blocked = is_blocked(client=client, check=check, today=today)
        if not service_known:
            raise InvalidInput(
                f"service: no service {check.service_id} in this client", field="service"
            )
        if not explain:
            return Response({"result": blocked})
        # The extension: which rows block, read set-wise like contactCheck does.
        contact = Contact(
            service_id=check.service_id, phone=check.phone, account=check.account, zip=check.zip
        )
        (reasons,) = dnc_reasons(client=client, contacts=[contact], today=today)
        return Response({"result": blocked, "reasons": reasons})

    def _again(self, request):
        # DRF authenticates again when the request holds no user.
        request.__dict__.pop("_user", None)
        request.__dict__.pop("_auth", None)
        self.initial(request)
        return self.is_blocked(request)


# --- the lean answer, tried by HotPathMiddleware before routing (dnc/apps.py hot_paths) -----

_TRUE = b'{"result":true}'
_FALSE = b'{"result":false}'


def lean_is_blocked(request) -> HttpResponse | None:
    """The answer of an ordinary call, or None for anything else (no cached session, a session
    due for its touch, ``client=`` or ``explain``, bad input, a session or client changed since
    it was cached, an unknown service, a browser asking for HTML), which the viewset answers
    with its full checks and error bodies.

    Hand-written, as a measured exception to "DRF everywhere": DRF's request wrapping, content
    negotiation and rendering cost more than the lists' statement. The viewset reached 0.38-0.53
    of a constant DRF view over HTTP at 10 million rows (bench/README.md, "isBlocked at 10
    million rows"); the target is 0.6. The rules are the viewset's own: the same cached
    session (``VerifiedLaterLVSessionAuthentication``), the same permission, the same input
    parsing (``dnc.wire.is_blocked_ask``), the same statement, which re-checks the session."""
    if request.method != "GET" or "text/html" in request.META.get("HTTP_ACCEPT", ""):
        return None
    key = request.META.get(VerifiedLaterLVSessionAuthentication.header, "").strip()
    session = VerifiedLaterLVSessionAuthentication.cached(key)
    if session is None or timezone.now() - session.last_used_at > TOUCH_EVERY:
        return None
    user = session.user
    if not user.is_active or not user.has_perm(IsBlockedViewSet.read_perm):
        return None
    try:
        params = query(request)
        if "client" in params or "explain" in params:
            return None
        check = wire.is_blocked_ask(params)
    except InvalidInput:
        return None
    client = user.client
    clause = session_usable_clause(key)
    if clause is None:
        return None
    db, usable_sql, session_params = clause
    # Django's connection health check would send a SELECT 1 first: a second round trip on a
    # path that is one. Skipped here, the statement itself is the check: a connection that
    # fails it is closed and the viewset answers on a new one (with the health check).
    rawsql.skip_health_check(db)
    try:
        current, service_known, blocked = is_blocked_for_session(
            usable_sql=usable_sql,
            session_params=session_params,
            role=user.role,
            client=client,
            check=check,
            today=local_today(client_zone(client)),
        )
    except (OperationalError, InterfaceError):
        if db.in_atomic_block:
            raise
        db.close()
        return None
    if not (current and service_known):
        return None
    return HttpResponse(_TRUE if blocked else _FALSE, content_type="application/json")
