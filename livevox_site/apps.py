from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class LiveVoxAdminConfig(AdminConfig):
    """The admin, with a login page that asks for the client code too."""

    default_site = "livevox_site.admin_site.LiveVoxAdminSite"


def _sync_groups_after_migrate(sender, **kwargs) -> None:
    from django.apps import apps

    from .roles import sync_role_groups

    sync_role_groups(kwargs.get("apps") or apps)


class LiveVoxSiteConfig(AppConfig):
    name = "livevox_site"
    verbose_name = "Site: clients, users, audit"

    def ready(self) -> None:
        # Keep role groups in step with GROUP_PERMISSIONS whenever an app adds models.
        post_migrate.connect(_sync_groups_after_migrate, sender=self)
