"""Writes of the sprints app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roles.models import Cell
from sprints import calendar, selectors
from sprints.models import Spillover, Sprint, Ticket


@transaction.atomic
def sprint_ensure(*, number: int) -> Sprint:
    """The Sprint row for ``number``, created from the calendar when missing."""
    dates = calendar.sprint_dates(number)
    sprint, _ = Sprint.objects.get_or_create(
        number=number, defaults={"start": dates.start, "end": dates.end, "name": f"Sprint {number}"}
    )
    return sprint


@transaction.atomic
def ticket_accept_injection(*, ticket: Ticket) -> Ticket:
    """Accepts a ticket injected after the cutoff day into its sprint."""
    if not selectors.ticket_is_injection(ticket):
        raise ValidationError(f"{ticket.key} was not added after its sprint's cutoff day.")
    if not ticket.injection_accepted:
        ticket.injection_accepted = True
        ticket.save(update_fields=["injection_accepted", "updated_at"])
    return ticket


@transaction.atomic
def spillover_explain(*, spillover: Spillover, explanation: str, by_user_id: int | None) -> Spillover:
    text = explanation.strip()
    if not text:
        raise ValidationError({"explanation": "Say why the ticket spilled over."})
    spillover.explanation = text
    spillover.explained_by_id = by_user_id
    spillover.explained_at = timezone.now()
    spillover.save(update_fields=["explanation", "explained_by", "explained_at"])
    return spillover


@transaction.atomic
def spillovers_record(*, cell: Cell, sprint: Sprint) -> list[Spillover]:
    """One Spillover per unfinished ticket of the cell's sprint. Idempotent: tickets
    already recorded keep their record (and explanation)."""
    tickets = selectors.unfinished_tickets(cell=cell, sprint_number=sprint.number)
    existing = set(
        Spillover.objects.filter(sprint=sprint, ticket__in=tickets).values_list("ticket_id", flat=True)
    )
    Spillover.objects.bulk_create(
        [
            Spillover(
                sprint=sprint,
                ticket=t,
                cell=cell,
                assignee_id=t.assignee_id,
                status=t.status,
                story_points=t.story_points,
            )
            for t in tickets
            if t.pk not in existing
        ],
        ignore_conflicts=True,
    )
    return list(Spillover.objects.filter(sprint=sprint, cell=cell).select_related("ticket"))
