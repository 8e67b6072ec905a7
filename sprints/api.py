"""REST API of the sprints app: viewsets registered on the shared router, extra paths below."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opencraft_ops.api_router import router
from roles.models import Member
from roles.permissions import IsStaffOrReadOnly, can_manage_cell, can_view_cell, member_of
from sprints import selectors, services
from sprints.calculations.capacity import capacity_totals
from sprints.models import MemberSprintUpdate, Spillover, Sprint, Ticket
from sprints.serializers import (
    CapacityQuerySerializer,
    CapacityRowSerializer,
    CapacityTotalsSerializer,
    MemberCapacityQuerySerializer,
    MemberSprintUpdateSerializer,
    SpilloverSerializer,
    SprintLookupSerializer,
    SprintSerializer,
    TicketSerializer,
)

SPRINT_ROLES = {"sprint-manager", "sprint-planning-manager"}


def _visible_cells(request: Request, qs: QuerySet, field: str = "cell") -> QuerySet:  # type: ignore[type-arg]
    """Staff see everything; members their own cell's rows."""
    if request.user.is_staff:
        return qs
    member = member_of(request.user)
    if member is None or member.cell_id is None:
        return qs.none()
    return qs.filter(**{f"{field}_id": member.cell_id})


class SprintViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Sprint]):
    """Sprints shared by every cell, derived from the sprint calendar: their dates
    always follow from their number. ``POST`` with a ``number`` or a ``date`` (any
    member; the row is the calendar's, created on first use) answers the sprint,
    201 when it was created; ``GET on/?date=`` or ``on/?number=`` looks one up
    the same way."""

    queryset = Sprint.objects.all()
    serializer_class = SprintSerializer
    filterset_fields = ["number"]
    ordering_fields = ["number"]

    @extend_schema(request=SprintLookupSerializer, responses={200: SprintSerializer, 201: SprintSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = SprintLookupSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        number = query.validated_data["number"]
        existed = Sprint.objects.filter(number=number).exists()
        sprint = services.sprint_ensure(number=number)
        return Response(
            SprintSerializer(sprint).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )

    @extend_schema(parameters=[SprintLookupSerializer], responses=SprintSerializer)
    @action(detail=False, methods=["get"])
    def on(self, request: Request) -> Response:
        """The sprint of a ``date`` (or with a ``number``), created from the calendar on first use."""
        query = SprintLookupSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        sprint = services.sprint_ensure(number=query.validated_data["number"])
        return Response(SprintSerializer(sprint).data)


class TicketViewSet(viewsets.ModelViewSet[Ticket]):
    """Tickets (JIRA issue mirrors). Members read their cell's tickets; staff write."""

    serializer_class = TicketSerializer
    permission_classes = [IsStaffOrReadOnly]
    filterset_fields = ["status", "sprint__number", "cell__slug", "assignee", "reviewer", "epic__key"]
    search_fields = ["key", "summary"]
    ordering_fields = ["key", "priority_category", "updated_at"]
    lookup_field = "key"

    def get_queryset(self) -> QuerySet[Ticket]:
        qs = Ticket.objects.select_related("sprint", "cell", "epic").order_by("priority_category", "key")
        return _visible_cells(self.request, qs)

    @transaction.atomic
    def perform_create(self, serializer: TicketSerializer) -> None:  # type: ignore[override]
        ticket = serializer.save()
        given = "added_to_sprint_at" in serializer.validated_data
        services.ticket_record_sprint_entry(ticket=ticket, previous_sprint_id=None, given=given)

    @transaction.atomic
    def perform_update(self, serializer: TicketSerializer) -> None:  # type: ignore[override]
        assert serializer.instance is not None
        previous = serializer.instance.sprint_id
        ticket = serializer.save()
        given = "added_to_sprint_at" in serializer.validated_data
        services.ticket_record_sprint_entry(ticket=ticket, previous_sprint_id=previous, given=given)


class SpilloverPermission(permissions.BasePermission):
    message = "Only the assignee, the cell's sprint manager or staff can explain a spillover."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: APIView, obj: Spillover) -> bool:
        if request.method in permissions.SAFE_METHODS or request.user.is_staff:
            return True
        member = member_of(request.user)
        if member is not None and obj.assignee_id == member.pk:
            return True
        return obj.cell is not None and can_manage_cell(request.user, obj.cell, SPRINT_ROLES)


class SpilloverViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Spillover],
):
    """Spillovers recorded at sprint end; PATCH ``explanation`` to explain one."""

    serializer_class = SpilloverSerializer
    permission_classes = [SpilloverPermission]
    filterset_fields = ["sprint__number", "cell__slug", "assignee"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Spillover]:
        qs = Spillover.objects.select_related("sprint", "ticket", "cell").order_by(
            "-sprint__number", "ticket__key"
        )
        return _visible_cells(self.request, qs)

    def perform_update(self, serializer: SpilloverSerializer) -> None:  # type: ignore[override]
        services.spillover_explain(
            spillover=serializer.instance,  # type: ignore[arg-type]
            explanation=serializer.validated_data["explanation"],
            by_user_id=self.request.user.pk,
        )


