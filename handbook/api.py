from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from handbook import selectors
from handbook.access import rules_scope
from handbook.serializers import RulesQuerySerializer, RuleStateSerializer


class HandbookRulesView(APIView):
    """Every rule of the handbook with what enforces it and its live state, as on /handbook/."""

    @extend_schema(parameters=[RulesQuerySerializer], responses=RuleStateSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = RulesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = rules_scope(request.user, query.validated_data.get("cell", ""))
        if scope.unknown:
            raise NotFound(f"There is no cell {scope.unknown!r}.")
        states = selectors.rule_states(cell=scope.cell, cell_ids=scope.cell_ids, as_of=scope.as_of).states
        kind = query.validated_data.get("kind")
        if kind:
            states = [s for s in states if s.rule.kind == kind]
        return Response(RuleStateSerializer(states, many=True).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("handbook/rules/", HandbookRulesView.as_view(), name="handbook-rules"),
]
