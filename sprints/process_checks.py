"""Process checks of the sprint side. Each rule runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, Finding, Severity, register
from opencraft_ops.sprint_dates import monday_w2, wednesday_w2
from roles.models import Member, MemberType, MemberTypePeriod
from roles.selectors import time_off_by_member
from sprints import selectors
from sprints.calculations.capacity import NOT_COMMITTED_STATUSES, capacity_row
from sprints.calculations.deadlines import NOT_DELIVERED_STATUSES, NOT_READY_STATUSES, SETTLED_STATUSES
from sprints.calculations.newcomers import first_weeks_points, point_limit
from sprints.calculations.updates import KIND_LABELS, open_windows
from sprints.models import PriorityCategory, Spillover, Ticket, TicketStatus


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
        .select_related("user", "cell")
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
                # The member's board in that sprint: every member of the cell may open it (the
                # newcomer page is for the newcomer, their mentor and the cell's role holders).
                url=f"{reverse('sprints:member_board', args=[member.cell.slug, member_id])}?sprint={number}",  # type: ignore[union-attr]
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


@register(
    "newcomer-week-points",
    title="A newcomer is over a weekly point limit",
    description="At most 3 story points committed in the first week and 5 more in the second, "
    "counted per week from the first day (so also when both weeks fall in one sprint).",
)
def newcomer_week_points(context: CheckContext) -> Iterator[Finding]:
    # Queries: newcomers (1), their tickets of the sprints overlapping their first two weeks
    # (1). Checked during those two weeks only; a ticket counts from the day it entered its
    # sprint (the sprint's first day when planned before), Stretch Goals are not committed.
    every = newcomers_in(context)
    starts: dict[int, date] = {
        pk: getattr(m, "newcomer_since", None) or m.joined_on for pk, m in every.items()
    }
    newcomers = {
        pk: m for pk, m in every.items() if starts[pk] <= context.as_of <= starts[pk] + timedelta(days=13)
    }
    if not newcomers:
        return
    numbers = {
        calendar.sprint_on(starts[pk] + timedelta(days=offset)).number
        for pk in newcomers
        for offset in (0, 13)
    }
    numbers |= set(range(min(numbers), max(numbers) + 1))
    tasks: dict[int, list[tuple[Decimal | None, date]]] = {pk: [] for pk in newcomers}
    rows = (
        Ticket.objects.filter(assignee_id__in=list(newcomers), sprint__number__in=sorted(numbers))
        .exclude(status__in=NOT_COMMITTED_STATUSES)
        .values_list("assignee_id", "story_points", "added_to_sprint_at", "sprint__number")
    )
    for member_id, points, added_at, number in rows:
        sprint_start = calendar.sprint_dates(number).start
        added_on = timezone.localdate(added_at) if added_at else sprint_start
        tasks[member_id].append((points, max(added_on, sprint_start)))
    for member_id, member in newcomers.items():
        start = starts[member_id]
        breaches = first_weeks_points(start, tasks[member_id]).breaches()
        if breaches:
            yield Finding(
                rule="newcomer-week-points",
                severity=Severity.CRITICAL,
                message=f"{member.name} has {' and '.join(breaches)}.",
                subject=f"member:{member_id}:first-weeks:{start.isoformat()}",
                url=reverse("sprints:member_board", args=[member.cell.slug, member_id]),  # type: ignore[union-attr]
                cell_id=member.cell_id,
                member_id=member_id,
            )
            yield Finding(
                rule="newcomer-week-points",
                severity=Severity.CRITICAL,
                message=f"{member.name} has {' and '.join(breaches)}.",
                subject=f"member:{member_id}:first-weeks:{start.isoformat()}:mentor",
                url=reverse("sprints:member_board", args=[member.cell.slug, member_id]),  # type: ignore[union-attr]
                cell_id=member.cell_id,
                role_slug="mentor",
            )


@register(
    "newcomer-production-access",
    title="A newcomer holds a task that needs production access",
    description="Tasks of the current or next sprint that need production access are not for newcomers.",
)
def newcomer_production_access(context: CheckContext) -> Iterator[Finding]:
    # Queries: newcomers (1), their unfinished production-access tickets of the current and
    # next sprint (1).
    newcomers = newcomers_in(context)
    if not newcomers:
        return
    current = calendar.sprint_on(context.as_of).number
    rows = (
        Ticket.objects.filter(
            assignee_id__in=list(newcomers),
            needs_production_access=True,
            sprint__number__in=[current, current + 1],
        )
        .exclude(status__in=(TicketStatus.DONE, TicketStatus.DELIVERED))
        .order_by("key")
        .values_list("key", "assignee_id", "sprint__number")
    )
    for key, member_id, number in rows:
        member = newcomers[member_id]
        yield Finding(
            rule="newcomer-production-access",
            severity=Severity.WARNING,
            message=f"{key} (sprint {number}) needs production access and is assigned to {member.name}, "
            "a newcomer: give it to a core member.",
            subject=f"ticket:{key}:production-access",
            url=_board_url(member.cell.slug if member.cell else None, number),
            cell_id=member.cell_id,
            role_slug="mentor",
        )


# --- The sprint's deadlines and the tickets' own rules (handbook: "Sprint tasks") ---

NEWCOMER_FRIENDLY = "newcomer-friendly"


def firefighter_for(ticket_pk: int) -> str:
    """The firefighter role a ticket's follow-up goes to: the two firefighters share the
    sprint's tickets half and half, as their checklists say."""
    return "firefighter-1" if ticket_pk % 2 else "firefighter-2"


