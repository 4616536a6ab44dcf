from livevox_site.apps import ResourceAppConfig
from livevox_site.roles import VIEW, model_perms

_READ_AND_UPLOAD = model_perms("recordings.recording", ("view", "add"))


class RecordingsConfig(ResourceAppConfig):
    name = "recordings"
    verbose_name = "Call recordings"
    wire_urls = "recordings.urls"
    # Recordings answer the default {"code", "message"} shape: no error_shapes entry.
    role_permissions = {
        # The spec: Delete Call Recording is for Sysadmins only; reading is for the Compliance
        # API's roles (Sysadmin, Superuser, Manager), not IT Users nor Agent sessions.
        "Sysadmin": model_perms("recordings.recording", (*VIEW, "add", "delete")),
        "Superuser": _READ_AND_UPLOAD,
        "Manager": _READ_AND_UPLOAD,
    }

    def seed_demo(self, actor) -> None:
        from .demo import seed_recordings

        seed_recordings(actor)
