from livevox_site.apps import ResourceAppConfig
from livevox_site.errors import SHAPE_ERROR_CODE
from livevox_site.roles import model_perms

_PROFILES = [
    *model_perms("profiles.dialingblackout"),
    *model_perms("profiles.dialingprofile"),
    *model_perms("profiles.dialingpolicy"),
    *model_perms("profiles.serviceprofile"),
    *model_perms("profiles.clientdialingprofile", ("view", "add", "change")),
]
# zipAreaMatch is open to every role that may use the Compliance API and to Agent sessions.
_ZIP_AREA = "profiles.check_ziparea"


class ProfilesConfig(ResourceAppConfig):
    name = "profiles"
    verbose_name = "Dialing profiles"
    wire_urls = "profiles.urls"
    # Dialing profiles answer {"errorCode", "errorMessage"} (the spec's examples); the
    # compliance checks keep the default {"code", "message"}.
    error_shapes = {"/compliance/dialingProfiles": SHAPE_ERROR_CODE}
    role_permissions = {
        "Sysadmin": [*_PROFILES, _ZIP_AREA],
        "Superuser": [*_PROFILES, _ZIP_AREA],
        "IT User": [*_PROFILES, _ZIP_AREA],
        "Manager": [_ZIP_AREA],
        "Agent": [_ZIP_AREA],
    }

    def seed_demo(self, actor) -> None:
        from .demo import seed_profiles

        seed_profiles(actor)
