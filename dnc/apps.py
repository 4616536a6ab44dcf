from livevox_site.apps import ResourceAppConfig
from livevox_site.roles import model_perms

_ENTRIES = [
    *model_perms("dnc.legacyentry"),
    *model_perms("dnc.accountflag"),
    *model_perms("dnc.dialtimeentry"),
    *model_perms("dnc.emailentry"),
    *model_perms("dnc.smsentry"),
]
_GROUPS = model_perms("dnc.contactgroup")
_IS_BLOCKED = "dnc.check_isblocked"
# Every suppression preview of the client, not only one's own.
_EVERY_PREVIEW = "dnc.view_every_preview"


class DncConfig(ResourceAppConfig):
    name = "dnc"
    verbose_name = "Do-Not-Call lists"
    wire_urls = "dnc.urls"
    hot_paths = {"/compliance/complianceCheck/isBlocked": "dnc.views.check.lean_is_blocked"}
    admin_links = [
        (
            "dnc.check_isblocked",
            "Check whether a number may be called, texted or emailed now, and why not",
            "admin:dnc_check",
        ),
        (
            "dnc.check_isblocked",
            "Preview how much of a contact list would be suppressed, and why",
            "admin:dnc_suppression",
        ),
    ]
    admin_urls = (
        "dnc.admin.imports.admin_urlpatterns",
        "dnc.admin.suppression.suppression_urlpatterns",
        "dnc.admin.check.check_urlpatterns",
    )
    job_recovery = ("dnc.tasks.recover_jobs",)
    client_checks = ("dnc.services.dnc_type.client_change_refusal",)
    # Every DNC method answers the default {"code", "message"} shape: no error_shapes entry.
    role_permissions = {
        # The spec's User Roles: Sysadmin, Superuser, and Managers with the "Edit DNC Lists"
        # power; isBlocked for every Manager too. IT Users: none.
        "Sysadmin": [*_ENTRIES, *_GROUPS, _IS_BLOCKED, _EVERY_PREVIEW],
        "Superuser": [*_ENTRIES, *_GROUPS, _IS_BLOCKED, _EVERY_PREVIEW],
        "Manager": [_IS_BLOCKED],
        "Power: Edit DNC Lists": [*_ENTRIES, *model_perms("dnc.contactgroup", ("view",))],
        # Agent sessions: Read, Create, List, Info and Find Matching DNC (the legacy list) and
        # Is Blocked (docs/wire.md section 2).
        "Agent": [*model_perms("dnc.legacyentry", ("view", "add")), _IS_BLOCKED],
    }

    def seed_demo(self, actor) -> None:
        from .demo import seed_dnc

        seed_dnc(actor)
