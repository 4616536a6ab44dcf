"""The Session API (docs/wire.md section 2): login, validate, logout, change password."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import InvalidInput
from .lenient import body_object, parse_bool, present, query
from .services import (
    access_token_lookup,
    authenticate_throttled,
    password_change,
    session_login,
    session_logout,
    session_validate,
)

_credentials = {
    "clientName": serializers.CharField(help_text="Client code, e.g. ACME"),
    "userName": serializers.CharField(),
    "password": serializers.CharField(),
    "agent": serializers.BooleanField(required=False, default=False),
}
LoginRequest = inline_serializer("LoginRequest", _credentials)
LoginResponse = inline_serializer(
    "LoginResponse",
    {
        "sessionId": serializers.CharField(),
        "userId": serializers.IntegerField(),
        "clientId": serializers.IntegerField(),
        "daysUntilPasswordExpires": serializers.IntegerField(),
    },
)
CodeError = inline_serializer(
    "CodeError", {"code": serializers.IntegerField(), "message": serializers.CharField()}
)
CREDENTIAL_ERRORS = {
    400: OpenApiResponse(CodeError, description="202: a required field is missing or bad"),
    401: OpenApiResponse(CodeError, description="The credentials or the access token are wrong"),
    429: OpenApiResponse(CodeError, description="Too many failed logins; see Retry-After"),
}
PasswordRequest = inline_serializer(
    "PasswordChangeRequest", {**_credentials, "newPassword": serializers.CharField()}
)


def _access_token_raw(request) -> str:
    raw = request.META.get("HTTP_LV_ACCESS", "").strip()
    if not raw:
        # One real client sends the access token as a bearer token instead.
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        if auth.lower().startswith("bearer "):
            raw = auth[7:].strip()
    return raw


def _credentials_from(request) -> tuple[str, str, str, bool]:
    data = body_object(request.data)
    values = []
    for field in ("clientName", "userName", "password"):
        value = data.get(field)
        if not present(value) or not isinstance(value, str | int):
            raise InvalidInput(f"{field} is required", field=field)
        values.append(str(value))
    # One client sends isAgent instead of agent.
    agent_value = data.get("agent", data.get("isAgent"))
    agent = parse_bool(agent_value, "agent") if present(agent_value) else False
    return values[0], values[1], values[2], agent


class LoginView(APIView):
    """``POST /session/login``: needs a valid ``LV-Access`` token of the same client."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        request=LoginRequest,
        responses={200: LoginResponse, **CREDENTIAL_ERRORS},
        parameters=[OpenApiParameter("LV-Access", str, OpenApiParameter.HEADER, required=True)],
        auth=[],
        tags=["session"],
    )
    def post(self, request):
        client_code, username, password, agent = _credentials_from(request)
        token = access_token_lookup(_access_token_raw(request))
        # A missing, unknown or revoked token, or one of another client, fails like a wrong
        # password: same answer, and counted, so a token of one's own client is no oracle.
        user = authenticate_throttled(
            request,
            client_code=client_code,
            username=username,
            password=password,
            accept=lambda user: token is not None and token.client_id == user.client_id,
        )
        session = session_login(user=user, token=token, agent=agent)
        # sessionId must come first: one real script cuts it out of the raw text.
        return Response(
            {
                "sessionId": session.key,
                "userId": user.pk,
                "clientId": user.client_id,
                "daysUntilPasswordExpires": user.days_until_password_expires(),
            }
        )


class ValidateView(APIView):
    """``GET /session/validate/{sessionId}`` or ``GET /session/validate?sessionId=``."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        operation_id="session_validate_query",
        responses={
            204: None,
            404: None,
            400: OpenApiResponse(CodeError, description="202: the query holds a NUL character"),
        },
        parameters=[OpenApiParameter("sessionId", str, required=True)],
        auth=[],
        tags=["session"],
    )
    def get(self, request, sessionId: str | None = None):  # the wire's name, for the schema
        key = sessionId or query(request).get("sessionid", "")
        if key and session_validate(key):
            return Response(status=204)
        return Response(status=404)


class ValidatePathView(ValidateView):
    """``GET /session/validate/{sessionId}``."""

    @extend_schema(
        operation_id="session_validate", responses={204: None, 404: None}, auth=[], tags=["session"]
    )
    def get(self, request, sessionId: str | None = None):
        return super().get(request, sessionId)


class LogoutView(APIView):
    """``DELETE /session/logout/{sessionId}``: 204 with or without headers, known id or not."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(responses={204: None}, auth=[], tags=["session"])
    def delete(self, request, sessionId: str):
        session_logout(sessionId)
        return Response(status=204)


class PasswordView(APIView):
    """``POST /session/password``."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        request=PasswordRequest,
        responses={204: OpenApiResponse(description="Changed; empty body"), **CREDENTIAL_ERRORS},
        auth=[],
        tags=["session"],
    )
    def post(self, request):
        client_code, username, password, _agent = _credentials_from(request)
        new_password = body_object(request.data).get("newPassword")
        if not present(new_password) or not isinstance(new_password, str):
            raise InvalidInput("newPassword is required", field="newPassword")
        # The current credentials first (throttled): the new password is validated only for
        # the user who proved who they are.
        user = authenticate_throttled(
            request, client_code=client_code, username=username, password=password
        )
        password_change(user=user, new_password=new_password)
        return Response(status=204)
