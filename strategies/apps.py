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
        from livevox_site.signals import service_deleting

        from .services import unassign_deleted_service

        service_deleting.connect(unassign_deleted_service, dispatch_uid="strategies-service")

    def seed_demo(self, actor) -> None:
        from .demo import seed_client_strategies, seed_strategies

        seed_strategies(actor)
        seed_client_strategies(actor)
