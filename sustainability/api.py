"""REST API of the sustainability app: accounts, budgets, targets, worklogs
(read) and the computed figures (ratio dashboard, quarterly table, preview).

Reads: accounts, budgets and targets for every member; worklogs and figures of
the cells the user may see (company-wide figures: staff, company-wide role
holders and sustainability managers). Writes: staff, and a cell's epic
planning and sustainability manager for its budgets and targets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from opencraft_ops.api_router import router
from roles.models import Cell
from roles.permissions import IsStaffOrReadOnly, member_of, sees_every_cell
from sustainability import access, serializers, services
from sustainability.dashboard import build_dashboard, build_preview, build_quarterly
from sustainability.forms import PeriodForm
from sustainability.models import Account, AccountBudget, SustainabilityTarget, Worklog


def _through_service(write: Callable[[], Any]) -> Any:
    """Runs a service write; its model validation refusals become a 400 with the
    field messages (``non_field_errors`` for a rule over several fields)."""
    try:
        return write()
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError(
                {
                    ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                    for field, messages in exc.message_dict.items()
                }
            ) from exc
        raise ValidationError({"non_field_errors": exc.messages}) from exc


class AccountViewSet(viewsets.ModelViewSet):
    """Tempo accounts with their category, billable flag and cell. Members read; staff write."""

    queryset = Account.objects.select_related("cell").order_by("key")
    serializer_class = serializers.AccountSerializer
    permission_classes = [IsStaffOrReadOnly]
    filterset_fields = ["category", "billable", "status", "cell__slug"]
    search_fields = ["key", "name", "customer"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = _through_service(lambda: services.account_create(**data))

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        account: Account = serializer.instance  # type: ignore[assignment]  # an update has its instance
        serializer.instance = _through_service(lambda: services.account_update(account=account, changes=data))


class CellManagerOrReadOnly(permissions.BasePermission):
    """Reads for members; writes for staff or the cell's sustainability manager
    (checked on the object and on the cell a new row names)."""

    message = "Only staff or the cell's epic planning and sustainability manager can change this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or _may_manage(request, view.cell_of(obj))  # type: ignore[attr-defined]


def _may_manage(request: Request, cell: Cell | None) -> bool:
    if request.user.is_staff:
        return True
    return cell is not None and access.can_manage_sustainability(request.user, cell)


class ManagedViewSet(viewsets.ModelViewSet):
    """Rows owned by a cell, written through the app's services."""

    permission_classes = [CellManagerOrReadOnly]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def cell_of(self, obj: Any) -> Cell | None:
        raise NotImplementedError

    def cell_of_data(self, data: dict[str, Any]) -> Cell | None:
        raise NotImplementedError

    def create_row(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_row(self, instance: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def delete_row(self, instance: Any) -> None:
        raise NotImplementedError

    def _check(self, serializer: BaseSerializer) -> None:
        """The cell the row will belong to must be one the user manages."""
        data = dict(serializer.validated_data)
        if serializer.instance is not None and not data.keys() & {"account", "cell"}:
            cell = self.cell_of(serializer.instance)
        else:
            cell = self.cell_of_data(data)
        if not _may_manage(self.request, cell):
            raise PermissionDenied(CellManagerOrReadOnly.message)

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._check(serializer)
        data = dict(serializer.validated_data)
        serializer.instance = _through_service(lambda: self.create_row(data))

    def perform_update(self, serializer: BaseSerializer) -> None:
        self._check(serializer)
        data = dict(serializer.validated_data)
        instance = serializer.instance
        serializer.instance = _through_service(lambda: self.update_row(instance, data))

    def perform_destroy(self, instance: Any) -> None:
        self.delete_row(instance)


class AccountBudgetViewSet(ManagedViewSet):
    """Budgets per account from a date on (monthly or yearly, pro-rated by days), with history."""

    queryset = AccountBudget.objects.select_related("account__cell").order_by("account__key", "since")
    serializer_class = serializers.AccountBudgetSerializer
    filterset_fields = ["kind", "account__key", "account__cell__slug"]

    def cell_of(self, obj: Any) -> Cell | None:
        return obj.account.cell

    def cell_of_data(self, data: dict[str, Any]) -> Cell | None:
        account = data.get("account")
        return account.cell if account is not None else None

    def create_row(self, data: dict[str, Any]) -> AccountBudget:
        return services.budget_create(**data)

    def update_row(self, instance: Any, data: dict[str, Any]) -> AccountBudget:
        return services.budget_update(budget=instance, changes=data)

    def delete_row(self, instance: Any) -> None:
        services.budget_delete(budget=instance)


class SustainabilityTargetViewSet(ManagedViewSet):
    """Cell targets (maximum non-billable share) and the company limit (no cell), with history."""

    queryset = SustainabilityTarget.objects.select_related("cell").order_by("cell__name", "since")
    serializer_class = serializers.SustainabilityTargetSerializer
    filterset_fields = ["cell__slug"]

    def cell_of(self, obj: Any) -> Cell | None:
        return obj.cell

    def cell_of_data(self, data: dict[str, Any]) -> Cell | None:
        return data.get("cell")

    def create_row(self, data: dict[str, Any]) -> SustainabilityTarget:
        return services.target_create(**data)

    def update_row(self, instance: Any, data: dict[str, Any]) -> SustainabilityTarget:
        return services.target_update(target=instance, changes=data)

    def delete_row(self, instance: Any) -> None:
        services.target_delete(target=instance)


class WorklogViewSet(viewsets.ReadOnlyModelViewSet):
    """Worklogs (read only; they come from Tempo or the CSV import). Members see
    worklogs on their cell's accounts and those logged by their cell's members."""

    serializer_class = serializers.WorklogSerializer
    filterset_fields = {
        "work_date": ["exact", "gte", "lte"],
        "account__key": ["exact"],
        "member__user__username": ["exact"],
        "ticket__key": ["exact"],
    }
    ordering_fields = ["work_date", "updated_at"]

    def get_queryset(self) -> QuerySet[Worklog]:
        qs = Worklog.objects.select_related("member__user", "ticket", "account").order_by("-work_date", "-id")
        user = self.request.user
        if sees_every_cell(user):
            return qs
        member = member_of(user)
        if member is None or member.cell_id is None:
            return qs.none()
        return qs.filter(Q(account__cell_id=member.cell_id) | Q(member__cell_id=member.cell_id))


def _scope(request: Request, slug: str) -> Cell | None:
    if slug == "company":
        if not access.can_view_company(request.user):
            raise PermissionDenied("Only staff and sustainability managers see the company-wide figures.")
        return None
    cell = Cell.objects.filter(slug=slug).first()
    if cell is None:
        raise NotFound(f"No cell {slug!r}.")
    if not access.can_view_cell(request.user, cell):
        raise PermissionDenied("You can only see your own cell.")
    return cell


class FiguresView(APIView):
    """The dashboard's figures for a cell or the company over a period: ratio,
    target, remaining non-billable hours, monthly series and accounts with budget health."""

    @extend_schema(parameters=[serializers.FiguresQuerySerializer], responses=serializers.DashboardSerializer)
    def get(self, request: Request) -> Response:
        query = serializers.FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cell = _scope(request, query.validated_data["cell"])
        form = PeriodForm(
            {k: v for k, v in request.query_params.items() if k in PeriodForm.base_fields and k != "non_cell"}
        )
        if not form.is_valid():
            raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        data = build_dashboard(
            cell=cell,
            choice=form.choice(),
            as_of=timezone.localdate(),
            include_non_cell=query.validated_data["non_cell"],
        )
        return Response(serializers.DashboardSerializer(data).data)


class QuarterlyView(APIView):
    """The quarterly table: entire reference period, year to date, the quarter
    alone and the previous quarter, with the top accounts."""

    @extend_schema(
        parameters=[serializers.QuarterlyQuerySerializer], responses=serializers.QuarterlySerializer
    )
    def get(self, request: Request) -> Response:
        query = serializers.QuarterlyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cell = _scope(request, query.validated_data["cell"])
        table = build_quarterly(
            cell=cell,
            year=query.validated_data["year"],
            quarter=query.validated_data["quarter"],
            include_non_cell=query.validated_data["non_cell"],
        )
        return Response(serializers.QuarterlySerializer(table).data)


class PreviewView(APIView):
    """The sprint preview of a cell: remaining estimates of this and next sprint's tickets."""

    @extend_schema(parameters=[serializers.ScopeQuerySerializer], responses=serializers.PreviewSerializer)
    def get(self, request: Request) -> Response:
        query = serializers.ScopeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cell = _scope(request, query.validated_data["cell"])
        if cell is None:
            raise ValidationError({"cell": "The preview is per cell."})
        return Response(
            serializers.PreviewSerializer(build_preview(cell=cell, as_of=timezone.localdate())).data
        )


router.register("sustainability/accounts", AccountViewSet, basename="sustainability-account")
router.register("sustainability/budgets", AccountBudgetViewSet, basename="sustainability-budget")
router.register("sustainability/targets", SustainabilityTargetViewSet, basename="sustainability-target")
router.register("sustainability/worklogs", WorklogViewSet, basename="sustainability-worklog")

urlpatterns: list[URLPattern | URLResolver] = [
    path("sustainability/figures/", FiguresView.as_view(), name="sustainability-figures"),
    path("sustainability/quarterly/", QuarterlyView.as_view(), name="sustainability-quarterly"),
    path("sustainability/preview/", PreviewView.as_view(), name="sustainability-preview"),
]
