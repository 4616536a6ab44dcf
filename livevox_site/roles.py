"""Roles and optional powers, and the Django groups and permissions they map to.

The API's permission class and the admin both ask ``user.has_perm(...)``, so the rules live
here once: a role or a power is a group, and a group holds model permissions. Every resource
app adds its models to ``GROUP_PERMISSIONS``; ``sync_role_groups`` (run by data migrations and
after every ``migrate``) makes the database match.
"""

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

# model label -> actions, per group. A model that is not named is not reachable by the group.
_STRATEGIES = {"strategies.dialingstrategy": ALL, "strategies.outcome": ALL}
GROUP_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "Sysadmin": {
        "livevox_site.client": ALL,
        "livevox_site.service": ALL,
        "livevox_site.user": ALL,
        "livevox_site.accesstoken": ALL,
        "livevox_site.auditentry": VIEW,
        "strategies.result": ALL,
        **_STRATEGIES,
    },
    "Superuser": {
        "livevox_site.client": ("view", "change"),
        "livevox_site.service": ALL,
        "livevox_site.user": ALL,
        "livevox_site.accesstoken": ALL,
        "livevox_site.auditentry": VIEW,
        "strategies.result": VIEW,
        **_STRATEGIES,
    },
    "IT User": {
        "livevox_site.service": VIEW,
        "livevox_site.accesstoken": VIEW,
        "livevox_site.auditentry": VIEW,
        "strategies.result": VIEW,
        **_STRATEGIES,
    },
    "Manager": {
        "livevox_site.service": VIEW,
        "livevox_site.auditentry": VIEW,
        "strategies.result": VIEW,
    },
    "Agent": {},
    "Power: Dialing Strategies": dict(_STRATEGIES),
    "Power: Edit DNC Lists": {},
}


def permission_codenames(group: str) -> set[tuple[str, str]]:
    """(app_label, codename) pairs the group should hold."""
    pairs = set()
    for label, actions in GROUP_PERMISSIONS[group].items():
        app_label, model = label.split(".")
        pairs.update((app_label, f"{action}_{model}") for action in actions)
    return pairs


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
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for name in GROUP_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [by_key[key] for key in permission_codenames(name) if key in by_key]
        group.permissions.set(wanted)

    from .auth import clear_group_permissions_cache

    clear_group_permissions_cache()
