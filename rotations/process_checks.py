"""Process checks of the rotations. Each rule runs a fixed number of queries,
whatever the number of cells, members or rotations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.formats import date_format

from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, Finding, Severity, register
from roles.models import Cell, Member, MemberTypePeriod
from roles.selectors import time_off_by_member
from rotations import calculations
from rotations.models import (
    CORE_ONLY_KINDS,
    FIREFIGHTER_KINDS,
    FirefightingPolicy,
    RotationAssignment,
    RotationKind,
)
from sprints.calculations import SprintDates
from sprints.models import Ticket, TicketStatus

SPRINT_MANAGER = "sprint-manager"


def _grid_url(slug: str, sprint: int | None = None) -> str:
    url = reverse("rotations:grid", args=[slug])
    return f"{url}?sprint={sprint}#coverage" if sprint else url


def _cells(context: CheckContext, **filters: object) -> list[Cell]:
    qs = Cell.objects.filter(**filters).annotate(members_count=Count("members"))
    if context.cell_ids is not None:
        qs = qs.filter(pk__in=context.cell_ids)
    return list(qs.order_by("name"))


def _current_and_next(as_of: date) -> list[SprintDates]:
    current = calendar.sprint_on(as_of)
    return [current, calendar.sprint_dates(current.number + 1)]


@register(
    "rotation-uncovered-days",
    title="Working days with no firefighter present",
    description="Every working day of a sprint needs at least one firefighter present; "
    "assign a backup (third) firefighter for the days not covered.",
)
def uncovered_days(context: CheckContext) -> Iterator[Finding]:
    # Queries: cells with member counts (1), policies (1), firefighter slots (1), time off (1).
    sprints = _current_and_next(context.as_of)
    cells = [c for c in _cells(context) if c.members_count]  # type: ignore[attr-defined]
    no_firefighting = set(
        FirefightingPolicy.objects.filter(firefighters_per_sprint=0).values_list("cell_id", flat=True)
    )
    cells = [c for c in cells if c.pk not in no_firefighting]
    if not cells:
        return
    duties_by_cell: dict[int, list[calculations.Duty]] = defaultdict(list)
    for pk, cell_id, member_id, kind, start, end in RotationAssignment.objects.filter(
        cell__in=cells, kind__in=FIREFIGHTER_KINDS, start__lte=sprints[-1].end, end__gte=sprints[0].start
    ).values_list("pk", "cell_id", "member_id", "kind", "start", "end"):
        duties_by_cell[cell_id].append(calculations.Duty(pk, member_id, kind, start, end))
    members = {d.member_id for duties in duties_by_cell.values() for d in duties}
    off = time_off_by_member(member_ids=members, start=sprints[0].start, end=sprints[-1].end)
    for cell in cells:
        for s in sprints:
            days = [d for d in s.days if d >= context.as_of]
            rows = calculations.coverage(days=days, duties=duties_by_cell[cell.pk], time_off=off)
            gaps = [r.day for r in rows if not r.covered]
            if not gaps:
                continue
            current = s.contains(context.as_of)
            listed = ", ".join(date_format(d, "SHORT_DATE_FORMAT") for d in gaps[:6]) + (
                " …" if len(gaps) > 6 else ""
            )
            yield Finding(
                rule="rotation-uncovered-days",
                severity=Severity.CRITICAL if current else Severity.WARNING,
                message=f"{cell.name}, sprint {s.number}: no firefighter present on {len(gaps)} "
                f"working day(s) ({listed}). Assign a backup firefighter.",
                subject=f"rotation-coverage:{cell.slug}:{s.number}",
                url=_grid_url(cell.slug, s.number),
                cell_id=cell.pk,
                role_slug=SPRINT_MANAGER,
            )


@register(
    "rotation-ineligible-holder",
    title="A rotation held by someone who cannot hold it",
    description="Firefighting and discovery duty are for core members of the cell, "
    "in the team for the whole period; project cells have no discovery duty.",
)
def ineligible_holder(context: CheckContext) -> Iterator[Finding]:
    # Queries: current and future core-only slots with the holder's type on the slot's start (1).
    member_type = MemberTypePeriod.objects.filter(
        member=OuterRef("member_id"), since__lte=OuterRef("start")
    ).order_by("-since")
    qs = (
        RotationAssignment.objects.filter(
            kind__in=CORE_ONLY_KINDS, end__gte=context.as_of, cell__isnull=False
        )
        .annotate(holder_type=Subquery(member_type.values("member_type")[:1]))
        .select_related("member__user", "cell")
        .order_by("start", "pk")
    )
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    for a in qs:
        assert a.cell is not None
        member: Member = a.member
        problems = []
        if a.holder_type != "core":  # type: ignore[attr-defined]
            problems.append("is not a core member")
        if member.cell_id != a.cell_id:
            problems.append(f"is not in {a.cell.name}")
        if member.joined_on > a.start or (member.left_on is not None and member.left_on < a.end):
            problems.append("is not in the team for the whole period")
        if a.kind == RotationKind.DISCOVERY_DUTY and not a.cell.is_generalist:
            problems.append("holds discovery duty in a project cell, which has none")
        if problems:
            yield Finding(
                rule="rotation-ineligible-holder",
                severity=Severity.WARNING,
                message=f"{member.name} {' and '.join(problems)} but is {a.get_kind_display().lower()} "
                f"from {date_format(a.start, 'SHORT_DATE_FORMAT')} to {date_format(a.end, 'DATE_FORMAT')}.",
                subject=f"rotation:{a.pk}",
                url=_grid_url(a.cell.slug),
                cell_id=a.cell_id,
                role_slug=SPRINT_MANAGER,
            )


@register(
    "rotation-firefighter-short-of-hours",
    title="A firefighter's commitments leave less than the hours reserved for firefighting",
    description="Firefighters keep their reserved hours (at least 15 h a sprint) free of sprint work.",
)
def firefighter_short_of_hours(context: CheckContext) -> Iterator[Finding]:
    # Queries: firefighter slots of the current and next sprint with members (1), then the
    # capacity inputs of those members per sprint (7 x 2), from the sprints helper.
    from sprints.calculations.capacity import capacity_row
    from sprints.selectors import capacity_inputs

    sprints = _current_and_next(context.as_of)
    qs = RotationAssignment.objects.filter(
        kind__in=[RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2],
        start__in=[s.start for s in sprints],
        cell__isnull=False,
    ).select_related("member__user", "cell")
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    slots = list(qs)
    for s in sprints:
        in_sprint = [a for a in slots if a.start == s.start]
        if not in_sprint:
            continue
        members = list({a.member_id: a.member for a in in_sprint}.values())
        rows = {data.member_id: capacity_row(s, data) for data in capacity_inputs(members=members, dates=s)}
        for a in in_sprint:
            assert a.cell is not None
            row = rows[a.member_id]
            left = max(row.capacity + a.reserved_hours - row.committed, Decimal(0))
            if left >= a.reserved_hours:
                continue
            yield Finding(
                rule="rotation-firefighter-short-of-hours",
                severity=Severity.WARNING,
                message=f"{a.member.name} is {a.get_kind_display().lower()} in sprint {s.number} with "
                f"{a.reserved_hours.normalize():f} h reserved, but their commitments leave only {left:.1f} h.",
                subject=f"rotation-hours:{a.pk}",
                url=_grid_url(a.cell.slug, s.number),
                cell_id=a.cell_id,
                member_id=a.member_id,
                role_slug=SPRINT_MANAGER,
            )


@register(
    "rotation-no-discovery-duty",
    title="A week of a generalist cell without discovery duty",
    description="Generalist cells have someone on discovery duty every week.",
)
def no_discovery_duty(context: CheckContext) -> Iterator[Finding]:
    # Queries: generalist cells with member counts (1), discovery duty slots (1).
    sprints = _current_and_next(context.as_of)
    cells = [c for c in _cells(context, kind="generalist") if c.members_count]  # type: ignore[attr-defined]
    if not cells:
        return
    weeks = [w for s in sprints for w in calculations.duty_weeks(s.start) if w[1] >= context.as_of]
    held = set(
        RotationAssignment.objects.filter(
            cell__in=cells, kind=RotationKind.DISCOVERY_DUTY, start__lte=weeks[-1][1], end__gte=weeks[0][0]
        )
        .filter(Q(start__in=[w[0] for w in weeks]))
        .values_list("cell_id", "start")
    )
    for cell in cells:
        for start, end in weeks:
            if (cell.pk, start) in held:
                continue
            number = calendar.sprint_on(start).number
            yield Finding(
                rule="rotation-no-discovery-duty",
                severity=Severity.WARNING,
                message=f"{cell.name} has nobody on discovery duty from {date_format(start, 'SHORT_DATE_FORMAT')} to {date_format(end, 'SHORT_DATE_FORMAT')}.",
                subject=f"rotation-discovery:{cell.slug}:{start.isoformat()}",
                url=_grid_url(cell.slug, number),
                cell_id=cell.pk,
                role_slug=SPRINT_MANAGER,
            )


SPARE_TASK_KINDS = (RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2, RotationKind.DISCOVERY_DUTY)


@register(
    "rotation-no-spare-task",
    title="A firefighter or discovery duty holder has no spare task",
    description="Firefighters and discovery duty keep a task of their own (with a reviewer) in "
    "Stretch Goals or the next sprint, in case fires or discoveries do not fill their hours.",
)
def no_spare_task(context: CheckContext) -> Iterator[Finding]:
    # Queries: the current sprint's firefighters and discovery duty (1), their spare tickets (1).
    current = calendar.sprint_on(context.as_of)
    holders = RotationAssignment.objects.filter(
        kind__in=SPARE_TASK_KINDS, start__lte=current.end, end__gte=current.start
    ).select_related("member__user", "cell")
    if context.cell_ids is not None:
        holders = holders.filter(cell_id__in=context.cell_ids)
    rows = list(holders.order_by("member_id", "start"))
    if not rows:
        return
    spare = set(
        Ticket.objects.filter(assignee_id__in={a.member_id for a in rows}, reviewer__isnull=False)
        .filter(
            Q(sprint__number=current.number, status=TicketStatus.STRETCH)
            | Q(sprint__number=current.number + 1)
        )
        .exclude(status__in=[TicketStatus.DONE, TicketStatus.DELIVERED])
        .values_list("assignee_id", flat=True)
    )
    seen: set[int] = set()
    for a in rows:
        if a.member_id in spare or a.member_id in seen:
            continue
        seen.add(a.member_id)
        yield Finding(
            rule="rotation-no-spare-task",
            severity=Severity.INFO,
            message=f"{a.member.name} is {a.get_kind_display().lower()} in sprint {current.number} with no "
            "spare task of their own (with a reviewer) in Stretch Goals or the next sprint.",
            subject=f"member:{a.member_id}:sprint:{current.number}:spare",
            url=_grid_url(a.cell.slug, current.number) if a.cell else "",
            cell_id=a.cell_id,
            member_id=a.member_id,
        )