def _current_tickets(context: CheckContext, number: int, statuses: Iterable[str]) -> list[tuple[Any, ...]]:
    """(pk, key, cell id, assignee id, reviewer id, status, epic owner id) of the sprint's
    tickets in ``statuses`` (one query)."""
    qs = Ticket.objects.filter(sprint__number=number, status__in=list(statuses))
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    return list(
        qs.order_by("key").values_list(
            "pk", "key", "cell_id", "assignee_id", "reviewer_id", "status", "epic__owner_id"
        )
    )


def _at_risk(
    rule: str, rows: list[tuple[Any, ...]], *, severity: Severity, why: str, number: int
) -> Iterator[Finding]:
    """A ticket at risk reaches its assignee, the epic owner and one of the firefighters."""
    for pk, key, cell_id, assignee_id, _reviewer, status, owner_id in rows:
        message = f"{key} ({status}) {why}"
        url = _board_url(None, number)
        yield Finding(
            rule,
            severity,
            message,
            f"ticket:{key}",
            url,
            cell_id,
            member_id=assignee_id,
            role_slug=None if assignee_id else firefighter_for(pk),
        )
        if owner_id and owner_id != assignee_id:
            yield Finding(
                rule, severity, message, f"ticket:{key}:epic-owner", url, cell_id, member_id=owner_id
            )
        if assignee_id:
            yield Finding(
                rule,
                severity,
                message,
                f"ticket:{key}:firefighter",
                url,
                cell_id,
                role_slug=firefighter_for(pk),
            )


@register(
    "sprint-review-deadline-at-risk",
    title="A ticket is not ready for internal review by Wednesday of week 2",
    description="From Monday of week 2, current-sprint tickets still in Backlog, To Do or In Progress "
    "are at risk of missing the internal review deadline (end of Wednesday of W2), and missed it "
    "after that; the assignee, the epic owner and a firefighter hear of it.",
)
def review_deadline_at_risk(context: CheckContext) -> Iterator[Finding]:
    # Queries: the current sprint's unfinished tickets with their epic owner (1), none before W2.
    s = calendar.sprint_on(context.as_of)
    if context.as_of < monday_w2(s):
        return
    missed = context.as_of > wednesday_w2(s)
    why = (
        f"missed the internal review deadline of sprint {s.number} (end of Wednesday {date_format(wednesday_w2(s), 'SHORT_DATE_FORMAT')})."
        if missed
        else f"is not ready for internal review, due by the end of Wednesday {date_format(wednesday_w2(s), 'SHORT_DATE_FORMAT')}."
    )
    rows = _current_tickets(context, s.number, NOT_READY_STATUSES)
    yield from _at_risk(
        "sprint-review-deadline-at-risk",
        rows,
        severity=Severity.CRITICAL if missed else Severity.WARNING,
        why=why,
        number=s.number,
    )


