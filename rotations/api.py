"""REST API of the rotations app.

* ``/api/rotations/``: rotation slots. Members read their own cell's (and the
  cell-less ones); staff read all. The cell's sprint manager and staff write,
  through ``rotations.services``.
* ``/api/rotation-swaps/``: record a swap (who agreed, when) and list swaps.
* ``/api/rotations/schedule/preview/`` and ``.../apply/``: fair schedule generation.
* ``/api/rotations/coverage/`` and ``/api/rotations/budget/``: computed figures.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opencraft_ops import calendar
from opencraft_ops.api_router import router
from roles.models import Cell
from roles.permissions import can_manage_cell, member_of, sees_every_cell
from rotations import selectors
from rotations.models import RotationAssignment, RotationKind, Swap
from rotations.serializers import (
    BudgetSerializer,
    CoverageQuerySerializer,
    CoverageSerializer,
    RotationSerializer,
    SchedulePlanSerializer,
    ScheduleRequestSerializer,
    SwapSerializer,
)
from rotations.services import editing, schedule


def _visible(user: Any) -> Q:
    """Rows of rotations the user may read: all for staff and company-wide role holders,
    else their own cell's and the cell-less ones."""
    if sees_every_cell(user):
        return Q()
    member = member_of(user)
    if member is None or member.cell_id is None:
        return Q(cell__isnull=True)
    return Q(cell_id=member.cell_id) | Q(cell__isnull=True)


def _require_manage(user: Any, cell: Cell | None) -> None:
    if cell is None:
        if not user.is_staff:
            raise PermissionDenied("Only staff can change rotations that belong to no cell.")
        return
    if not can_manage_cell(user, cell, selectors.SPRINT_MANAGER_ROLES):
        raise PermissionDenied("Only staff or the cell's sprint manager can change its rotations.")


def _require_view(user: Any, cell: Cell) -> None:
    if not sees_every_cell(user):
        member = member_of(user)
        if member is None or member.cell_id != cell.pk:
            raise PermissionDenied("You can only see your own cell.")


class RotationFilter(filters.FilterSet):
    cell = filters.CharFilter(field_name="cell__slug")
    kind = filters.ChoiceFilter(choices=RotationKind.choices)
    sprint = filters.NumberFilter(field_name="sprint__number")
    start_after = filters.DateFilter(field_name="end", lookup_expr="gte", label="Ends on or after")
    end_before = filters.DateFilter(field_name="start", lookup_expr="lte", label="Starts on or before")

    class Meta:
        model = RotationAssignment
        fields = ["cell", "kind", "member", "sprint", "start_after", "end_before"]


