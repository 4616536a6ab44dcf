from livevox_site.apps import ResourceAppConfig
from livevox_site.errors import SHAPE_ERROR_CODE
from livevox_site.roles import ALL, VIEW, model_perms

_STRATEGIES = [
    *model_perms("strategies.dialingstrategy"),
    *model_perms("strategies.outcome"),
    *model_perms("strategies.clientstrategies", ("view", "add", "change")),
]


class StrategiesConfig(ResourceAppConfig):
    name = "strategies"
    verbose_name = "Dialing strategies"
    wire_urls = "strategies.urls"
    # Dialing strategies answer {"errorCode", "errorMessage"} (the spec's examples).
    error_shapes = {"/configuration/": SHAPE_ERROR_CODE}
    role_permissions = {
        "Sysadmin": [*_STRATEGIES, *model_perms("strategies.result", ALL)],
        "Superuser": [*_STRATEGIES, *model_perms("strategies.result", VIEW)],
        "IT User": [*_STRATEGIES, *model_perms("strategies.result", VIEW)],
        "Manager": model_perms("strategies.result", VIEW),
        "Power: Dialing Strategies": _STRATEGIES,
    }

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from livevox_site.signals import service_deleting

        from .services import unassign_deleted_service

        service_deleting.connect(unassign_deleted_service, dispatch_uid="strategies-service")
        post_migrate.connect(_seed_results_when_empty, sender=self)


def _seed_results_when_empty(sender, apps=None, using="default", **kwargs) -> None:
    """An empty results catalog gets the shipped one again (its data migration's rows) after
    every ``migrate``, and after a test's flush of every table: a catalog that holds any row is
    the Sysadmins' and is left alone."""
    from importlib import import_module

    from django.apps import apps as global_apps

    Result = (apps or global_apps).get_model("strategies", "Result")
    if not Result.objects.using(using).exists():
        import_module("strategies.migrations.0002_results_catalog").seed(apps or global_apps, None)

    def seed_demo(self, actor) -> None:
        from .demo import seed_client_strategies, seed_strategies

        seed_strategies(actor)
        seed_client_strategies(actor)
