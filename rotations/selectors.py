"""Read queries of the rotations app. Each function documents its query count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from opencraft_ops import calendar
from roles.models import Cell, Member, MemberTypePeriod
from roles.permissions import require_cell_view
from roles.selectors import time_off_by_member
from rotations import calculations
from rotations.calculations import Candidate, CellBudget, DayCoverage, Duty, Service
from rotations.models import (
    FIREFIGHTER_KINDS,
    FirefightingPolicy,
    RotationAssignment,
    RotationKind,
    Swap,
)

SPRINT_MANAGER_ROLES = {"sprint-manager"}


def cell_for_view(user: User | AnonymousUser, slug: str) -> Cell:
    """The cell by slug (404) that ``user`` may see (403). One or two queries."""
    cell = get_object_or_404(Cell, slug=slug)
    require_cell_view(user, cell)
    return cell


@dataclass(frozen=True)
class Policy:
    firefighters: int
    ops_reviewer: bool
    pager: bool
    discovery_duty: bool
    custom: bool  # the cell recorded its own policy


def policy_for(cell: Cell) -> Policy:
    """The cell's firefighting policy, the default when none is recorded. One query."""
    recorded = FirefightingPolicy.objects.filter(cell=cell).first()
    if recorded is None:
        return Policy(
            firefighters=2, ops_reviewer=True, pager=True, discovery_duty=cell.is_generalist, custom=False
        )
    return Policy(
        firefighters=recorded.firefighters_per_sprint,
        ops_reviewer=recorded.ops_reviewer,
        pager=recorded.pager,
        discovery_duty=cell.is_generalist,
        custom=True,
    )


def cell_budget(cell: Cell, *, as_of: date, policy: Policy | None = None) -> CellBudget:
    """The cell's budgets from the commitments of its active members on ``as_of``. One query
    (two without ``policy``)."""
    policy = policy or policy_for(cell)
    hours = (
        Member.objects.filter(cell=cell)
        .active(as_of)
        .with_commitment(as_of)
        .values_list("current_weekly_hours", flat=True)  # type: ignore[misc]
    )
    return calculations.cell_budget(
        weekly_hours=[h or Decimal(0) for h in hours],
        firefighting_percent=cell.firefighting_percent,
        discovery_percent=cell.discovery_percent,
        discovery_duty_hours_per_week=cell.discovery_duty_hours_per_week,
        firefighter_min_hours_per_sprint=cell.firefighter_min_hours_per_sprint,
        has_discovery_duty=policy.discovery_duty,
        firefighters=policy.firefighters,
    )


def cell_candidates(cell: Cell, *, start: date, end: date) -> list[Candidate]:
    """Every member of the cell with their type history and time off in [start, end].

    Three queries: members (with users), type periods (prefetch), time off.
    """
    members = list(
        Member.objects.filter(cell=cell)
        .select_related("user")
        .prefetch_related(Prefetch("type_periods", queryset=MemberTypePeriod.objects.order_by("since")))
    )
    off = time_off_by_member(member_ids=[m.pk for m in members], start=start, end=end)
    return [
        Candidate(
            member_id=m.pk,
            name=m.name,
            joined_on=m.joined_on,
            left_on=m.left_on,
            type_changes=tuple((p.since, p.member_type) for p in m.type_periods.all()),
            time_off=tuple(off.get(m.pk, ())),
        )
        for m in members
    ]


def service_history(cell: Cell, *, before: date) -> list[Service]:
    """Rotations held in the cell that started before ``before``. One query."""
    rows = RotationAssignment.objects.filter(cell=cell, start__lt=before).values_list(
        "member_id", "kind", "start", "end"
    )
    return [Service(member_id=m, kind=k, start=s, end=e) for m, k, s, e in rows]


def cell_assignments(cell: Cell, *, start: date, end: date) -> QuerySet[RotationAssignment]:
    """Rotations of the cell overlapping [start, end], members and sprints preloaded (one query)."""
    return (
        RotationAssignment.objects.filter(cell=cell, start__lte=end, end__gte=start)
        .select_related("member__user", "sprint")
        .order_by("start", "kind", "pk")
    )


@dataclass(frozen=True)
class GridSlot:
    """One cell of the grid: a slot's kind and period, with its holder's assignment if filled."""

    kind: str
    start: date
    end: date
    assignment: RotationAssignment | None

    @property
    def label(self) -> str:
        return RotationKind(self.kind).label


