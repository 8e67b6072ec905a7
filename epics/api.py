"""REST API for epics: epics (with computed figures and status transitions),
status changes, milestones, monthly budgets and epic updates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from epics import selectors as sel
from epics import services as svc
from epics.models import BudgetKind, Epic, EpicBudgetPeriod, EpicMilestone, EpicStatusChange, EpicUpdate
from epics.selectors import EPIC_MANAGER_ROLE
from epics.serializers import (
    BudgetKindSerializer,
    BudgetPeriodSerializer,
    EpicSerializer,
    EpicUpdateSerializer,
    EpicWriteSerializer,
    MilestoneSerializer,
    QuestionSerializer,
    StatusChangeSerializer,
    TransitionSerializer,
    questions_payload,
)
from opencraft_ops.api_router import router
from roles.permissions import holds_role, member_of


def _visible(request: Request, qs: QuerySet[Any], field: str) -> QuerySet[Any]:
    """Staff see every cell's epics; members their own cell's."""
    if request.user.is_staff:
        return qs
    member = member_of(request.user)
    if member is None or member.cell_id is None:
        return qs.none()
    return qs.filter(**{field: member.cell_id})


def _require_edit(request: Request, epic: Epic) -> None:
    if not sel.can_edit_epic(request.user, epic):
        raise PermissionDenied(
            "Only the epic's owner or reviewer, the cell's epic planning manager or staff can change it."
        )


def _django_to_drf(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class EpicViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Epic],
):
    """Epics of the caller's cell (staff: every cell) with their figures.
    Staff and the cell's epic planning and sustainability manager create epics;
    those who may edit one (its owner, reviewer, the cell's manager, staff) change
    its descriptive fields with ``PATCH``/``PUT``.

    Each page costs a fixed number of queries: the epics with their budget,
    due date and last update as subqueries, one worklog aggregate and one
    remaining-estimate aggregate for the page's epics."""

    serializer_class = EpicSerializer
    lookup_field = "key"
    lookup_value_regex = r"[^/]+"
    filterset_fields = ["status", "budget_kind", "cell__slug", "owner", "reviewer"]
    search_fields = ["key", "title", "client"]
    ordering_fields = ["key", "status"]

    def get_queryset(self) -> QuerySet[Epic]:
        today = timezone.localdate()
        qs = sel.annotated_epics(as_of=today, sprint_number=sel.current_sprint(today).number)
        return _visible(self.request, qs, "cell_id").order_by("key")

    def get_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Any]:
        instance = args[0] if args else kwargs.get("instance")
        if instance is not None and "context" not in kwargs:
            epics = list(instance) if isinstance(instance, list | QuerySet) else [instance]
            if epics and isinstance(epics[0], Epic):
                rows = sel.rows_for_epics(epics, as_of=timezone.localdate())
                kwargs["context"] = {**self.get_serializer_context(), "rows": rows}
        return super().get_serializer(*args, **kwargs)

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return (
            EpicWriteSerializer if self.action in ("create", "update", "partial_update") else EpicSerializer
        )

    def _answer(self, epic: Epic, code: int) -> Response:
        epic = self.get_queryset().get(pk=epic.pk)
        return Response(EpicSerializer(epic, context=self._context_for(epic)).data, status=code)

    def _context_for(self, epic: Epic) -> dict[str, Any]:
        rows = sel.rows_for_epics([epic], as_of=timezone.localdate())
        return {**self.get_serializer_context(), "rows": rows}

    @extend_schema(request=EpicWriteSerializer, responses={201: EpicSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = EpicWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cell = body.validated_data.get("cell")
        if not request.user.is_staff and (
            cell is None or not holds_role(request.user, EPIC_MANAGER_ROLE, cell=cell)
        ):
            raise PermissionDenied(
                "Only staff or the cell's epic planning and sustainability manager can add epics."
            )
        try:
            epic = svc.epic_create(**body.validated_data)
        except DjangoValidationError as exc:
            raise _django_to_drf(exc) from exc
        return self._answer(epic, status.HTTP_201_CREATED)

    @extend_schema(request=EpicWriteSerializer, responses={200: EpicSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        epic = self.get_object()
        _require_edit(request, epic)
        body = EpicWriteSerializer(epic, data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        cell = body.validated_data.get("cell", epic.cell)
        if (
            cell != epic.cell
            and not request.user.is_staff
            and (cell is None or not holds_role(request.user, EPIC_MANAGER_ROLE, cell=cell))
        ):
            raise PermissionDenied(
                "Only staff or the new cell's epic planning manager can move an epic there."
            )
        try:
            epic = svc.epic_update(epic=epic, changes=body.validated_data)
        except DjangoValidationError as exc:
            raise _django_to_drf(exc) from exc
        return self._answer(epic, status.HTTP_200_OK)

    @extend_schema(request=EpicWriteSerializer, responses={200: EpicSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=TransitionSerializer, responses={200: EpicSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, key: str | None = None) -> Response:
        """Moves the epic to another status when the transition is allowed (400 otherwise)."""
        epic = self.get_object()
        _require_edit(request, epic)
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            svc.epic_transition(
                epic=epic,
                to_status=body.validated_data["to_status"],
                by=request.user,
                note=body.validated_data["note"],
            )
        except DjangoValidationError as exc:
            raise _django_to_drf(exc) from exc
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=BudgetKindSerializer, responses={200: EpicSerializer})
    @action(detail=True, methods=["post"])
    def budget(self, request: Request, key: str | None = None) -> Response:
        """Sets the budget kind, and the hours of a fixed budget (400 when missing or negative)."""
        epic = self.get_object()
        _require_edit(request, epic)
        body = BudgetKindSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            svc.epic_budget_kind_set(epic=epic, **body.validated_data)
        except DjangoValidationError as exc:
            raise _django_to_drf(exc) from exc
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses=StatusChangeSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="status-changes", pagination_class=None)
    def status_changes(self, request: Request, key: str | None = None) -> Response:
        epic = self.get_object()
        changes = EpicStatusChange.objects.filter(epic=epic).select_related("epic")
        return Response(StatusChangeSerializer(changes, many=True).data)


class EpicPartPermission(permissions.BasePermission):
    """Read: members of the epic's cell. Write: its owner, reviewer, the cell's epic manager, staff."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return sel.can_edit_epic(request.user, obj.epic)


class MilestoneViewSet(viewsets.ModelViewSet[EpicMilestone]):
    """Timeline milestones. The epic's due date is the nearest open one not yet passed."""

    serializer_class = MilestoneSerializer
    permission_classes = [EpicPartPermission]
    filterset_fields = ["epic__key", "done"]

    def get_queryset(self) -> QuerySet[EpicMilestone]:
        qs = EpicMilestone.objects.select_related("epic__cell").order_by("deadline", "id")
        return _visible(self.request, qs, "epic__cell_id")

    def perform_create(self, serializer: BaseSerializer[EpicMilestone]) -> None:
        _require_edit(self.request, serializer.validated_data["epic"])
        serializer.save()

    def perform_update(self, serializer: BaseSerializer[EpicMilestone]) -> None:
        if "epic" in serializer.validated_data:
            _require_edit(self.request, serializer.validated_data["epic"])
        serializer.save()


class BudgetPeriodViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[EpicBudgetPeriod],
):
    """Monthly budget history: hours per month from a date until the next change."""

    serializer_class = BudgetPeriodSerializer
    permission_classes = [EpicPartPermission]
    filterset_fields = ["epic__key"]

    def get_queryset(self) -> QuerySet[EpicBudgetPeriod]:
        qs = EpicBudgetPeriod.objects.select_related("epic__cell").order_by("epic__key", "since")
        return _visible(self.request, qs, "epic__cell_id")

    def perform_create(self, serializer: BaseSerializer[EpicBudgetPeriod]) -> None:
        data = serializer.validated_data
        _require_edit(self.request, data["epic"])
        if data["epic"].budget_kind != BudgetKind.MONTHLY:
            raise ValidationError({"epic": "Only epics with a monthly budget have a monthly budget history."})
        serializer.instance = svc.epic_budget_set(
            epic=data["epic"],
            hours_per_month=data["hours_per_month"],
            since=data["since"],
            note=data.get("note", ""),
        )


class EpicUpdateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[EpicUpdate],
):
    """Epic updates. POST creates (or replaces, until posted) the epic's update
    for a sprint; ``POST .../post/`` queues it for JIRA."""

    serializer_class = EpicUpdateSerializer
    permission_classes = [EpicPartPermission]
    filterset_fields = ["epic__key", "sprint__number", "post_state"]

    def get_queryset(self) -> QuerySet[EpicUpdate]:
        qs = EpicUpdate.objects.select_related("epic__cell", "sprint", "author__user").order_by(
            "-sprint__number", "epic__key"
        )
        return _visible(self.request, qs, "epic__cell_id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        epic: Epic = data["epic"]
        _require_edit(request, epic)
        number = data.get("sprint", {}).get("number") or sel.current_sprint(timezone.localdate()).number
        try:
            # Validates the answers before writing anything (the sprint row included).
            update = svc.epic_update_save(
                epic=epic, sprint_number=number, author=member_of(request.user), answers=data["answers"]
            )
        except DjangoValidationError as exc:
            errors = exc.message_dict
            general = errors.pop("__all__", [])
            detail: dict[str, Any] = {"answers": errors} if errors else {}
            if general:
                detail["non_field_errors"] = general
            raise ValidationError(detail) from exc
        return Response(self.get_serializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: EpicUpdateSerializer})
    @action(detail=True, methods=["post"])
    def post(self, request: Request, pk: str | None = None) -> Response:
        """Queues the update for posting as a comment on its epic in JIRA (once)."""
        update = self.get_object()
        svc.epic_update_queue_post(update=update)
        update.refresh_from_db()
        return Response(self.get_serializer(update).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("budget_kind", enum=BudgetKind.values, required=True)],
        responses=QuestionSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def questions(self, request: Request) -> Response:
        """The questions of a budget kind's update form (keys for ``answers``)."""
        kind = request.query_params.get("budget_kind", "")
        if kind not in BudgetKind.values:
            raise ValidationError({"budget_kind": f"Choose one of: {', '.join(BudgetKind.values)}."})
        return Response(QuestionSerializer(questions_payload(kind), many=True).data)


router.register("epics", EpicViewSet, basename="epic")
router.register("epic-milestones", MilestoneViewSet, basename="epic-milestone")
router.register("epic-budget-periods", BudgetPeriodViewSet, basename="epic-budget-period")
router.register("epic-updates", EpicUpdateViewSet, basename="epic-update")
