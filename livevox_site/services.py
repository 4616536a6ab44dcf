"""Site-wide writes: access tokens, LiveVox sessions, passwords, failed-login throttling."""

import logging
import math
import uuid
from collections.abc import Callable
from datetime import timedelta
from ipaddress import IPv4Address, IPv6Address, ip_address

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .audit import Actor, audit_record, object_type, snapshot
from .errors import InvalidInput, TooManyAttempts, Unauthorized
from .models import (
    AccessToken,
    Client,
    FailedLogin,
    LVSession,
    Service,
    Source,
    User,
    hash_token,
)
from .selectors import session_is_usable
from .signals import service_deleting

logger = logging.getLogger(__name__)

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
# Failures count per (client code, user name, address) and per address, so that guessing from
# one address cannot lock the real user out from theirs (the per-address limit is larger, as
# one address may hold many users behind a NAT). Rows live in the database: every worker sees
# them.

INVALID_CREDENTIALS = "Invalid client, user name, password or access token"


def _window() -> timedelta:
    return timedelta(seconds=settings.LV_LOGIN_FAILURE_WINDOW_SECONDS)


def _login_key(client_code: str, username: str) -> tuple[str, str]:
    # The same normalisation as ClientUserBackend's lookup, so that " acme"/"manager " cannot
    # open a fresh throttling bucket for the same account.
    return client_code.strip().upper(), username.strip()


def _throttle_buckets(client_code: str, username: str, ip: str | None) -> dict:
    """The failures that count, per bucket name, with each bucket's limit."""
    client_code, username = _login_key(client_code, username)
    recent = FailedLogin.objects.filter(at__gte=timezone.now() - _window())
    by_user = recent.filter(client_code=client_code, username=username, ip=ip)
    buckets = {"user": (by_user, settings.LV_LOGIN_MAX_FAILURES)}
    if ip:
        buckets["address"] = (recent.filter(ip=ip), settings.LV_LOGIN_MAX_FAILURES_PER_ADDRESS)
    return buckets


def login_throttle_check(*, client_code: str, username: str, ip: str | None) -> None:
    """Refuse to even check a password once this user at this address, or this address, failed
    too often. ``TooManyAttempts.retry_after`` is the wait until one counted failure leaves the
    window."""
    wait = 0.0
    now = timezone.now()
    for failures, limit in _throttle_buckets(client_code, username, ip).values():
        # Below the limit again once the limit-th newest failure has left the window.
        oldest_counted = (
            failures.order_by("-at").values_list("at", flat=True)[limit - 1 : limit].first()
        )
        if oldest_counted is not None:
            wait = max(wait, (oldest_counted + _window() - now).total_seconds())
    if wait > 0:
        raise TooManyAttempts(retry_after=max(1, math.ceil(wait)))


def login_failed(
    *, client_code: str, username: str, ip: str | None, source: str = Source.API
) -> None:
    """Record one failed login, and audit it (and a lock-out it causes) under the client it
    named; a client code that names no client is only logged."""
    FailedLogin.objects.filter(at__lt=timezone.now() - _window()).delete()
    client_code, username = _login_key(client_code, username)
    FailedLogin.objects.create(client_code=client_code, username=username, ip=ip)
    locked = [
        name
        for name, (failures, limit) in _throttle_buckets(client_code, username, ip).items()
        if failures.count() == limit
    ]
    logger.info("Failed login for client %r, user %r from %s", client_code, username, ip)
    for name in locked:
        logger.warning(
            "Too many failed logins (%s limit) for client %r, user %r from %s",
            name,
            client_code,
            username,
            ip,
        )
    client = Client.objects.filter(code=client_code).first()
    if client is None:
        return
    user = User.objects.filter(client=client, username=username).values_list("pk", flat=True)
    user_id = user.first()
    entries = [("site.login.failed", {}, user_id)]
    # An address lock-out concerns everyone at that address, not the user named last.
    entries += [
        ("site.login.locked_out", {"by": name}, user_id if name == "user" else None)
        for name in locked
    ]
    for action, extra, obj_id in entries:
        audit_record(
            actor=Actor(source=source),
            client=client,
            action=action,
            obj_type=object_type(User),
            obj_id=obj_id if obj_id is not None else "",
            details={"userName": username, "address": ip, **extra},
        )


def client_ip(request) -> str | None:
    """The caller's address: ``REMOTE_ADDR``, unless that is one of ``LV_TRUSTED_PROXIES``; then
    the rightmost ``X-Forwarded-For`` entry that is not a trusted proxy (entries left of it
    were written by the caller and can be anything)."""
    remote = _parse_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.LV_TRUSTED_PROXIES
    if remote is None or not _is_proxy(remote, proxies):
        return str(remote) if remote is not None else None
    found = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _parse_ip(entry)
        if address is None:
            break  # a trusted proxy wrote garbage here: the last proxy is the best we know
        found = address
        if not _is_proxy(address, proxies):
            break
    return str(found)


def _parse_ip(value: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is still that IPv4 client.
    return getattr(address, "ipv4_mapped", None) or address


def _is_proxy(address: IPv4Address | IPv6Address, proxies) -> bool:
    return any(address in network for network in proxies)


def authenticate_throttled(
    request,
    *,
    client_code: str,
    username: str,
    password: str,
    accept: Callable[[User], bool] | None = None,
) -> User:
    """Check credentials with throttling (429 ``TooManyAttempts``). Every failure, including a
    user that ``accept`` refuses (e.g. an access token of another client), is counted and
    answers the same ``Unauthorized`` (401): the answer never tells which part was wrong."""
    ip = client_ip(request)
    login_throttle_check(client_code=client_code, username=username, ip=ip)
    user = authenticate(request, client_code=client_code, username=username, password=password)
    if user is None or (accept is not None and not accept(user)):
        login_failed(client_code=client_code, username=username, ip=ip)
        raise Unauthorized(INVALID_CREDENTIALS)
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
    """Whether the session may be used: one raw query (``selectors.session_is_usable``)."""
    return session_is_usable(key)


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