@register(
    "sprint-delivery-at-risk",
    title="A ticket may not reach External Review before the next sprint",
    description="From Friday of week 2, current-sprint tickets not yet in External Review (or "
    "Deployed & Delivered) are at risk of missing the delivery deadline, one hour before the next "
    "sprint; the assignee, the epic owner and a firefighter hear of it.",
)
def delivery_at_risk(context: CheckContext) -> Iterator[Finding]:
    # Queries: the current sprint's undelivered tickets with their epic owner (1), none before Friday W2.
    s = calendar.sprint_on(context.as_of)
    if context.as_of < s.week_day(2, 4):
        return
    rows = _current_tickets(context, s.number, NOT_DELIVERED_STATUSES)
    yield from _at_risk(
        "sprint-delivery-at-risk",
        rows,
        severity=Severity.CRITICAL if context.as_of == s.end else Severity.WARNING,
        why=f"is not in External Review yet; the delivery deadline is one hour before sprint {s.number + 1}.",
        number=s.number,
    )


@register(
    "sprint-ticket-no-reviewer",
    title="A ticket of the current sprint has no reviewer",
    description="Firefighters provide reviews for tasks missing a reviewer (the two share them).",
)
def ticket_no_reviewer(context: CheckContext) -> Iterator[Finding]:
    # Queries: the current sprint's open tickets without a reviewer (1).
    number = calendar.sprint_on(context.as_of).number
    qs = Ticket.objects.filter(sprint__number=number, reviewer__isnull=True).exclude(
        status__in=SETTLED_STATUSES
    )
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    for pk, key, cell_id in qs.order_by("key").values_list("pk", "key", "cell_id"):
        yield Finding(
            rule="sprint-ticket-no-reviewer",
            severity=Severity.WARNING,
            message=f"{key} (sprint {number}) has no reviewer: a firefighter reviews it.",
            subject=f"ticket:{key}:reviewer",
            url=_board_url(None, number),
            cell_id=cell_id,
            role_slug=firefighter_for(pk),
        )


@register(
    "sprint-core-on-newcomer-friendly",
    title="A core member is assigned a newcomer-friendly ticket",
    description="Core members avoid newcomer-friendly tasks (unless urgent and no newcomer is "
    "available) and review them instead.",
)
def core_on_newcomer_friendly(context: CheckContext) -> Iterator[Finding]:
    # Queries: the current and next sprints' newcomer-friendly tickets with a core assignee (1).
    current = calendar.sprint_on(context.as_of).number
    latest_type = (
        MemberTypePeriod.objects.filter(member=OuterRef("assignee_id"), since__lte=context.as_of)
        .order_by("-since")
        .values("member_type")[:1]
    )
    # Labels are matched here, not in SQL: JSON containment is not portable (SQLite demo).
    qs = (
        Ticket.objects.filter(sprint__number__in=[current, current + 1])
        .exclude(status__in=SETTLED_STATUSES)
        .annotate(assignee_type=Subquery(latest_type))
        .filter(assignee_type=MemberType.CORE)
    )
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    for key, cell_id, assignee_id, number, labels, category in qs.order_by("key").values_list(
        "key", "cell_id", "assignee_id", "sprint__number", "labels", "priority_category"
    ):
        # Newcomer-friendly by its label or by its place in the backlog's newcomer-friendly
        # group, as the estimation session marks it (estimation.calculations.is_newcomer_friendly).
        labelled = isinstance(labels, list) and NEWCOMER_FRIENDLY in labels
        if not labelled and category != PriorityCategory.NEWCOMER:
            continue
        yield Finding(
            rule="sprint-core-on-newcomer-friendly",
            severity=Severity.INFO,
            message=f"{key} (sprint {number}) is newcomer-friendly but assigned to a core member; "
            "leave it to a newcomer unless it is urgent, and review it instead.",
            subject=f"ticket:{key}:newcomer-friendly",
            url=_board_url(None, number),
            cell_id=cell_id,
            member_id=assignee_id,
        )