@dataclass(frozen=True)
class SprintRow:
    """One sprint of the grid: the slots by kind, plus backups."""

    number: int
    start: date
    end: date
    firefighters: list[GridSlot]
    backups: list[RotationAssignment]
    discovery: list[GridSlot]  # one per duty week
    pager: list[GridSlot]
    ops_reviewer: GridSlot
    is_current: bool


def grid_rows(cell: Cell, *, first_sprint: int, count: int, today: date) -> list[SprintRow]:
    """The calendar grid of ``count`` sprints from ``first_sprint``. One query.

    Every slot the cell can have is a :class:`GridSlot`, empty ones included, so the
    sprint manager can fill them from the grid.
    """
    sprints = [calendar.sprint_dates(n) for n in range(first_sprint, first_sprint + count)]
    assignments = list(cell_assignments(cell, start=sprints[0].start, end=sprints[-1].end))
    rows = []
    for s in sprints:
        inside = [a for a in assignments if s.start <= a.start <= s.end]
        by_kind_start = {(a.kind, a.start): a for a in inside if a.kind != RotationKind.FIREFIGHTER_BACKUP}
        weeks = calculations.duty_weeks(s.start)

        def slot(kind: str, start: date, end: date) -> GridSlot:
            return GridSlot(kind=kind, start=start, end=end, assignment=by_kind_start.get((kind, start)))  # noqa: B023

        rows.append(
            SprintRow(
                number=s.number,
                start=s.start,
                end=s.end,
                firefighters=[
                    slot(RotationKind.FIREFIGHTER_1, s.start, s.end),
                    slot(RotationKind.FIREFIGHTER_2, s.start, s.end),
                ],
                backups=[a for a in inside if a.kind == RotationKind.FIREFIGHTER_BACKUP],
                discovery=[slot(RotationKind.DISCOVERY_DUTY, w[0], w[1]) for w in weeks],
                pager=[slot(RotationKind.PAGER, w[0], w[1]) for w in weeks],
                ops_reviewer=slot(RotationKind.OPS_REVIEWER, s.start, s.end),
                is_current=s.contains(today),
            )
        )
    return rows


@dataclass(frozen=True)
class GridColumns:
    """Which columns the grid shows and which empty slots can be filled there."""

    firefighters: int  # 0, 1 or 2 firefighter columns
    backups: bool
    discovery: bool
    pager: bool
    ops_reviewer: bool
    fillable: frozenset[str]  # kinds the cell's policy schedules


def grid_columns(policy: Policy, rows: list[SprintRow]) -> GridColumns:
    """The policy's slots, plus any kind some displayed row holds anyway (no query)."""

    def held(slots: list[GridSlot]) -> bool:
        return any(s.assignment is not None for s in slots)

    ff1 = [r.firefighters[0] for r in rows]
    ff2 = [r.firefighters[1] for r in rows]
    pager_on = policy.pager and policy.firefighters > 0
    fillable = {
        kind
        for kind, on in (
            (RotationKind.FIREFIGHTER_1, policy.firefighters >= 1),
            (RotationKind.FIREFIGHTER_2, policy.firefighters >= 2),
            (RotationKind.DISCOVERY_DUTY, policy.discovery_duty),
            (RotationKind.PAGER, pager_on),
            (RotationKind.OPS_REVIEWER, policy.ops_reviewer),
        )
        if on
    }
    return GridColumns(
        firefighters=2
        if policy.firefighters >= 2 or held(ff2)
        else 1
        if policy.firefighters or held(ff1)
        else 0,
        backups=policy.firefighters > 0 or any(r.backups for r in rows),
        discovery=policy.discovery_duty or held([d for r in rows for d in r.discovery]),
        pager=pager_on or held([p for r in rows for p in r.pager]),
        ops_reviewer=policy.ops_reviewer or held([r.ops_reviewer for r in rows]),
        fillable=frozenset(fillable),
    )


