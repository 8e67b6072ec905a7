"""REST API of the duties app.

* ``/api/duty-definitions/``: the duties of the role catalog (members read, staff edit).
* ``/api/duty-instances/``: duties of the cells one may see, plus one's own; ``?mine=1``,
  ``?status=open|overdue|done``, ``?cell=<id>``; ``POST .../tick/`` and ``POST .../complete/``.
* ``/api/duties/findings/mine/``: process-check findings addressed to the caller.
* ``/api/duties/clock/``: when a member owes a reply if pinged at a given instant.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from duties import selectors, services
from duties.models import DutyDefinition, DutyInstance
from duties.serializers import (
    ClockAnswerSerializer,
    ClockQuerySerializer,
    CompleteSerializer,
    DutyDefinitionSerializer,
    DutyInstanceSerializer,
    FindingSerializer,
    MyFindingsQuerySerializer,
    TickSerializer,
)
from findings import selectors as findings_selectors
from opencraft_ops.api_router import check_integer_params, router
from opencraft_ops.process_checks import run_checks
from roles.clock import Window
from roles.models import Member
from roles.permissions import IsStaffOrReadOnly, can_view_cell, member_of
from roles.selectors import member_check_context


class DutyDefinitionViewSet(viewsets.ModelViewSet):
    """The recurring duties of each role. Members read; staff edit."""

    queryset = DutyDefinition.objects.select_related("role").order_by(
        "role__sort_order", "sort_order", "title"
    )
    serializer_class = DutyDefinitionSerializer
    permission_classes = [IsStaffOrReadOnly]
    filterset_fields = ["cadence", "active", "role"]
    search_fields = ["title", "slug"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


STATUS_PARAM = OpenApiParameter("status", str, enum=["open", "overdue", "done"], required=False)
MINE_PARAM = OpenApiParameter("mine", bool, required=False, description="Only duties assigned to me.")
CELL_PARAM = OpenApiParameter("cell", int, required=False)


@extend_schema(parameters=[STATUS_PARAM, MINE_PARAM, CELL_PARAM])
class DutyInstanceViewSet(viewsets.ReadOnlyModelViewSet):
    """Duty instances with their checklists: the cells one may see, plus one's own."""

    serializer_class = DutyInstanceSerializer
    filterset_fields: list[str] = []
    ordering_fields = ["due_on", "done_at"]

    def get_queryset(self) -> QuerySet[DutyInstance]:
        user = self.request.user
        today = timezone.localdate()
        qs = selectors.instances_with_checklists().order_by("due_on", "pk")
        visible = selectors.visible_duties(user, as_of=today)
        if visible is not None:
            qs = qs.filter(visible)
        params = self.request.query_params
        if params.get("mine") in ("1", "true", "yes"):
            qs = qs.filter(assignee=member_of(user))
        check_integer_params(self.request, ["cell"])
        if "cell" in params:
            try:
                qs = qs.filter(cell_id=int(params["cell"]))
            except ValueError as exc:
                raise ValidationError({"cell": "Give a cell id."}) from exc
        wanted = params.get("status")
        if wanted == "open":
            qs = qs.filter(done_at__isnull=True, due_on__gte=today)
        elif wanted == "overdue":
            qs = qs.filter(done_at__isnull=True, due_on__lt=today)
        elif wanted == "done":
            qs = qs.filter(done_at__isnull=False)
        elif wanted is not None:
            raise ValidationError({"status": "Use open, overdue or done."})
        return qs

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(request=TickSerializer, responses=DutyInstanceSerializer)
    @action(detail=True, methods=["post"])
    def tick(self, request: Request, pk: str | None = None) -> Response:
        """Ticks (or with ``ticked: false`` unticks) one checklist item; the last tick completes the duty."""
        duty = self.get_object()
        data = TickSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = duty.items.filter(position=data.validated_data["position"]).first()
        if item is None:
            raise ValidationError({"position": "This duty has no item at that position."})
        try:
            services.checklist_item_tick(
                item=item,
                member=member_of(request.user),
                is_staff=request.user.is_staff,
                ticked=data.validated_data["ticked"],
                at=timezone.now(),
            )
        except Exception as exc:
            _reraise_permission(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=duty.pk)).data)

    @extend_schema(request=CompleteSerializer, responses=DutyInstanceSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Marks the duty done, optionally saving notes."""
        duty = self.get_object()
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.duty_instance_complete(
                instance=duty,
                member=member_of(request.user),
                is_staff=request.user.is_staff,
                at=timezone.now(),
                notes=data.validated_data.get("notes"),
            )
        except Exception as exc:
            _reraise_permission(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=duty.pk)).data)


def _reraise_permission(exc: Exception) -> None:
    from django.core.exceptions import PermissionDenied

    if isinstance(exc, PermissionDenied):
        raise ApiPermissionDenied(str(exc)) from exc
    raise exc


class MyFindingsView(APIView):
    """Process-check findings addressed to the caller, most severe first."""

    @extend_schema(responses=FindingSerializer(many=True), parameters=[MyFindingsQuerySerializer])
    def get(self, request: Request) -> Response:
        """Findings naming the caller, and those addressed to a role the caller holds in the
        finding's cell (or company-wide) that name nobody."""
        query = MyFindingsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        member = member_of(request.user)
        if member is None:
            return Response([])
        today = timezone.localdate()
        as_of = query.validated_data.get("as_of") or today
        context = member_check_context(member_id=member.pk, as_of=as_of)
        if as_of != today:
            # Another day than today is evaluated on demand: only today's findings are stored.
            return Response(FindingSerializer(run_checks(context), many=True).data)
        findings_selectors.ensure_fresh()
        stored = findings_selectors.findings_for_member(
            member_id=member.pk, member_roles=context.member_roles
        )
        return Response(FindingSerializer(stored, many=True).data)


class ClockView(APIView):
    """When a reply is due for member M if pinged at T: the one business-hours clock
    (weekends and the member's time off excluded, in their time zone) or a plain window."""

    @extend_schema(parameters=[ClockQuerySerializer], responses=ClockAnswerSerializer)
    def get(self, request: Request) -> Response:
        query = ClockQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        target = get_object_or_404(Member.objects.select_related("cell"), pk=query.validated_data["member"])
        if not can_view_cell(request.user, target.cell):
            raise ApiPermissionDenied("You can only look up members of the cells you may see.")
        window = Window(query.validated_data["window"])
        try:
            due = selectors.member_reply_due(
                member=target, pinged_at=query.validated_data["at"], window=window
            )
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        answer = {
            "member": target.pk,
            "timezone": target.timezone,
            "window": window.value,
            "window_label": window.label,
            "pinged_at": query.validated_data["at"],
            "due_at": due.isoformat(),
        }
        return Response(ClockAnswerSerializer(answer).data)


router.register("duty-definitions", DutyDefinitionViewSet, basename="duty-definition")
router.register("duty-instances", DutyInstanceViewSet, basename="duty-instance")

urlpatterns: list[URLPattern | URLResolver] = [
    path("duties/findings/mine/", MyFindingsView.as_view(), name="duties-my-findings"),
    path("duties/clock/", ClockView.as_view(), name="duties-clock"),
]
