"""Site-wide writes: access tokens, LiveVox sessions, passwords, failed-login throttling."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .audit import Actor, audit_record, snapshot
from .errors import InvalidInput, TooManyAttempts, Unauthorized
from .models import AccessToken, Client, FailedLogin, LVSession, Service, User, hash_token
from .signals import service_deleting

# --- access tokens --------------------------------------------------------------------------


def access_token_create(
    *,
    actor: Actor,
    client: Client,
    name: str,
    raw: str | None = None,
    token: AccessToken | None = None,
) -> tuple[AccessToken, str]:
    """Create a token and return ``(token, raw)``; ``raw`` is shown once and never stored.
    ``token`` may be an unsaved instance to fill (the admin's form instance).
    A client has at most ``LV_MAX_ACCESS_TOKENS_PER_CLIENT`` active tokens."""
    with transaction.atomic():
        # Lock the client row so two concurrent creations cannot both pass the limit.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        if AccessToken.objects.active().filter(client=client).count() >= (
            settings.LV_MAX_ACCESS_TOKENS_PER_CLIENT
        ):
            raise InvalidInput(
                f"A client may have at most {settings.LV_MAX_ACCESS_TOKENS_PER_CLIENT} active "
                "access tokens; revoke one first",
                field="name",
            )
        raw = raw or AccessToken.generate()
        token = token or AccessToken()
        token.client, token.name = client, name
        token.set_token(raw)
        token.save()
        audit_record(
            actor=actor,
            client=client,
            action="site.accesstoken.created",
            obj=token,
            after=snapshot(token),
        )
    return token, raw


def access_token_revoke(*, actor: Actor, token: AccessToken) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        before = snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        LVSession.objects.filter(access_token=token).delete()
        audit_record(
            actor=actor,
            client=token.client_id,
            action="site.accesstoken.revoked",
            obj=token,
            before=before,
            after=snapshot(token),
        )


def access_token_lookup(raw: str) -> AccessToken | None:
    if not raw:
        return None
    return AccessToken.objects.active().filter(token_hash=hash_token(raw)).first()


# --- failed-login throttling ----------------------------------------------------------------


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LV_LOGIN_FAILURE_WINDOW_SECONDS)


def _login_key(client_code: str, username: str) -> tuple[str, str]:
    # The same normalisation as ClientUserBackend's lookup, so that " acme"/"manager " cannot
    # open a fresh throttling bucket for the same account.
    return client_code.strip().upper(), username.strip()


def login_throttle_check(*, client_code: str, username: str, ip: str | None) -> None:
    """Refuse to even check a password once a user (or an address) failed too often."""
    since = _window_start()
    limit = settings.LV_LOGIN_MAX_FAILURES
    recent = FailedLogin.objects.filter(at__gte=since)
    client_code, username = _login_key(client_code, username)
    by_user = recent.filter(client_code=client_code, username=username)
    if by_user.count() >= limit or (ip and recent.filter(ip=ip).count() >= 4 * limit):
        raise TooManyAttempts()


def login_failed(*, client_code: str, username: str, ip: str | None) -> None:
    FailedLogin.objects.filter(at__lt=_window_start()).delete()
    client_code, username = _login_key(client_code, username)
    FailedLogin.objects.create(client_code=client_code, username=username, ip=ip)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def authenticate_throttled(request, *, client_code: str, username: str, password: str) -> User:
    """Check credentials with throttling; a bad login raises ``Unauthorized`` (401)."""
    ip = client_ip(request)
    login_throttle_check(client_code=client_code, username=username, ip=ip)
    user = authenticate(request, client_code=client_code, username=username, password=password)
    if user is None:
        login_failed(client_code=client_code, username=username, ip=ip)
        raise Unauthorized("Invalid client, user name or password")
    return user


# --- sessions -------------------------------------------------------------------------------


def session_login(*, user: User, token: AccessToken, agent: bool) -> LVSession:
    """Open a session, or return the user's still-valid one for the same token and kind."""
    now = timezone.now()
    idle = timedelta(seconds=settings.LV_SESSION_IDLE_SECONDS)
    with transaction.atomic():
        LVSession.objects.filter(user=user, last_used_at__lt=now - idle).delete()
        session = (
            LVSession.objects.filter(user=user, access_token=token, agent=agent)
            .order_by("-last_used_at")
            .first()
        )
        if session is None:
            session = LVSession.objects.create(
                key=str(uuid.uuid4()), user=user, access_token=token, agent=agent
            )
        else:
            session.last_used_at = now
            session.save(update_fields=["last_used_at"])
        User.objects.filter(pk=user.pk).update(last_login=now)
    return session


def session_validate(key: str) -> bool:
    session = LVSession.objects.select_related("access_token", "user").filter(key=key).first()
    return bool(session and session.is_valid() and session.user.is_active)


def session_logout(key: str) -> None:
    LVSession.objects.filter(key=key).delete()


def password_change(*, user: User, new_password: str) -> None:
    """Set a new password (validated); ``User.save`` ends the user's sessions."""
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput("newPassword: " + " ".join(exc.messages), field="newPassword") from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password", "password_changed_at"])
        user_auth_change_audit(
            actor=Actor(source="api", user_id=user.pk, name=str(user)), user=user
        )


def user_auth_change_audit(*, actor: Actor, user: User) -> None:
    """Audit what the user's last save did (``User.auth_change``): a new password, or the
    sessions a deactivation ended. Called by every path that changes either, with its actor."""
    change = user.auth_change
    if not change:
        return
    if change["password_changed"]:
        audit_record(
            actor=actor,
            client=user.client_id,
            action="site.user.password_changed",
            obj=user,
            details={"sessions_ended": change["sessions_ended"]},
        )
    elif change["sessions_ended"]:
        audit_record(
            actor=actor,
            client=user.client_id,
            action="site.user.sessions_ended",
            obj=user,
            details={"reason": "deactivated", "sessions_ended": change["sessions_ended"]},
        )
    user.auth_change = None  # audited once, however many callers look


# --- services -------------------------------------------------------------------------------


def service_delete(*, actor: Actor, service: Service) -> None:
    """Delete a service. Resource apps first undo what refers to it, through their own audited
    services (``service_deleting`` receivers), so their lists' lastModified moves too."""
    with transaction.atomic():
        service_deleting.send(sender=Service, service=service, actor=actor)
        service.delete()
