from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from handbook import selectors
from handbook.access import rules_scope


@login_required
@require_GET
def rules_page(request: HttpRequest) -> HttpResponse:
    """Every rule of the handbook by section, with what enforces it and its live state.
    ``?cell=<slug>``; defaults to your cell (every cell for those who see them all)."""
    scope = rules_scope(request.user, request.GET.get("cell", ""))
    if scope.unknown:
        return render(request, "handbook/rules.html", {"scope": scope}, status=404)
    view = selectors.rule_states(cell=scope.cell, cell_ids=scope.cell_ids, as_of=scope.as_of)
    states = view.states
    sections = selectors.by_section(states)
    return render(
        request,
        "handbook/rules.html",
        {
            "scope": scope,
            "sections": sections,
            "findings_freshness": view.freshness,
            "total": len(states),
            "enforced": sum(1 for s in states if s.rule.enforced),
            "firing": sum(1 for s in states if s.open_findings),
        },
    )
