"""REST API of the estimation app: sessions (read), one's own votes (read, write) and results."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from estimation import selectors, services
from estimation.models import EstimationSession, Vote
from estimation.serializers import (
    ResultSerializer,
    SessionDetailSerializer,
    SessionSerializer,
    VoteInputSerializer,
    VoteSerializer,
)
from opencraft_ops.api_router import router


class EstimationSessionViewSet(viewsets.ReadOnlyModelViewSet[EstimationSession]):
    """Estimation sessions of the cells one may see. The detail lists the tickets with the
    vote counts; others' votes and the spread only once a ticket's votes are revealed."""

    serializer_class = SessionSerializer
    filterset_fields = ["state", "sprint__number", "cell__slug"]
    ordering_fields = ["closes_on"]

    def get_queryset(self) -> QuerySet[EstimationSession]:
        return selectors.visible_sessions(self.request.user).order_by("-sprint__number", "cell__name")

    def get_object(self) -> EstimationSession:
        pk = self.kwargs.get("pk", "")
        if not str(pk).isdigit():
            raise ValidationError({"id": "Give a session id."})
        return selectors.session_for(self.request.user, int(pk))

    @extend_schema(responses=SessionDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session = self.get_object()
        today = timezone.localdate()
        access = selectors.session_access(request.user, session, as_of=today)
        page = selectors.session_page(session=session, viewer=access.member, as_of=today)
        session.ticket_count = len(page.rows)  # type: ignore[attr-defined]
        session.vote_count = sum(row.voted for row in page.rows)  # type: ignore[attr-defined]
        return Response(SessionDetailSerializer(page).data)

    @extend_schema(methods=["GET"], responses=VoteSerializer(many=True))
    @extend_schema(methods=["POST"], request=VoteInputSerializer, responses=VoteSerializer)
    @action(detail=True, methods=["get", "post"])
    def votes(self, request: Request, pk: str | None = None) -> Response:
        """One's own votes in the session; POST gives (or changes) the vote on one ticket."""
        session = self.get_object()
        access = selectors.session_access(request.user, session, as_of=timezone.localdate())
        if request.method == "GET":
            mine = (
                Vote.objects.none()
                if access.member is None
                else Vote.objects.filter(item__session=session, member=access.member).select_related(
                    "item__ticket"
                )
            )
            return Response(VoteSerializer(mine, many=True).data)
        if not access.can_vote or access.member is None:
            raise PermissionDenied("Only the cell's members estimate its tickets.")
        data = VoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = (
            session.items.select_related("session", "ticket")
            .filter(ticket__key=data.validated_data["ticket"])
            .first()
        )
        if item is None:
            raise ValidationError({"ticket": "That ticket is not in this session."})
        try:
            vote = services.vote_cast(
                item=item,
                member=access.member,
                value=data.validated_data["value"],
                comment=data.validated_data["comment"],
            )
        except services.Refused as exc:
            raise ValidationError({"detail": exc.messages}) from None
        return Response(VoteSerializer(vote).data)

    @extend_schema(responses=ResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Per ticket: the keeper's decision and, once closed, the points, why, whether they
        reached JIRA and the votes as they were at closing."""
        session = self.get_object()
        return Response(ResultSerializer(selectors.results(session), many=True).data)


router.register("estimation/sessions", EstimationSessionViewSet, basename="estimation-session")

urlpatterns: list[Any] = []
