"""Words for managers: what a user may do, and what is missing when they may not."""

from django.apps import apps
from django.urls import Resolver404, resolve

from .roles import POWER_GROUPS, ROLE_GROUPS, Role, declared_permissions

_ACTION_WORDS = {"view": "see", "add": "add", "change": "change", "delete": "delete"}
_POWER_BY_GROUP = {group: power for power, group in POWER_GROUPS.items()}
_ROLE_BY_GROUP = {group: role for role, group in ROLE_GROUPS.items()}


def _wanted(request) -> tuple[str, str] | None:
    """(permission, action) the admin page at ``request.path`` needs, if it is a model page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    name = match.url_name or ""
    for suffix, action in (
        ("_changelist", "view"),
        ("_add", "add"),
        ("_change", "change"),
        ("_delete", "delete"),
        ("_history", "view"),
    ):
        if name.endswith(suffix):
            app_label, _, model_name = name[: -len(suffix)].partition("_")
            try:
                apps.get_model(app_label, model_name)
            except LookupError:
                return None
            return f"{app_label}.{action}_{model_name}", action
    return None


def _plural(app_label: str, model_name: str) -> str:
    return str(apps.get_model(app_label, model_name)._meta.verbose_name_plural)


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def missing_right(request) -> str:
    """A sentence naming the role or power that the refused page needs and who can grant it:
    "You need the Dialing Strategies power to see dialing strategies: ask a Superuser of ACME"."""
    user = getattr(request, "user", None)
    client = f" of {user.client.code}" if getattr(user, "client_id", None) else ""
    wanted = _wanted(request)
    if wanted is None:
        return (
            f"Your role does not allow this page. Ask a Superuser{client} for the right you need."
        )
    perm, action = wanted
    app_label, _, codename = perm.partition(".")
    thing = _plural(app_label, codename.split("_", 1)[1])
    holders = [group for group, perms in declared_permissions().items() if perm in perms]
    powers = [f"the {_POWER_BY_GROUP[g]} power" for g in holders if g in _POWER_BY_GROUP]
    roles = [
        str(Role(_ROLE_BY_GROUP[g]).label)
        for g in holders
        if g in _ROLE_BY_GROUP and _ROLE_BY_GROUP[g] != Role.SYSADMIN
    ]
    doing = f"to {_ACTION_WORDS[action]} {thing}"
    if powers:
        need = _or(powers)
        if roles:
            need += f" (or the {_or(roles)} role)"
    elif roles:
        need = f"the {_or(roles)} role"
    else:
        return f"Only a Sysadmin may {_ACTION_WORDS[action]} {thing}."
    return f"You need {need} {doing}: ask a Superuser{client}."
