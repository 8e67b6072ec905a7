"""The sprint manager's wrap-up: spillovers and their explanations, delivered tickets to close."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    QuerySet,
)
from django.shortcuts import get_object_or_404

from opencraft_ops import calendar
from roles.models import Cell
from sprints.models import Spillover, Ticket, TicketStatus
from sprints.selectors.capacity import SprintMember, cell_members


@dataclass(frozen=True)
class WrapUp:
    spillovers: list[Spillover]
    unexplained: int
    clean_members: list[SprintMember]  # members of the cell with no spillover this sprint
    # Tickets waiting in Deployed & Delivered, for the sprint manager to move to Done once they
    # meet the definition of done (in the sprint, or the next one JIRA carried them into).
    delivered: list[Ticket]


def spillovers_for(
    *, cell_ids: Sequence[int] | None, sprint_number: int | None = None
) -> QuerySet[Spillover]:
    qs = Spillover.objects.select_related("ticket", "assignee__user", "sprint", "explained_by", "cell")
    if cell_ids is not None:
        qs = qs.filter(cell_id__in=cell_ids)
    if sprint_number is not None:
        qs = qs.filter(sprint__number=sprint_number)
    return qs.order_by("-sprint__number", "ticket__key")


def wrap_up(*, cell: Cell, sprint_number: int) -> WrapUp:
    """The sprint manager's wrap-up: spillovers with explanations, clean members and delivered
    tickets to move to Done (3 queries)."""
    dates = calendar.sprint_dates(sprint_number)
    spillovers = list(spillovers_for(cell_ids=[cell.pk], sprint_number=sprint_number))
    spilled = {s.assignee_id for s in spillovers}
    members = [m for m in cell_members(cell=cell, dates=dates) if m.pk not in spilled]
    delivered = list(
        Ticket.objects.filter(
            cell=cell,
            status=TicketStatus.DELIVERED,
            sprint__number__in=[sprint_number, sprint_number + 1],
        )
        .select_related("assignee__user", "sprint")
        .order_by("key")
    )
    return WrapUp(
        spillovers=spillovers,
        unexplained=sum(1 for s in spillovers if not s.is_explained),
        clean_members=members,
        delivered=delivered,
    )


def spillover_for_explanation(pk: int) -> Spillover:
    return get_object_or_404(
        Spillover.objects.select_related("ticket", "assignee__user", "sprint", "cell"), pk=pk
    )