class RotationViewSet(viewsets.ModelViewSet):
    """Rotation slots (firefighters, backups, discovery duty, ops reviewer, pager)."""

    serializer_class = RotationSerializer
    filterset_class = RotationFilter
    ordering_fields = ["start", "kind"]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[RotationAssignment]:
        return (
            RotationAssignment.objects.filter(_visible(self.request.user))
            .select_related("member__user", "cell", "sprint")
            .order_by("start", "kind", "pk")
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        _require_manage(self.request.user, data.get("cell"))
        serializer.instance = editing.rotation_create(
            kind=data["kind"],
            cell=data.get("cell"),
            member=data["member"],
            start=data["start"],
            end=data["end"],
            reserved_hours=data.get("reserved_hours"),
            note=data.get("note", ""),
        )

    def perform_update(self, serializer: Any) -> None:
        instance: RotationAssignment = serializer.instance
        _require_manage(self.request.user, instance.cell)
        data = serializer.validated_data
        editing.rotation_update(
            assignment=instance,
            member=data.get("member"),
            reserved_hours=data.get("reserved_hours"),
            note=data.get("note"),
        )

    def perform_destroy(self, instance: RotationAssignment) -> None:
        _require_manage(self.request.user, instance.cell)
        editing.rotation_delete(assignment=instance)


class SwapViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Swaps between two members' slots, with who agreed and when."""

    serializer_class = SwapSerializer

    def get_queryset(self) -> QuerySet[Swap]:
        visible = _visible(self.request.user)
        first_visible = RotationAssignment.objects.filter(visible).values("pk")
        return (
            Swap.objects.filter(first__in=first_visible)
            .select_related("recorded_by")
            .order_by("-recorded_at")
        )

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        for slot in (data["first"], data["second"]):
            _require_manage(self.request.user, slot.cell)
        serializer.instance = editing.rotation_swap(
            first=data["first"],
            second=data["second"],
            agreed_on=data["agreed_on"],
            agreed_by=data["agreed_by"],
            user=self.request.user,
            note=data.get("note", ""),
        )


class ScheduleView(APIView):
    apply = False

    @extend_schema(
        request=ScheduleRequestSerializer,
        responses={200: SchedulePlanSerializer, 201: SchedulePlanSerializer},
    )
    def post(self, request: Request) -> Response:
        query = ScheduleRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        cell: Cell = query.validated_data["cell"]
        _require_manage(request.user, cell)
        first, count = query.validated_data["first_sprint"], query.validated_data["sprints"]
        if not self.apply:
            plan = schedule.schedule_preview(cell=cell, first_sprint=first, sprints=count)
            return Response(SchedulePlanSerializer(plan).data)
        result = schedule.schedule_apply(cell=cell, first_sprint=first, sprints=count)
        data = dict(SchedulePlanSerializer(result.plan).data)
        data["created"] = len(result.created)
        return Response(data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class SchedulePreviewView(ScheduleView):
    """The fair schedule for the next sprints, with an explanation per pick. Writes nothing."""


class ScheduleApplyView(ScheduleView):
    """Creates the previewed schedule's missing slots. Idempotent."""

    apply = True


class CoverageView(APIView):
    """For each working day of a sprint: firefighters present and away, other duties,
    and a backup suggestion when nobody is covering."""

    @extend_schema(parameters=[CoverageQuerySerializer], responses=CoverageSerializer)
    def get(self, request: Request) -> Response:
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cell: Cell = query.validated_data["cell"]
        _require_view(request.user, cell)
        number = query.validated_data.get("sprint") or calendar.sprint_on(timezone.localdate()).number
        view = selectors.sprint_coverage(cell, sprint_number=number)
        payload = {
            "cell": cell.slug,
            "sprint": number,
            "uncovered_days": len(view.uncovered),
            "days": view.display_rows,
        }
        return Response(CoverageSerializer(payload).data)


class BudgetView(APIView):
    """The cell's firefighting and discovery budgets from its members' commitments."""

    @extend_schema(
        parameters=[OpenApiParameter("cell", str, required=True, description="Cell slug")],
        responses=BudgetSerializer,
    )
    def get(self, request: Request) -> Response:
        slug = request.query_params.get("cell", "")
        cell = Cell.objects.filter(slug=slug).first()
        if cell is None:
            return Response({"cell": ["Unknown cell."]}, status=status.HTTP_400_BAD_REQUEST)
        _require_view(request.user, cell)
        budget = selectors.cell_budget(cell, as_of=timezone.localdate())
        return Response(BudgetSerializer({"cell": cell.slug, **budget.__dict__}).data)


router.register("rotations", RotationViewSet, basename="rotation")
router.register("rotation-swaps", SwapViewSet, basename="rotation-swap")

urlpatterns: list[URLPattern | URLResolver] = [
    path("rotations/schedule/preview/", SchedulePreviewView.as_view(), name="rotation-schedule-preview"),
    path("rotations/schedule/apply/", ScheduleApplyView.as_view(), name="rotation-schedule-apply"),
    path("rotations/coverage/", CoverageView.as_view(), name="rotation-coverage"),
    path("rotations/budget/", BudgetView.as_view(), name="rotation-budget"),
]