@register(
    "sprint-ticket-over-estimate",
    title="A ticket is over its original estimate",
    description="Time logged beyond a ticket's original estimate needs the epic owner's approval "
    "(a newcomer's most of all: the finding goes to the epic owner and the mentor).",
)
def ticket_over_estimate(context: CheckContext) -> Iterator[Finding]:
    # Queries: newcomers (1), the current sprint's tickets over their original estimate (1).
    number = calendar.sprint_on(context.as_of).number
    newcomers = newcomers_in(context)
    qs = Ticket.objects.filter(
        sprint__number=number,
        original_estimate_seconds__gt=0,
        time_spent_seconds__gt=F("original_estimate_seconds"),
    )
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    for key, cell_id, assignee_id, owner_id, spent, estimate in qs.order_by("key").values_list(
        "key", "cell_id", "assignee_id", "epic__owner_id", "time_spent_seconds", "original_estimate_seconds"
    ):
        newcomer = assignee_id in newcomers
        hours = f"{Decimal(spent) / 3600:.1f} h logged for {Decimal(estimate or 0) / 3600:.1f} h estimated"
        who = (
            "a newcomer's ticket: the epic owner must approve more time" if newcomer else "ask the epic owner"
        )
        yield Finding(
            rule="sprint-ticket-over-estimate",
            severity=Severity.WARNING if newcomer else Severity.INFO,
            message=f"{key} is over its original estimate ({hours}); {who}.",
            subject=f"ticket:{key}:estimate-over",
            url=_board_url(None, number),
            cell_id=cell_id,
            member_id=owner_id if newcomer and owner_id else assignee_id,
            role_slug="mentor" if newcomer and not owner_id else None,
        )


# A "Long External Review/Blocked" ticket nobody touched for this long was not reviewed this sprint.
BLOCKED_REVIEW_DAYS = 14


@register(
    "sprint-blocked-ticket-stale",
    title="A Long External Review/Blocked ticket was not reviewed this sprint",
    description="Once a sprint, review your Long External Review/Blocked tickets: ping the "
    "reviewer or blocker, or pull the ticket into a sprint. Flagged when JIRA shows no change "
    f"for {BLOCKED_REVIEW_DAYS} days.",
)
def blocked_ticket_stale(context: CheckContext) -> Iterator[Finding]:
    # Queries: blocked tickets untouched for two weeks (1).
    since = datetime.combine(context.as_of - timedelta(days=BLOCKED_REVIEW_DAYS), time(0, 0), tzinfo=UTC)
    qs = Ticket.objects.filter(status=TicketStatus.BLOCKED).filter(
        Q(jira_updated_at__lt=since) | Q(jira_updated_at__isnull=True, updated_at__lt=since)
    )
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    for key, cell_id, assignee_id in qs.order_by("key").values_list("key", "cell_id", "assignee_id"):
        yield Finding(
            rule="sprint-blocked-ticket-stale",
            severity=Severity.INFO,
            message=f"{key} has been in Long External Review/Blocked for over {BLOCKED_REVIEW_DAYS} days "
            "without a change: ping the reviewer or blocker, or pull it into a sprint.",
            subject=f"ticket:{key}:blocked",
            url=reverse("sprints:my_board"),
            cell_id=cell_id,
            member_id=assignee_id,
            role_slug=None if assignee_id else "sprint-manager",
        )


STARTED_STATUSES = (
    TicketStatus.IN_PROGRESS,
    TicketStatus.CODE_REVIEW,
    TicketStatus.EXTERNAL_REVIEW,
    TicketStatus.MERGED,
    TicketStatus.DELIVERED,
    TicketStatus.DONE,
)