@dataclass(frozen=True)
class CoverageView:
    sprint_number: int
    days: list[DayCoverage]
    names: dict[int, str]
    duties: list[Duty]

    @property
    def uncovered(self) -> list[DayCoverage]:
        return [d for d in self.days if not d.covered]

    @property
    def display_rows(self) -> list[dict[str, object]]:
        """The days with names instead of ids, for templates and the API."""
        kind_labels = dict(RotationKind.choices)
        return [
            {
                "day": d.day,
                "covered": d.covered,
                "present": [self.names.get(m, str(m)) for m in d.firefighters_present],
                "away": [self.names.get(m, str(m)) for m in d.firefighters_away],
                "others": [
                    f"{kind_labels.get(k, k)}: {self.names.get(m, str(m))}" for k, m in d.others_present
                ],
                "suggested_backup_id": d.suggested_backup,
                "suggested_backup": self.names.get(d.suggested_backup) if d.suggested_backup else None,
                "suggestion_reason": d.suggestion_reason,
            }
            for d in self.days
        ]


def sprint_coverage(cell: Cell, *, sprint_number: int) -> CoverageView:
    """Coverage of each working day of the sprint. Five queries: assignments,
    members, type periods, time off, firefighter history."""
    s = calendar.sprint_dates(sprint_number)
    assignments = list(cell_assignments(cell, start=s.start, end=s.end))
    candidates = cell_candidates(cell, start=s.start, end=s.end)
    names = {c.member_id: c.name for c in candidates}
    names.update({a.member_id: a.member.name for a in assignments})
    outside = {a.member_id for a in assignments} - {c.member_id for c in candidates}
    off = {c.member_id: list(c.time_off) for c in candidates}
    if outside:  # someone from another cell holds a slot here: their time off counts too
        off.update(time_off_by_member(member_ids=outside, start=s.start, end=s.end))
    duties = [
        Duty(assignment_id=a.pk, member_id=a.member_id, kind=a.kind, start=a.start, end=a.end)
        for a in assignments
    ]
    history = [
        Service(member_id=m, kind=k, start=st, end=e)
        for m, k, st, e in RotationAssignment.objects.filter(
            cell=cell, kind__in=FIREFIGHTER_KINDS, start__lt=s.start
        ).values_list("member_id", "kind", "start", "end")
    ]
    days = calculations.coverage(
        days=s.days, duties=duties, time_off=off, backup_pool=candidates, history=history
    )
    return CoverageView(sprint_number=sprint_number, days=days, names=names, duties=duties)


def recent_swaps(cell: Cell, *, limit: int = 20) -> list[Swap]:
    """The cell's latest swaps with their members (one query)."""
    return list(
        Swap.objects.filter(Q(first__cell=cell) | Q(second__cell=cell))
        .select_related(
            "first", "second", "first_member__user", "second_member__user", "agreed_by__user", "recorded_by"
        )
        .order_by("-recorded_at")[:limit]
    )


def assignment_history(cell: Cell, *, limit: int = 30) -> list[object]:
    """The latest changes to the cell's rotations (one query)."""
    return list(
        RotationAssignment.history.filter(cell_id=cell.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )


def member_choices(cell: Cell, *, as_of: date) -> list[Member]:
    """Active members of the cell for the slot pickers (one query)."""
    return list(Member.objects.filter(cell=cell).active(as_of).select_related("user").with_type(as_of))


def duty_weeks_without_discovery(cells: list[Cell], *, start: date, end: date) -> dict[int, list[date]]:
    """For each generalist cell, the duty-week starts in [start, end] with no discovery duty. One query."""
    generalist = [c for c in cells if c.is_generalist]
    held = defaultdict(set)
    for cell_id, s in RotationAssignment.objects.filter(
        cell__in=generalist, kind=RotationKind.DISCOVERY_DUTY, start__lte=end, end__gte=start
    ).values_list("cell_id", "start"):
        held[cell_id].add(s)
    missing: dict[int, list[date]] = {}
    first = calendar.sprint_on(start).number
    last = calendar.sprint_on(end).number
    for cell in generalist:
        weeks = [
            w[0]
            for n in range(first, last + 1)
            for w in calculations.duty_weeks(calendar.sprint_dates(n).start)
            if start <= w[0] <= end or start <= w[1] <= end
        ]
        gaps = [w for w in weeks if w not in held[cell.pk] and w >= cell.created_on - timedelta(days=6)]
        if gaps:
            missing[cell.pk] = gaps
    return missing


def member_upcoming_rotations(member: Member, *, as_of: date, limit: int = 8) -> list[RotationAssignment]:
    """The member's current and next rotations, soonest first (one query).

    For any page that tells a member when they are on duty (grid, home page).
    """
    return list(
        RotationAssignment.objects.filter(member=member, end__gte=as_of)
        .select_related("cell", "sprint")
        .order_by("start", "kind")[:limit]
    )
