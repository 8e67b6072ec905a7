"""REST API of the roles app: viewsets registered on the shared router, extra paths below.

Reads: every member reads cells, roles, members and assignments; time off,
commitments and type history only of the cells they may see (their own; every
cell for staff and company-wide role holders). Writes: staff, plus the owning
role holders for a cell's members' records (the epic planning and
sustainability manager for commitments and time off, the sprint manager for
time off) and members for their own time off. Writes go through
``roles.services``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from findings import selectors as findings_selectors
from findings import services as findings_services
from findings.models import Finding
from opencraft_ops.api_router import router
from opencraft_ops.process_checks import Severity
from roles import findings_views, rotation_holders, services
from roles.filters import (
    CellFilter,
    MemberFilter,
    MemberTypePeriodFilter,
    RoleAssignmentFilter,
    RoleFilter,
    TimeOffFilter,
    WeeklyCommitmentFilter,
)
from roles.models import Cell, Member, MemberTypePeriod, Role, RoleAssignment, TimeOff, WeeklyCommitment
from roles.permissions import (
    COMMITMENT_OWNERS,
    TIME_OFF_OWNERS,
    IsStaffOrReadOnly,
    can_edit_member_record,
    member_of,
    sees_every_cell,
    visible_member_filter,
)
from roles.serializers import (
    AcknowledgeSerializer,
    CellSerializer,
    FindingQuerySerializer,
    FindingSerializer,
    HandoverSerializer,
    MemberCreateSerializer,
    MemberSerializer,
    MemberTypePeriodSerializer,
    RecheckSerializer,
    RoleAssignmentSerializer,
    RoleSerializer,
    RotationHoldersQuerySerializer,
    SnoozeSerializer,
    TimeOffSerializer,
    WeeklyCommitmentSerializer,
)


class CellViewSet(viewsets.ModelViewSet):
    """Cells. Members read; staff write."""

    queryset = Cell.objects.order_by("name")
    serializer_class = CellSerializer
    permission_classes = [IsStaffOrReadOnly]
    filterset_class = CellFilter
    search_fields = ["name", "slug"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class RoleViewSet(viewsets.ModelViewSet):
    """The role catalog. Members read; staff edit."""

    queryset = Role.objects.order_by("sort_order", "name")
    serializer_class = RoleSerializer
    permission_classes = [IsStaffOrReadOnly]
    filterset_class = RoleFilter
    search_fields = ["name", "slug", "purpose"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Members with their type and weekly commitment in force today. Members
    read; staff create and update (members leave with ``left_on``, never by
    deletion)."""

    serializer_class = MemberSerializer
    permission_classes = [IsStaffOrReadOnly]
    filterset_class = MemberFilter
    search_fields = ["user__username", "user__first_name", "user__last_name", "jira_account_id"]
    ordering_fields = ["joined_on", "user__username"]

    def get_queryset(self) -> QuerySet[Member]:
        return Member.objects.select_related("user", "cell").with_type().with_commitment().order_by("pk")

    def get_serializer_class(self) -> type[BaseSerializer]:
        return MemberCreateSerializer if self.action == "create" else MemberSerializer

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MemberCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.member_create(**serializer.validated_data)
        member = self.get_queryset().get(pk=member.pk)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: BaseSerializer) -> None:
        assert isinstance(serializer.instance, Member)
        serializer.instance = services.member_update(member=serializer.instance, **serializer.validated_data)


