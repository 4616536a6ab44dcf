"""Roles and powers reach exactly the permissions livevox_site.roles declares."""

import pytest

from livevox_site.roles import declared_permissions, group_permissions, sync_role_groups

STRATEGY_PERMS = {
    "strategies.view_dialingstrategy",
    "strategies.add_dialingstrategy",
    "strategies.change_dialingstrategy",
    "strategies.delete_dialingstrategy",
    "strategies.view_outcome",
    "strategies.add_outcome",
    "strategies.change_outcome",
    "strategies.delete_outcome",
}


def declared(*groups: str) -> set[str]:
    table = declared_permissions()
    return {perm for group in groups for perm in table[group]}


@pytest.mark.parametrize(
    "who, groups",
    [
        ("sysadmin", ["Sysadmin"]),
        ("superuser", ["Superuser"]),
        ("it_user", ["IT User"]),
        ("manager", ["Manager"]),
        ("manager_with_strategies_power", ["Manager", "Power: Dialing Strategies"]),
        ("manager_with_dnc_power", ["Manager", "Power: Edit DNC Lists"]),
        ("agent", ["Agent"]),
    ],
)
def test_it_gives_each_persona_the_permissions_of_its_groups(persona, who, groups):
    user = persona(who)
    assert set(user.groups.values_list("name", flat=True)) == set(groups)
    assert user.get_all_permissions() == declared(*groups)


def test_it_gives_strategies_only_with_the_role_or_the_power(persona):
    assert persona("it_user").get_all_permissions() >= STRATEGY_PERMS
    assert persona("manager_with_strategies_power").get_all_permissions() >= STRATEGY_PERMS
    assert not STRATEGY_PERMS & persona("manager").get_all_permissions()
    assert not STRATEGY_PERMS & persona("manager_with_dnc_power").get_all_permissions()
    assert not STRATEGY_PERMS & persona("agent").get_all_permissions()


def test_it_follows_a_role_change(persona):
    user = persona("manager")
    user.power_dialing_strategies = True
    user.save()
    fresh = type(user).objects.get(pk=user.pk)
    assert fresh.get_all_permissions() >= STRATEGY_PERMS


def test_it_forgets_cached_group_permissions_when_the_groups_are_synced(db):
    from django.apps import apps
    from django.contrib.auth.models import Group

    names = frozenset(["Manager"])
    before = group_permissions(names)
    assert before == frozenset(declared("Manager"))
    Group.objects.get(name="Manager").permissions.clear()
    assert group_permissions(names) == before  # still the cached set
    sync_role_groups(apps)  # restores the group and clears the cache
    Group.objects.get(name="Manager").permissions.clear()
    assert group_permissions(names) == frozenset()  # re-read after the sync


def test_it_ignores_per_user_permissions(persona):
    from django.contrib.auth.models import Permission

    user = persona("manager")
    user.user_permissions.add(Permission.objects.get(codename="add_dialingstrategy"))
    fresh = type(user).objects.get(pk=user.pk)
    assert not fresh.has_perm("strategies.add_dialingstrategy")


def test_it_keeps_access_tokens_to_superusers_and_sysadmins(persona, admin_as, token_a):
    tokens = "/admin/livevox_site/accesstoken/"
    site = {perm for perm in persona("it_user").get_all_permissions() if perm.startswith("livevox")}
    # Least privilege: the services strategies and profiles are assigned to, and the audit
    # entries of what the role may read (filtered per entry); no access tokens, no users.
    assert site == {"livevox_site.view_service", "livevox_site.view_auditentry"}
    assert admin_as("it_user").get(tokens).status_code == 403
    for who in ("manager", "manager_with_dnc_power", "agent"):
        assert not {
            perm for perm in persona(who).get_all_permissions() if perm.endswith("_accesstoken")
        }, who
    assert admin_as("superuser").get(tokens).status_code == 200
    assert admin_as("sysadmin").get(tokens).status_code == 200
