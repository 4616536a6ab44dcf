from livevox_site.apps import ResourceAppConfig
from livevox_site.roles import VIEW, model_perms


class RecordingsConfig(ResourceAppConfig):
    name = "recordings"
    verbose_name = "Call recordings"
    wire_urls = "recordings.urls"
    # Recordings answer the default {"code", "message"} shape: no error_shapes entry.
    role_permissions = {
        # The spec: Delete Call Recording is for Sysadmins only; reading is for the Compliance
        # API's roles (Sysadmin, Superuser, Manager), not IT Users nor Agent sessions. Adding a
        # recording (the admin's upload; the API has no create method) is for Sysadmins and
        # Superusers; a Manager, with or without powers, reads recordings and nothing more
        # (README, Roles). Nobody changes one. The groups follow on every ``migrate``
        # (``livevox_site.roles.sync_role_groups`` runs after it).
        "Sysadmin": model_perms("recordings.recording", (*VIEW, "add", "delete")),
        "Superuser": model_perms("recordings.recording", (*VIEW, "add")),
        "Manager": model_perms("recordings.recording", VIEW),
    }

    def seed_demo(self, actor) -> None:
        from .demo import seed_recordings

        seed_recordings(actor)