class RoleAssignmentViewSet(viewsets.ModelViewSet):
    """Who holds which role, where, since when, with backup and handover.
    Members read; staff write."""

    serializer_class = RoleAssignmentSerializer
    permission_classes = [IsStaffOrReadOnly]
    filterset_class = RoleAssignmentFilter
    ordering_fields = ["since", "until"]

    def get_queryset(self) -> QuerySet[RoleAssignment]:
        # Rows of rotation roles are not holders (the rotation schedule is): see /api/rotation-holders/.
        return (
            RoleAssignment.objects.holdings()
            .select_related("role", "member__user")
            .order_by("role__sort_order", "pk")
        )

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("handed_over_to", None)
        data.pop("transition_until", None)
        serializer.instance = services.role_assign(**data)
        extra = {
            k: serializer.validated_data[k]
            for k in ("handed_over_to", "transition_until")
            if k in serializer.validated_data
        }
        if extra:
            serializer.instance = services.role_assignment_update(assignment=serializer.instance, **extra)

    @extend_schema(request=HandoverSerializer, responses={201: RoleAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def handover(self, request: Request, pk: str | None = None) -> Response:
        """Hands this assignment over: it ends the day before ``starts_on``, the
        outgoing holder helps until ``transition_until``, and the successor's
        assignment (returned) starts on ``starts_on``."""
        assignment = self.get_object()
        serializer = HandoverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        successor = services.role_assignment_handover(assignment=assignment, **serializer.validated_data)
        return Response(RoleAssignmentSerializer(successor).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: BaseSerializer) -> None:
        assert isinstance(serializer.instance, RoleAssignment)
        serializer.instance = services.role_assignment_update(
            assignment=serializer.instance, **serializer.validated_data
        )


class RotationHoldersView(APIView):
    """Who is on which rotation (firefighter 1 and 2, backup firefighter, discovery duty, ops
    reviewer, pager) on each day of ``start..end``, per cell: the rotation schedule's answer,
    the same the directory, the sprint board, the home page and the rotation pages give.
    One query for the slots (``roles.rotation_holders``), one for the cell filter's check."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="rotation_holders",
        parameters=[
            OpenApiParameter("start", str, required=True, description="First day (YYYY-MM-DD)."),
            OpenApiParameter(
                "end", str, required=True, description="Last day (YYYY-MM-DD), at most 92 days on."
            ),
            OpenApiParameter("cell", int, description="Only this cell."),
        ],
        responses=inline_serializer(
            "RotationHolders",
            fields={
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "days": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        query = RotationHoldersQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cell_ids: list[int] | None = None
        if "cell" in params:
            if not Cell.objects.filter(pk=params["cell"]).exists():
                raise ValidationError({"cell": f"No cell has id {params['cell']}."})
            cell_ids = [params["cell"]]
        start, end = params["start"], params["end"]
        days: dict[tuple[date, int | None], list[dict[str, Any]]] = defaultdict(list)
        for hold in rotation_holders.holds(start=start, end=end, cell_ids=cell_ids):
            for day in hold.days(start, end):
                days[(day, hold.cell_id)].append(
                    {
                        "role": hold.role_slug,
                        "label": hold.label,
                        "member": hold.member_id,
                        "name": hold.member_name,
                        "start": hold.start,
                        "end": hold.end,
                    }
                )
        return Response(
            {
                "start": start,
                "end": end,
                "days": [
                    {"date": day, "cell": cell_id, "holders": holders}
                    for (day, cell_id), holders in sorted(
                        days.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)
                    )
                ],
            }
        )


class MemberRecordPermission(permissions.BasePermission):
    """Reads are scoped by the queryset; writes need staff, the owning role in
    the member's cell or, where the view allows it, the member themselves."""

    message = "Only staff, the member's cell role holders or the member can change this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return _may_edit(request, view, obj.member)


def _may_edit(request: Request, view: Any, member: Member) -> bool:
    return can_edit_member_record(request.user, member, view.owner_roles, allow_self=view.allow_self)


class MemberRecordViewSet(viewsets.ModelViewSet):
    """Base for a member's dated records (time off, commitments, type periods)."""

    permission_classes = [MemberRecordPermission]
    owner_roles: ClassVar[set[str]] = set()
    allow_self: ClassVar[bool] = False
    model: ClassVar[type[TimeOff] | type[WeeklyCommitment] | type[MemberTypePeriod]]

    def get_queryset(self) -> QuerySet[Any]:
        qs = self.model.objects.select_related("member__user").order_by("member_id", "-pk")
        return qs.filter(visible_member_filter(self.request.user, prefix="member__"))

    def _check_member(self, serializer: BaseSerializer) -> None:
        member = serializer.validated_data.get("member")
        if member is not None and not _may_edit(self.request, self, member):
            raise PermissionDenied(MemberRecordPermission.message)

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._check_member(serializer)
        serializer.instance = self.create_record(dict(serializer.validated_data))

    def perform_update(self, serializer: BaseSerializer) -> None:
        self._check_member(serializer)
        assert isinstance(serializer.instance, TimeOff | WeeklyCommitment | MemberTypePeriod)
        serializer.instance = services.member_record_update(
            record=serializer.instance, **serializer.validated_data
        )

    def create_record(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError


class TimeOffViewSet(MemberRecordViewSet):
    """Time off. Members record their own; the cell's sprint manager and epic
    planning and sustainability manager record their cell's; staff anyone's."""

    model = TimeOff
    serializer_class = TimeOffSerializer
    filterset_class = TimeOffFilter
    owner_roles = TIME_OFF_OWNERS
    allow_self = True
    ordering_fields = ["start", "end"]

    def create_record(self, data: dict[str, Any]) -> TimeOff:
        return services.time_off_record(**data)


class WeeklyCommitmentViewSet(MemberRecordViewSet):
    """Weekly commitments with history. The cell's epic planning and
    sustainability manager and staff write."""

    model = WeeklyCommitment
    serializer_class = WeeklyCommitmentSerializer
    filterset_class = WeeklyCommitmentFilter
    owner_roles = COMMITMENT_OWNERS
    ordering_fields = ["since"]

    def create_record(self, data: dict[str, Any]) -> WeeklyCommitment:
        return services.commitment_change(**data)


class MemberTypePeriodViewSet(MemberRecordViewSet):
    """Member type history (short-term, newcomer, core). Staff and the cell's
    epic planning and sustainability manager write."""

    model = MemberTypePeriod
    serializer_class = MemberTypePeriodSerializer
    filterset_class = MemberTypePeriodFilter
    owner_roles = COMMITMENT_OWNERS
    ordering_fields = ["since"]

    def create_record(self, data: dict[str, Any]) -> MemberTypePeriod:
        return services.member_type_change(**data)


class FindingsPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class FindingListView(APIView):
    """Process-check findings today, most severe first, limited to the cells the
    caller may see."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="findings_list",
        parameters=[
            OpenApiParameter("cell", int, description="Only this cell's findings."),
            OpenApiParameter("member", int, description="Only findings addressed to this member."),
            OpenApiParameter("rule", str, description="Only this rule (its slug)."),
            OpenApiParameter(
                "severity", str, enum=[s.label for s in Severity], description="Only this severity."
            ),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=inline_serializer(
            "PaginatedFindingList",
            fields={
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": FindingSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        query = FindingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cell_ids: frozenset[int] | None = None
        if not sees_every_cell(request.user):
            me = member_of(request.user)
            cell_ids = frozenset({me.cell_id}) if me is not None and me.cell_id else frozenset()
        if "cell" in params:
            wanted = frozenset({params["cell"]})
            cell_ids = wanted if cell_ids is None else cell_ids & wanted
        # Stored findings (see findings.selectors): no process check runs here.
        findings_selectors.ensure_fresh()
        if "cell" in params:
            wanted = frozenset({params["cell"]})
            qs = findings_selectors.open_findings(
                cell_ids=wanted if cell_ids is None else cell_ids & wanted, with_company=False
            )
        else:
            qs = findings_selectors.open_findings(cell_ids=cell_ids)
        if "member" in params:
            qs = qs.filter(member_id=params["member"])
        if "rule" in params:
            qs = qs.filter(rule=params["rule"])
        if "severity" in params:
            qs = qs.filter(severity=Severity[params["severity"].upper()].value)
        paginator = FindingsPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        response = paginator.get_paginated_response(FindingSerializer(page, many=True).data)
        fresh = findings_selectors.freshness(cell_ids=cell_ids)
        response.data["checked_at"] = fresh.checked_at.isoformat() if fresh.checked_at else None
        response.data["checked"] = fresh.label
        return response


def _api_finding(request: Request, pk: int) -> Finding:
    finding = Finding.objects.filter(pk=pk).first()
    if finding is None:
        raise NotFound("No such finding.")
    try:
        findings_views.require_finding_view(request.user, finding)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return finding


def _require_act(request: Request, finding: Finding) -> Member | None:
    if not findings_views.can_act_on(request.user, finding):
        raise PermissionDenied("Only the finding's addressee (or staff) can acknowledge or snooze it.")
    return member_of(request.user)


class FindingDetailView(APIView):
    """One stored finding (an episode), acknowledged and snoozed state included."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=FindingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(FindingSerializer(_api_finding(request, pk)).data)


class FindingAcknowledgeView(APIView):
    """Acknowledges a finding ("seen, I'm on it"), with an optional note; its addressee or staff."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=AcknowledgeSerializer, responses=FindingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        finding = _api_finding(request, pk)
        member = _require_act(request, finding)
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            done = findings_services.finding_acknowledge(
                finding=finding,
                member_id=member.pk if member else None,
                by_name=findings_views.actor_name(request.user, member),
                note=body.validated_data["note"],
            )
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(FindingSerializer(done).data)


class FindingSnoozeView(APIView):
    """Snoozes a finding for ``days`` or ``until`` a moment; its addressee or staff."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=SnoozeSerializer, responses=FindingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        finding = _api_finding(request, pk)
        member = _require_act(request, finding)
        body = SnoozeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        now = timezone.now()
        until = body.validated_data.get("until") or now + timedelta(days=body.validated_data["days"])
        try:
            done = findings_services.finding_snooze(
                finding=finding,
                member_id=member.pk if member else None,
                by_name=findings_views.actor_name(request.user, member),
                until=until,
                at=now,
            )
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(FindingSerializer(done).data)


class FindingsRecheckView(APIView):
    """Re-checks a cell's findings now (``cell``), or the caller's cell; role holders and staff.
    Answers 202: with a worker the evaluation runs in the background."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RecheckSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        body = RecheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cell: Cell | None
        if "cell" in body.validated_data:
            cell = Cell.objects.filter(pk=body.validated_data["cell"]).first()
            if cell is None:
                raise ValidationError({"cell": ["No such cell."]})
        else:
            me = member_of(request.user)
            cell = me.cell if me is not None else None
        if not findings_views.can_recheck(request.user, cell):
            raise PermissionDenied("Only role holders (or staff) can ask for a re-check.")
        findings_views.recheck_now(cell)
        return Response(
            {"scopes": findings_views.recheck_scopes(cell) or "all"}, status=status.HTTP_202_ACCEPTED
        )


router.register("members", MemberViewSet, basename="member")
router.register("cells", CellViewSet, basename="cell")
router.register("roles", RoleViewSet, basename="role")
router.register("assignments", RoleAssignmentViewSet, basename="assignment")
router.register("time-off", TimeOffViewSet, basename="time-off")
router.register("commitments", WeeklyCommitmentViewSet, basename="commitment")
router.register("member-type-periods", MemberTypePeriodViewSet, basename="member-type-period")

urlpatterns: list[URLPattern | URLResolver] = [
    path("findings/", FindingListView.as_view(), name="findings"),
    path("rotation-holders/", RotationHoldersView.as_view(), name="rotation-holders"),
    path("findings/recheck/", FindingsRecheckView.as_view(), name="findings-recheck"),
    path("findings/<int:pk>/", FindingDetailView.as_view(), name="finding"),
    path("findings/<int:pk>/acknowledge/", FindingAcknowledgeView.as_view(), name="finding-acknowledge"),
    path("findings/<int:pk>/snooze/", FindingSnoozeView.as_view(), name="finding-snooze"),
]
