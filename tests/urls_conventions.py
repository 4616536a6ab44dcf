"""A tiny tenant-scoped API over ``Service``, mounted only by tests marked
``@pytest.mark.urls("tests.urls_conventions")``: it exercises the foundation's conventions
(LV-Session authentication, client resolution, paging, ``info``, error shapes, agent actions)
without depending on any resource app."""

from django.urls import include, path
from rest_framework import routers
from rest_framework.decorators import action
from rest_framework.response import Response

from livevox_site.api import TenantViewSet
from livevox_site.audit import audit_record, snapshot
from livevox_site.errors import SHAPE_ERROR_CODE, InvalidInput
from livevox_site.lenient import body_object, present
from livevox_site.models import Service
from livevox_site.urls import urlpatterns as site_urlpatterns


def service_json(service: Service) -> dict:
    return {"id": service.pk, "clientId": service.client_id, "name": service.name}


class ServiceViewSet(TenantViewSet):
    queryset = Service.objects.all()
    read_perm = "livevox_site.view_service"
    write_perm = "livevox_site.add_service"
    agent_actions = ("list",)

    def list(self, request):
        return self.paged_response(
            self.get_queryset(), "service", lambda rows: [service_json(row) for row in rows]
        )

    def retrieve(self, request, pk=None):
        return Response(service_json(self.get_object()))

    def create(self, request):
        data = body_object(request.data)
        name = data.get("name")
        if not present(name) or not isinstance(name, str):
            raise InvalidInput("name is required", field="name")
        service = Service.objects.create(client=request.client, name=name)
        audit_record(
            actor=self.actor,
            client=request.client,
            action="test.service.added",
            obj=service,
            after=snapshot(service),
        )
        return Response({"id": service.pk}, status=201)

    def destroy(self, request, pk=None):
        self.get_object().delete()
        return Response(status=204)

    @action(detail=False)
    def info(self, request):
        return self.info_response(self.get_queryset(), ["livevox_site.service"])


class ServiceErrorCodeViewSet(ServiceViewSet):
    """The same resource answering in the dialing-strategy error shape."""

    error_shape = SHAPE_ERROR_CODE


compliance = routers.SimpleRouter(trailing_slash=False)
compliance.register("services", ServiceViewSet, basename="test-service")
configuration = routers.SimpleRouter(trailing_slash=False)
configuration.register("services", ServiceErrorCodeViewSet, basename="test-service-ec")

urlpatterns = [
    path("compliance/", include(compliance.urls)),
    path("configuration/", include(configuration.urls)),
    *site_urlpatterns,
]
