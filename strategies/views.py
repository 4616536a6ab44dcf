"""``/configuration/dialingStrategies``: the twelve methods of the vendor's Dialing Strategies
API. Views read the request through ``wire.py`` and answer; the rules live in ``services.py``,
the reads in ``selectors.py``."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import status
from rest_framework.response import Response

from livevox_site.api import CLIENT, PAGE, TenantViewSet, error_responses, no_content
from livevox_site.selectors import service_for_client

from . import selectors, serializers, services, wire
from .models import DialingStrategy

# Audit object types whose entries move info's lastModified.
INFO_OBJECT_TYPES = ["strategies.dialingstrategy", "strategies.outcome"]

STRATEGY = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Dialing strategy ID")
OUTCOME = OpenApiParameter("outcome", int, OpenApiParameter.PATH, description="Outcome ID")
SERVICE = OpenApiParameter("service", int, OpenApiParameter.PATH, description="Service ID")

ERRORS = error_responses(
    serializers.ErrorBody,
    invalid="202 invalid input, 201 exists",
    forbidden="Role, power or client not allowed",
)
NO_CONTENT = no_content(ERRORS)
CREATED = {201: serializers.CreatedId, **ERRORS}


def doc(operation_id: str, **kwargs):
    """The schema of one method: tagged, authenticated by LV-Session."""
    return extend_schema(
        operation_id=operation_id, tags=["dialing strategies"], auth=[{"LVSession": []}], **kwargs
    )


def _no_content() -> Response:
    return Response(status=status.HTTP_204_NO_CONTENT)


def _created(obj) -> Response:
    return Response({"id": obj.pk}, status=status.HTTP_201_CREATED)


class DialingStrategyViewSet(TenantViewSet):
    """Dialing strategies of the caller's client (or, for a Sysadmin, of ``?client=``)."""

    queryset = DialingStrategy.objects.order_by("id")
    wire_field_names = wire.WIRE_FIELDS
    read_perm = "strategies.view_dialingstrategy"
    write_perm = "strategies.change_dialingstrategy"
    action_perms = {
        "create": "strategies.add_dialingstrategy",
        "destroy": "strategies.delete_dialingstrategy",
        "outcome_create": "strategies.add_outcome",
        "outcome_update": "strategies.change_outcome",
        "outcome_destroy": "strategies.delete_outcome",
        "outcomes_destroy": "strategies.delete_outcome",
    }

    # --- the collection ---

    @doc(
        "dialingStrategiesList",
        summary="List Dialing Strategies",
        parameters=[CLIENT, *PAGE],
        responses={200: serializers.StrategyList, **ERRORS},
    )
    def list(self, request):
        return self.paged_response(self.get_queryset(), "strategy", selectors.strategy_list_items)

    @doc(
        "dialingStrategiesInfo",
        summary="Get Dialing Strategies List Info",
        parameters=[CLIENT],
        responses={200: serializers.ListInfo, **ERRORS},
    )
    def info(self, request):
        return self.info_response(self.get_queryset(), INFO_OBJECT_TYPES)

    @doc(
        "dialingStrategyCreate",
        summary="Create Dialing Strategy",
        parameters=[CLIENT],
        request=serializers.StrategyCreate,
        responses=CREATED,
    )
    def create(self, request):
        strategy = services.strategy_create(
            actor=self.actor, client=request.client, **wire.strategy_create(request.data)
        )
        return _created(strategy)

    # --- one strategy ---

    @doc(
        "dialingStrategyRead",
        summary="Read Dialing Strategy",
        parameters=[STRATEGY, CLIENT],
        responses={200: serializers.StrategyRead, **ERRORS},
    )
    def retrieve(self, request, pk=None):
        # One hand-written statement instead of get_object() and two ORM reads (the selector
        # says why), with get_object's id rule and tenant scope, and the same 404.
        return Response(self.scoped_lookup(selectors.strategy_read_of))

    @doc(
        "dialingStrategyUpdate",
        summary="Update Dialing Strategy (name and/or dialing sequence)",
        parameters=[STRATEGY, CLIENT],
        request=serializers.StrategyUpdate,
        responses=NO_CONTENT,
    )
    def update(self, request, pk=None):
        strategy = self.get_object()
        services.strategy_update(
            actor=self.actor, strategy=strategy, **wire.strategy_update(request.data)
        )
        return _no_content()

    @doc(
        "dialingStrategyDelete",
        summary="Delete Dialing Strategy",
        parameters=[STRATEGY, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def destroy(self, request, pk=None):
        services.strategy_delete(actor=self.actor, strategy=self.get_object())
        return _no_content()

    # --- outcomes ---

    @doc(
        "dialingStrategyOutcomeCreate",
        summary="Create Dialing Strategy Outcome",
        parameters=[STRATEGY, CLIENT],
        request=serializers.OutcomeCreate,
        responses=CREATED,
    )
    def outcome_create(self, request, pk=None):
        strategy = self.get_object()
        settings = wire.outcome_create(request.data)
        outcome = services.outcome_create(actor=self.actor, strategy=strategy, settings=settings)
        return _created(outcome)

    @doc(
        "dialingStrategyOutcomesDeleteAll",
        summary="Delete All Dialing Strategy Outcomes",
        parameters=[STRATEGY, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def outcomes_destroy(self, request, pk=None):
        services.outcomes_delete_all(actor=self.actor, strategy=self.get_object())
        return _no_content()

    @doc(
        "dialingStrategyOutcomeUpdate",
        summary="Update Dialing Strategy Outcome (absent or null keys unchanged)",
        parameters=[STRATEGY, OUTCOME, CLIENT],
        request=serializers.OutcomeUpdate,
        responses=NO_CONTENT,
    )
    def outcome_update(self, request, pk=None, outcome=None):
        found = selectors.outcome_for(self.get_object(), wire.path_id(outcome))
        changes = wire.outcome_changes(request.data)
        services.outcome_update(actor=self.actor, outcome=found, changes=changes)
        return _no_content()

    @doc(
        "dialingStrategyOutcomeDelete",
        summary="Delete Dialing Strategy Outcome",
        parameters=[STRATEGY, OUTCOME, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def outcome_destroy(self, request, pk=None, outcome=None):
        found = selectors.outcome_for(self.get_object(), wire.path_id(outcome))
        services.outcome_delete(actor=self.actor, outcome=found)
        return _no_content()

    # --- services ---

    @doc(
        "dialingStrategyServiceAdd",
        summary="Update Dialing Strategy Add Service",
        parameters=[STRATEGY, SERVICE, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def service_add(self, request, pk=None, service=None):
        strategy = self.get_object()
        found = service_for_client(client=strategy.client_id, service_id=wire.path_id(service))
        services.strategy_service_add(actor=self.actor, strategy=strategy, service=found)
        return _no_content()

    @doc(
        "dialingStrategyServiceRemove",
        summary="Update Dialing Strategy Remove Service",
        parameters=[STRATEGY, SERVICE, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def service_remove(self, request, pk=None, service=None):
        strategy = self.get_object()
        found = service_for_client(client=strategy.client_id, service_id=wire.path_id(service))
        services.strategy_service_remove(actor=self.actor, strategy=strategy, service=found)
        return _no_content()

    @doc(
        "dialingStrategyServicesRemoveAll",
        summary="Update Dialing Strategy Remove All Services",
        parameters=[STRATEGY, CLIENT],
        request=None,
        responses=NO_CONTENT,
    )
    def services_remove_all(self, request, pk=None):
        services.strategy_services_remove_all(actor=self.actor, strategy=self.get_object())
        return _no_content()


class MisspelledPathViewSet(DialingStrategyViewSet):
    """The vendor's own documentation sends Add Service to ``dialngStrategies``; accepted, not
    documented."""

    @extend_schema(exclude=True)
    def service_add(self, request, pk=None, service=None):
        return super().service_add(request, pk=pk, service=service)
