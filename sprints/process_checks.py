"""Process checks of the sprint side. Each rule runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum
from django.urls import reverse

from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, Finding, Severity, register
from roles.models import Member, MemberType, MemberTypePeriod
from sprints import selectors
from sprints.calculations.capacity import NOT_COMMITTED_STATUSES, capacity_row
from sprints.calculations.newcomers import point_limit
from sprints.models import Spillover, Ticket


def _cells(context: CheckContext) -> list[int] | None:
    return None if context.cell_ids is None else sorted(context.cell_ids)


def newcomers_in(context: CheckContext) -> dict[int, Member]:
    """Newcomers of the context's cells on ``as_of``, with ``newcomer_since``: the start of
    their newcomer period, where their guard rails count from, as on their newcomer page
    (one query)."""
    since = (
        MemberTypePeriod.objects.filter(member=OuterRef("pk"), since__lte=context.as_of)
        .order_by("-since")
        .values("since")[:1]
    )
    qs = (
        Member.objects.filter(cell__isnull=False)
        .with_type(as_of=context.as_of)
        .filter(current_type=MemberType.NEWCOMER)  # type: ignore[misc]
        .annotate(newcomer_since=Subquery(since))
        .select_related("user")
    )
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    return {m.pk: m for m in qs}


def _board_url(cell_slug: str | None, number: int) -> str:
    if not cell_slug:
        return reverse("sprints:my_board")
    return f"{reverse('sprints:board', args=[cell_slug])}?sprint={number}"


@register(
    "sprint-ticket-not-green",
    title="A ticket of the next sprint is not green",
    description="Tickets planned for the next sprint need an estimate, an assignee and a reviewer.",
)
def ticket_not_green(context: CheckContext) -> Iterator[Finding]:
    # Queries: the next sprint's non-green tickets with their epic owner and cell (1).
    number = calendar.sprint_on(context.as_of).number + 1
    for t in selectors.not_green_tickets(cell_ids=_cells(context), sprint_number=number):
        missing = [
            name
            for name, absent in (
                ("estimate", t.story_points is None),
                ("assignee", t.assignee_id is None),
                ("reviewer", t.reviewer_id is None),
            )
            if absent
        ]
        owner = t.epic_owner_id
        yield Finding(
            rule="sprint-ticket-not-green",
            severity=Severity.WARNING,
            message=f"{t.key} (sprint {number}) has no {', '.join(missing)}.",
            subject=f"ticket:{t.key}",
            url=_board_url(None, number),
            cell_id=t.cell_id,
            member_id=owner or t.assignee_id,
            role_slug=None if owner or t.assignee_id else "sprint-planning-manager",
        )


@register(
    "sprint-member-over-committed",
    title="A member is over-committed",
    description="Committed hours (tickets, reviews, meetings, epics, recurring work) exceed capacity.",
)
def member_over_committed(context: CheckContext) -> Iterator[Finding]:
    # Queries per sprint (current and next): members, then 7 capacity inputs (16 in all).
    current = calendar.sprint_on(context.as_of).number
    for number in (current, current + 1):
        dates = calendar.sprint_dates(number)
        members = selectors.cell_members(cell=None, cell_ids=_cells(context), dates=dates)
        cells = {m.pk: m.cell_id for m in members}
        for data in selectors.capacity_inputs(members=members, dates=dates):
            row = capacity_row(dates, data)
            if row.over_committed:
                yield Finding(
                    rule="sprint-member-over-committed",
                    severity=Severity.WARNING,
                    message=f"{row.name} is committed to {row.committed} h for {row.capacity} h of "
                    f"capacity in sprint {number}.",
                    subject=f"member:{row.member_id}:sprint:{number}",
                    url=_board_url(None, number),
                    cell_id=cells[row.member_id],
                    member_id=row.member_id,
                )


@register(
    "sprint-ticket-unestimated",
    title="A sprint ticket has no estimate",
    description="Tickets of the current or next sprint without story points or a time estimate.",
)
def ticket_unestimated(context: CheckContext) -> Iterator[Finding]:
    # Queries: one per sprint (current and next). A next-sprint ticket without story points is
    # already reported as not green; here it only shows when it has points but no hours.
    current = calendar.sprint_on(context.as_of).number
    for number in (current, current + 1):
        for t in selectors.unestimated_tickets(cell_ids=_cells(context), sprint_number=number):
            if number != current and t.story_points is None:
                continue
            missing = "story points" if t.story_points is None else "time estimate"
            yield Finding(
                rule="sprint-ticket-unestimated",
                severity=Severity.WARNING,
                message=f"{t.key} in sprint {number} has no {missing}.",
                subject=f"ticket:{t.key}:estimate",
                url=_board_url(None, number),
                cell_id=t.cell_id,
                member_id=t.assignee_id,
            )


@register(
    "sprint-newcomer-over-limit",
    title="A newcomer is over their first-sprint point limit",
    description="At most 3 story points the first week and 5 the second (8 in the first sprint).",
)
def newcomer_over_limit(context: CheckContext) -> Iterator[Finding]:
    # Queries: newcomers (1), their committed points per sprint (1). Stretch Goals are not
    # committed, as on the board.
    current = calendar.sprint_on(context.as_of).number
    newcomers = newcomers_in(context)
    points = (
        Ticket.objects.filter(assignee_id__in=list(newcomers), sprint__number__in=[current, current + 1])
        .exclude(status__in=NOT_COMMITTED_STATUSES)
        .values_list("assignee_id", "sprint__number")
        .annotate(total=Sum("story_points"))
    )
    for member_id, number, total in points:
        member = newcomers[member_id]
        start = member.newcomer_since or member.joined_on  # type: ignore[attr-defined]
        limit = point_limit(start, calendar.sprint_dates(number))
        if limit is not None and (total or Decimal(0)) > limit:
            yield Finding(
                rule="sprint-newcomer-over-limit",
                severity=Severity.CRITICAL,
                message=f"{member.name} has {total} story points in sprint {number}; "
                f"the newcomer limit is {limit}.",
                subject=f"member:{member_id}:sprint:{number}:points",
                url=reverse("sprints:newcomer", args=[member_id]),
                cell_id=member.cell_id,
                member_id=member_id,
                role_slug="mentor",
            )


@register(
    "sprint-spillover-unexplained",
    title="A spillover has no explanation",
    description="Every spillover needs an explanation from its assignee before the wrap-up.",
)
def spillover_unexplained(context: CheckContext) -> Iterator[Finding]:
    # Queries: unexplained spillovers with ticket, sprint and cell (1).
    qs = Spillover.objects.filter(explanation="").select_related("ticket", "sprint", "cell")
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    for s in qs.order_by("sprint__number", "ticket__key"):
        yield Finding(
            rule="sprint-spillover-unexplained",
            severity=Severity.WARNING,
            message=f"{s.ticket.key} spilled over {s.sprint} without an explanation.",
            subject=f"spillover:{s.pk}",
            url=reverse("sprints:explain_spillover", args=[s.pk]),
            cell_id=s.cell_id,
            member_id=s.assignee_id,
            role_slug=None if s.assignee_id else "sprint-manager",
        )


@register(
    "sprint-injection-not-accepted",
    title="An injected ticket is not accepted",
    description="Tickets added after the cutoff day go to Stretch Goals unless accepted.",
)
def injection_not_accepted(context: CheckContext) -> Iterator[Finding]:
    # Queries: the current sprint's injections (1).
    number = calendar.sprint_on(context.as_of).number
    for t in selectors.injections(cell_ids=_cells(context), sprint_number=number):
        if t.accepted or t.status == "Stretch Goals":
            continue
        yield Finding(
            rule="sprint-injection-not-accepted",
            severity=Severity.INFO,
            message=f"{t.key} was added to sprint {number} after the cutoff day and is not accepted.",
            subject=f"ticket:{t.key}:injection",
            url=_board_url(t.cell_slug, number),
            cell_id=t.cell_id,
            role_slug="sprint-manager",
        )
