"""One API permission class. Each view declares what it needs; this decides.

A view declares (``TenantViewSet`` refuses, at class creation, a viewset that does not):
- ``read_perm`` / ``write_perm``: Django permissions ("app.codename") for safe and unsafe
  methods. The role and power groups hold them (``livevox_site.roles``), so the admin obeys the
  same rules. ``ANY_ROLE`` says, explicitly, that any signed-in user may call it.
- ``action_perms``: {action: perm} for the rare action that needs something else.
- ``agent_actions``: the actions an Agent session may call (docs/wire.md section 2). The list
  narrows, it never widens: an Agent session may call only these, and still needs the
  action's permission (the Agent group holds exactly those of the methods the spec lists).
"""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .auth import authenticate_again
from .roles import Role

# "Any signed-in user, whatever the role": an explicit declaration, never a default.
ANY_ROLE = "any-role"


def is_agent_session(request) -> bool:
    session = getattr(request, "auth", None)
    return bool(getattr(session, "agent", False)) or request.user.role == Role.AGENT


def required_perm(request, view) -> str | None:
    action = getattr(view, "action", None)
    action_perms = getattr(view, "action_perms", {})
    if action in action_perms:
        return action_perms[action]
    if request.method in SAFE_METHODS:
        return getattr(view, "read_perm", None)
    return getattr(view, "write_perm", None)


class LiveVoxPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        try:
            return self._decide(request, view)
        except PermissionDenied:
            # A refusal never rests on a per-process cache of the session (isBlocked's): the
            # rights may have been given since it was filled. Read them again, then decide.
            if not authenticate_again(request):
                raise
        return self._decide(request, view)

    def _decide(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated or not user.is_active:
            return False  # DRF answers 401, as no authenticator succeeded
        if is_agent_session(request) and getattr(view, "action", None) not in getattr(
            view, "agent_actions", ()
        ):
            raise PermissionDenied("Agent sessions may not call this method")
        perm = required_perm(request, view)
        if perm is None:
            # TenantViewSet refuses such classes; a view built some other way fails closed.
            raise PermissionDenied("This method declares no permission")
        if perm == ANY_ROLE:
            return True
        if not user.has_perm(perm):
            raise PermissionDenied("Your role or powers do not allow this method")
        return True
