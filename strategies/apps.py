from django.apps import AppConfig


class StrategiesConfig(AppConfig):
    name = "strategies"
    verbose_name = "Dialing strategies"

    def ready(self) -> None:
        from livevox_site.signals import service_deleting

        from .services import unassign_deleted_service

        service_deleting.connect(unassign_deleted_service, dispatch_uid="strategies-service")
