"""Authentication: client code + user name + password (admin and session API), and the
``LV-Session`` header for every other API call."""

from datetime import timedelta

from django.contrib.auth.backends import ModelBackend
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import LVSession, User
from .roles import group_permissions
from .selectors import session_get

# Writing last_used_at on every call would put a write on the hot path; a minute's slack on a
# two-hour idle timeout costs nothing.
TOUCH_EVERY = timedelta(seconds=60)


class ClientUserBackend(ModelBackend):
    """Authenticates ``(client_code, username, password)``. Also the permission backend: a
    user's rights are exactly those of their role and power groups (no per-user permissions)."""

    def authenticate(self, request, username=None, password=None, client_code=None, **kwargs):
        if not (client_code and username and password):
            return None
        user = (
            User.objects.select_related("client")
            .filter(client__code__iexact=client_code.strip(), username=username.strip())
            .first()
        )
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user_permissions(self, user_obj, obj=None) -> set:
        return set()  # rights come only from the role and power groups

    def get_group_permissions(self, user_obj, obj=None) -> set:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(group_permissions(user_obj.group_names()))

    def get_user(self, user_id):
        user = User.objects.select_related("client").filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None


class LVSessionAuthentication(BaseAuthentication):
    """``LV-Session: <sessionId>``. Sets ``request.auth`` to the ``LVSession``."""

    header = "HTTP_LV_SESSION"

    def authenticate(self, request):
        key = request.META.get(self.header, "").strip()
        if not key:
            return None
        # One raw query that also decides whether the session is usable, and no cache
        # (livevox_site/selectors.py says why, bench/README.md how much): a logout, a password
        # change or a revocation in any worker counts on the very next request.
        now = timezone.now()
        session = session_get(key, now=now)
        if session is None:
            raise AuthenticationFailed("Session is invalid or has expired")
        if now - session.last_used_at > TOUCH_EVERY:
            LVSession.objects.filter(pk=session.pk).update(last_used_at=now)
            session.last_used_at = now
        return session.user, session

    def authenticate_header(self, request) -> str:
        return "LV-Session"


class VerifiedLaterLVSessionAuthentication(LVSessionAuthentication):
    """``LV-Session`` for a hot path that checks the session again in its own statement
    (isBlocked, ``dnc/selectors/checks.py``): the session, its user and client come from a
    per-process cache, so a call costs no query of its own; the view's statement re-checks the
    very WHERE clause of ``session_get`` (``session_usable_clause``) plus the role the cache
    holds, and on a mismatch calls ``forget()`` and authenticates again through the database. A
    logout, an expiry, a revoked token, a deactivation or a role taken away therefore counts on
    the very next request in every worker, as without the cache.

    A refusal is never decided on the cache: the statement does not run for a user the cached
    rights refuse, so ``LiveVoxPermission`` first authenticates such a request again through
    the database (``authenticate_again``, one query on the refusal only) and decides on what it
    reads. A role or power given therefore counts on the next request too. The powers are not
    re-checked by the statement: none gives or takes a permission that such a view needs (a
    power only adds to a Manager, and isBlocked is every Manager's); a hot path that a power
    decides must re-check the powers in its statement as isBlocked re-checks the role.

    Only a view that makes that check may use this class; ``request.lv_session_cached`` says
    whether the answer came from the cache.
    """

    MAX_ENTRIES = 10_000
    _cache: dict[str, LVSession] = {}

    def authenticate(self, request):
        key = request.META.get(self.header, "").strip()
        if not key:
            return None
        session = self._cache.get(key)
        now = timezone.now()
        if session is None or now - session.last_used_at > TOUCH_EVERY:
            # A miss, or time to move the idle timeout on: the full lookup (and the touch).
            request.lv_session_cached = False
            user, session = super().authenticate(request)
            if len(self._cache) >= self.MAX_ENTRIES:
                self._cache.clear()
            self._cache[key] = session
            return user, session
        request.lv_session_cached = True
        return session.user, session

    @classmethod
    def cached(cls, key: str) -> LVSession | None:
        """The session this process holds for ``key``, as the last full lookup read it (a
        hot path that re-checks it in its own statement may answer from it)."""
        return cls._cache.get(key) if key else None

    @classmethod
    def forget(cls, key: str) -> None:
        cls._cache.pop(key, None)


def authenticate_again(request) -> bool:
    """For a DRF request whose session came from ``VerifiedLaterLVSessionAuthentication``'s
    cache: forget that entry and authenticate the request again, through the database (an
    ``AuthenticationFailed`` when the session is no longer usable). False, doing nothing, for
    any other request: its user was read for this very request."""
    if not getattr(request, "lv_session_cached", False):
        return False
    VerifiedLaterLVSessionAuthentication.forget(request.auth.key)
    # DRF authenticates again when the request holds no user.
    request.__dict__.pop("_user", None)
    request.__dict__.pop("_auth", None)
    request.lv_session_cached = False
    request.user  # noqa: B018 - reading it runs the authenticators
    return True
