"""One API permission class. Each view declares what it needs; this decides.

A view declares:
- ``read_perm`` / ``write_perm``: Django permissions ("app.codename") for safe and unsafe
  methods. The role and power groups hold them (``livevox_site.roles``), so the admin obeys the
  same rules.
- ``action_perms``: {action: perm} for the rare action that needs something else.
- ``agent_actions``: the actions an Agent session may call (wire-notes section 2); every other
  action answers 403 to an Agent, whatever the user's role.
"""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import Role


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
        user = request.user
        if user is None or not user.is_authenticated or not user.is_active:
            return False  # DRF answers 401, as no authenticator succeeded
        if is_agent_session(request):
            action = getattr(view, "action", None)
            if action in getattr(view, "agent_actions", ()):
                return True
            raise PermissionDenied("Agent sessions may not call this method")
        perm = required_perm(request, view)
        if perm is None:
            return True
        if not user.has_perm(perm):
            raise PermissionDenied("Your role or powers do not allow this method")
        return True
