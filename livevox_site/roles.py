"""Roles and optional powers, and the Django groups and permissions they map to.

The API's permission class and the admin both ask ``user.has_perm(...)``, so the rules live
here once: a role or a power is a group, and a group holds permissions. Every resource app
declares its share in its AppConfig (``role_permissions``); ``sync_role_groups`` (run by data
migrations and after every ``migrate``) makes the database match.

This module imports nothing of the site's models: models, authentication and the admin all
import it, never the other way round.
"""

import time

from django.db import models


class Role(models.TextChoices):
    SYSADMIN = "SYSADMIN", "Sysadmin"
    SUPERUSER = "SUPERUSER", "Superuser"
    MANAGER = "MANAGER", "Manager"
    IT_USER = "IT_USER", "IT User"
    AGENT = "AGENT", "Agent"


# How far a role reaches: a user may only grant roles at or below their own.
ROLE_RANK = {Role.SYSADMIN: 4, Role.SUPERUSER: 3, Role.IT_USER: 2, Role.MANAGER: 2, Role.AGENT: 1}

POWER_DIALING_STRATEGIES = "Dialing Strategies"
POWER_EDIT_DNC = "Edit DNC Lists"

ROLE_GROUPS = {role: role.label for role in Role}
POWER_GROUPS = {
    POWER_DIALING_STRATEGIES: "Power: Dialing Strategies",
    POWER_EDIT_DNC: "Power: Edit DNC Lists",
}

ALL = ("view", "add", "change", "delete")
VIEW = ("view",)


def model_perms(label: str, actions: tuple[str, ...] = ALL) -> list[str]:
    """``model_perms("strategies.outcome", VIEW)`` -> ``["strategies.view_outcome"]``."""
    app_label, model = label.split(".")
    return [f"{app_label}.{action}_{model}" for action in actions]


# The site's own share of each group ("app_label.codename"). Each resource app adds its share
# through its AppConfig's ``role_permissions`` (``livevox_site.apps.ResourceAppConfig``), custom
# permissions included (a rule such as "any Manager may ask isBlocked" is a permission of its
# own declared in a model's ``Meta.permissions``, not a special case in code). A permission no
# group lists is reachable by nobody.
SITE_PERMISSIONS: dict[str, list[str]] = {
    "Sysadmin": [
        *model_perms("livevox_site.client"),
        *model_perms("livevox_site.service"),
        *model_perms("livevox_site.user"),
        *model_perms("livevox_site.accesstoken"),
        *model_perms("livevox_site.auditentry", VIEW),
    ],
    "Superuser": [
        *model_perms("livevox_site.client", ("view", "change")),
        *model_perms("livevox_site.service"),
        *model_perms("livevox_site.user"),
        *model_perms("livevox_site.accesstoken"),
        *model_perms("livevox_site.auditentry", VIEW),
    ],
    # Least privilege: the services their strategies and profiles are assigned to, and the audit
    # entries of what they may read; access tokens are the Superusers' (and Sysadmins').
    "IT User": [
        *model_perms("livevox_site.service", VIEW),
        *model_perms("livevox_site.auditentry", VIEW),
    ],
    "Manager": [
        *model_perms("livevox_site.service", VIEW),
        *model_perms("livevox_site.auditentry", VIEW),
    ],
    "Agent": [],
    "Power: Dialing Strategies": [],
    "Power: Edit DNC Lists": [],
}
GROUPS = frozenset([*ROLE_GROUPS.values(), *POWER_GROUPS.values()])


def declared_permissions() -> dict[str, frozenset[str]]:
    """Every group and the "app_label.codename" permissions it holds: the site's own and those
    each installed resource app declares."""
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    merged: dict[str, set[str]] = {group: set(perms) for group, perms in SITE_PERMISSIONS.items()}
    for config in apps.get_app_configs():
        for group, perms in getattr(config, "role_permissions", {}).items():
            if group not in GROUPS:
                raise ImproperlyConfigured(f"{config.name}: no role or power group {group!r}")
            merged[group].update(perms)
    return {group: frozenset(perms) for group, perms in merged.items()}


def sync_role_groups(apps, schema_editor=None) -> None:
    """Create the role and power groups and give each exactly its permissions.

    Usable as a ``RunPython`` function (historical ``apps``) and after ``migrate``.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Permissions are normally created after migrate; a data migration needs them now.
        had_module = getattr(app_config, "models_module", None)
        app_config.models_module = had_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    by_key = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for name, perms in declared_permissions().items():
        group, _ = Group.objects.get_or_create(name=name)
        # A permission of a model whose migration has not run yet is added by a later sync.
        group.permissions.set([by_key[perm] for perm in perms if perm in by_key])
    clear_group_permissions_cache()


# Group permissions change only when sync_role_groups runs (migrations); caching them per
# process takes two queries off every API call (bench/bench_api.py). A minute bounds staleness
# for processes that did not run the migration.
GROUP_PERMS_TTL_SECONDS = 60.0
_group_perms: dict[frozenset[str], tuple[float, frozenset[str]]] = {}


def group_permissions(names: frozenset[str]) -> frozenset[str]:
    """ "app_label.codename" permissions held by these groups (cached per process)."""
    from django.contrib.auth.models import Permission

    now = time.monotonic()
    hit = _group_perms.get(names)
    if hit is not None and now - hit[0] < GROUP_PERMS_TTL_SECONDS:
        return hit[1]
    perms = frozenset(
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(group__name__in=names).values_list(
            "content_type__app_label", "codename"
        )
    )
    _group_perms[names] = (now, perms)
    return perms


def clear_group_permissions_cache() -> None:
    _group_perms.clear()