class MemberSprintUpdateViewSet(viewsets.ReadOnlyModelViewSet[MemberSprintUpdate]):
    """Members' recorded mid-sprint and end-of-sprint updates (read only: members record theirs
    on their sprint board). Staff see every cell's, members their own cell's."""

    serializer_class = MemberSprintUpdateSerializer
    filterset_fields = ["sprint__number", "kind", "member", "member__cell__slug"]

    def get_queryset(self) -> QuerySet[MemberSprintUpdate]:
        qs = MemberSprintUpdate.objects.select_related("sprint", "member__user", "member__cell").order_by(
            "-sprint__number", "member_id", "kind"
        )
        return _visible_cells(self.request, qs, field="member__cell")


class CapacityView(APIView):
    """Computed capacity rows of a cell's members for a sprint (default: the current one)."""

    @extend_schema(parameters=[CapacityQuerySerializer], responses=CapacityRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = CapacityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cell = selectors.cell_by_slug(query.validated_data["cell"])
        if not can_view_cell(request.user, cell):
            raise PermissionDenied("You can only see your own cell.")
        number = (
            query.validated_data.get("sprint") or selectors.sprint_numbers_around(timezone.localdate())[0]
        )
        rows = selectors.capacity_rows(cell=cell, sprint_number=number)
        return Response(CapacityRowSerializer(rows, many=True).data)  # type: ignore[arg-type]


class MemberCapacityView(APIView):
    """One member's computed capacity for a sprint (default: the current one)."""

    @extend_schema(parameters=[MemberCapacityQuerySerializer], responses=CapacityRowSerializer)
    def get(self, request: Request, member_id: int) -> Response:
        query = MemberCapacityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        member = get_object_or_404(Member.objects.select_related("user", "cell").with_type(), pk=member_id)
        if not can_view_cell(request.user, member.cell):
            raise PermissionDenied("You can only see your own cell.")
        number = (
            query.validated_data.get("sprint") or selectors.sprint_numbers_around(timezone.localdate())[0]
        )
        row = selectors.member_capacity(member=member, sprint_number=number)
        return Response(CapacityRowSerializer(row).data)


class CapacityTotalsView(APIView):
    """A cell's capacity totals for a sprint (default: the current one), the figures
    the sprint board shows under its rows."""

    @extend_schema(parameters=[CapacityQuerySerializer], responses=CapacityTotalsSerializer)
    def get(self, request: Request) -> Response:
        query = CapacityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cell = selectors.cell_by_slug(query.validated_data["cell"])
        if not can_view_cell(request.user, cell):
            raise PermissionDenied("You can only see your own cell.")
        number = (
            query.validated_data.get("sprint") or selectors.sprint_numbers_around(timezone.localdate())[0]
        )
        totals = capacity_totals(selectors.capacity_rows(cell=cell, sprint_number=number))
        return Response(CapacityTotalsSerializer(totals).data)


router.register("sprints", SprintViewSet, basename="sprint")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("spillovers", SpilloverViewSet, basename="spillover")
router.register("sprint-updates", MemberSprintUpdateViewSet, basename="sprint-update")

urlpatterns: list[URLPattern | URLResolver] = [
    path("capacity/", CapacityView.as_view(), name="capacity"),
    path("capacity/totals/", CapacityTotalsView.as_view(), name="capacity-totals"),
    path("capacity/members/<int:member_id>/", MemberCapacityView.as_view(), name="member-capacity"),
]