@register(
    "sprint-spillover-not-prioritised",
    title="New work started before a spillover",
    description="Stories that spilled over from the previous sprint come first: flagged when a "
    "spillover waits in Backlog or To Do while its assignee has started other work this sprint.",
)
def spillover_not_prioritised(context: CheckContext) -> Iterator[Finding]:
    # Queries: last sprint's spillovers whose ticket waits in this sprint (1), the started
    # tickets of their assignees this sprint (1).
    number = calendar.sprint_on(context.as_of).number
    waiting = Spillover.objects.filter(
        sprint__number=number - 1,
        ticket__sprint__number=number,
        ticket__status__in=[TicketStatus.BACKLOG, TicketStatus.TODO],
        ticket__assignee__isnull=False,
    )
    if context.cell_ids is not None:
        waiting = waiting.filter(ticket__cell_id__in=context.cell_ids)
    rows = list(
        waiting.order_by("ticket__key").values_list(
            "ticket_id", "ticket__key", "ticket__cell_id", "ticket__assignee_id"
        )
    )
    if not rows:
        return
    spilled = {ticket_id for ticket_id, *_ in rows}
    started: dict[int, list[str]] = {}
    for assignee_id, key in (
        Ticket.objects.filter(
            sprint__number=number, assignee_id__in={r[3] for r in rows}, status__in=STARTED_STATUSES
        )
        .exclude(pk__in=spilled)
        .order_by("key")
        .values_list("assignee_id", "key")
    ):
        started.setdefault(assignee_id, []).append(key)
    for _ticket_id, key, cell_id, assignee_id in rows:
        if assignee_id not in started:
            continue
        yield Finding(
            rule="sprint-spillover-not-prioritised",
            severity=Severity.INFO,
            message=f"{key} spilled over from sprint {number - 1} and waits while "
            f"{', '.join(started[assignee_id])} started: spillovers come first.",
            subject=f"ticket:{key}:spillover-first",
            url=_board_url(None, number),
            cell_id=cell_id,
            member_id=assignee_id,
        )


@register(
    "sprint-member-update-missing",
    title="A member has not recorded their sprint update",
    description="Every member posts a written mid-sprint update (due Tuesday of W2, the sprint "
    "manager's mid-sprint check) and an end-of-sprint update (due the sprint's last day, chased "
    "until the next sprint's second working day) in the cell's Sprint Updates thread, and "
    "records it on their sprint board. A member off that whole day is not asked.",
)
def member_update_missing(context: CheckContext) -> Iterator[Finding]:
    # Queries: none outside the updates' windows; else the active members of the context's
    # cells (1), their time off on the due days and today (1), the recorded updates of the
    # sprints concerned (1).
    windows = open_windows(context.as_of, epoch=calendar.epoch())
    if not windows:
        return
    members = Member.objects.active(context.as_of).filter(cell__isnull=False).select_related("user", "cell")
    if context.cell_ids is not None:
        members = members.filter(cell_id__in=context.cell_ids)
    by_id = {m.pk: m for m in members}
    if not by_id:
        return
    first_due = min(w.due for w in windows)
    time_off = time_off_by_member(member_ids=list(by_id), start=first_due, end=context.as_of)
    posted = selectors.updates_by_member(sprint_numbers={w.number for w in windows}, member_ids=list(by_id))

    def off_all_day(member_id: int, day: date) -> bool:
        return any(p.hours_per_day is None and p.covers(day) for p in time_off.get(member_id, ()))

    for window in windows:
        label = KIND_LABELS[window.kind]
        due = date_format(window.due, "SHORT_DATE_FORMAT")
        for member_id, member in by_id.items():
            if (window.number, member_id, window.kind) in posted or member.joined_on >= window.due:
                continue
            if off_all_day(member_id, window.due) or off_all_day(member_id, context.as_of):
                continue
            yield Finding(
                rule="sprint-member-update-missing",
                severity=Severity.WARNING,
                message=f"{member.name} has not recorded their {label} for sprint {window.number} "
                f"(due {due}): post it in the Sprint Updates thread and record it on your sprint board.",
                subject=f"member:{member_id}:sprint:{window.number}:update:{window.kind}",
                url=f"{reverse('sprints:member_board', args=[member.cell.slug, member_id])}?sprint={window.number}",  # type: ignore[union-attr]
                cell_id=member.cell_id,
                member_id=member_id,
            )
