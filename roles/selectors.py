"""Read queries of the roles app."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from findings.models import Finding
from opencraft_ops.process_checks import CheckContext, held_roles
from roles import rotation_holders
from roles.calculations import TimeOffPeriod, tenure_label
from roles.models import (
    Cell,
    Member,
    MemberTypePeriod,
    Role,
    RoleAssignment,
    RoleScope,
    TimeOff,
    WeeklyCommitment,
)
from roles.rotation_holders import RotationHold


def time_off_by_member(
    *, member_ids: Iterable[int] | None, start: date, end: date
) -> dict[int, list[TimeOffPeriod]]:
    """Time off overlapping [start, end] per member, in one query.

    ``member_ids=None`` means every member.
    """
    qs = TimeOff.objects.filter(Q(start__lte=end) & Q(end__gte=start))
    if member_ids is not None:
        qs = qs.filter(member_id__in=list(member_ids))
    result: dict[int, list[TimeOffPeriod]] = defaultdict(list)
    for member_id, s, e, hours in qs.values_list("member_id", "start", "end", "hours_per_day"):
        result[member_id].append(TimeOffPeriod(start=s, end=e, hours_per_day=hours))
    return dict(result)


# --- Pages ------------------------------------------------------------------


@dataclass
class HeldRole:
    """A role assignment as the pages show it, with its tenure."""

    assignment: RoleAssignment
    tenure: str
    in_transition: bool  # the outgoing holder is still helping after a handover
    handover_upcoming: bool  # a handover is recorded and has not started yet


@dataclass
class MemberRow:
    member: Member
    roles: list[HeldRole] = field(default_factory=list)
    off_today: TimeOff | None = None
    off_this_sprint: list[TimeOff] = field(default_factory=list)


@dataclass
class RotationRow:
    """A slot of the rotation schedule as the directory and member pages show it: the
    holder (``member`` is None for someone no longer active) and the slot's dates."""

    hold: RotationHold
    member: Member | None


@dataclass
class CellDirectory:
    cell: Cell
    members: list[MemberRow]
    roles: list[HeldRole]
    rotations: list[RotationRow]
    missing_roles: list[Role]
    handovers: list[HeldRole]
    off_today: list[MemberRow]
    off_this_sprint: list[MemberRow]
    findings: list[Finding]


@dataclass
class Directory:
    as_of: date
    sprint_start: date
    sprint_end: date
    cells: list[CellDirectory]
    company_roles: list[HeldRole]
    company_handovers: list[HeldRole]
    findings: list[Finding]
    without_cell: list[MemberRow]


def _held(assignment: RoleAssignment, as_of: date) -> HeldRole:
    until = assignment.until
    in_transition = bool(
        until is not None
        and assignment.transition_until is not None
        and until < as_of <= assignment.transition_until
    )
    upcoming = bool(assignment.handed_over_to_id and until is not None and until >= as_of)
    return HeldRole(
        assignment=assignment,
        tenure=tenure_label(assignment.since, as_of),
        in_transition=in_transition,
        handover_upcoming=upcoming,
    )


def _assignments_shown_on(as_of: date) -> QuerySet[RoleAssignment]:
    """Assignments held on ``as_of`` plus handed-over ones still in transition."""
    held = Q(since__lte=as_of) & (Q(until__isnull=True) | Q(until__gte=as_of))
    transition = Q(until__lt=as_of) & Q(transition_until__gte=as_of)
    return (
        RoleAssignment.objects.holdings()
        .filter(held | transition)
        .select_related("role", "cell", "member__user", "backup__user", "handed_over_to__user")
    )


def directory(*, as_of: date, sprint_start: date, sprint_end: date, findings: list[Finding]) -> Directory:
    """Everything the directory page shows, in six queries whatever the size of
    the organisation: cells, active members (with type and commitment), the
    assignments shown today (with role, cell, holder, backup and successor; rotation
    roles left out), the sprint's rotation slots (the schedule, ``roles.rotation_holders``),
    time off during the sprint and the management roles."""
    cells = list(Cell.objects.order_by("name"))
    members = list(
        Member.objects.active(as_of)
        .with_type(as_of)
        .with_commitment(as_of)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    rows = {m.pk: MemberRow(member=m) for m in members}
    assignments = list(_assignments_shown_on(as_of).order_by("role__sort_order", "role__name", "since"))
    absences = TimeOff.objects.filter(
        member_id__in=list(rows), start__lte=sprint_end, end__gte=sprint_start
    ).order_by("start")
    for time_off in absences:
        row = rows[time_off.member_id]
        row.off_this_sprint.append(time_off)
        if time_off.start <= as_of <= time_off.end:
            row.off_today = time_off

    by_cell: dict[int | None, list[HeldRole]] = defaultdict(list)
    handovers: dict[int | None, list[HeldRole]] = defaultdict(list)
    for assignment in assignments:
        held = _held(assignment, as_of)
        if assignment.member_id in rows and not held.in_transition:
            rows[assignment.member_id].roles.append(held)
        if held.in_transition or held.handover_upcoming:
            handovers[assignment.cell_id].append(held)
        if not held.in_transition:
            by_cell[assignment.cell_id].append(held)

    rotations: dict[int | None, list[RotationRow]] = defaultdict(list)
    # Grouped by rotation (firefighter 1, 2, backup, discovery duty...), then by date.
    slots = rotation_holders.holds(start=sprint_start, end=sprint_end)
    for hold in sorted(slots, key=lambda h: (rotation_holders.slug_rank(h.role_slug), h.start)):
        holder = rows.get(hold.member_id)
        rotations[hold.cell_id].append(RotationRow(hold=hold, member=holder.member if holder else None))

    management = list(Role.objects.filter(is_cell_management=True).order_by("sort_order"))
    findings_by_cell: dict[int | None, list[Finding]] = defaultdict(list)
    for finding in findings:
        findings_by_cell[finding.cell_id].append(finding)

    result: list[CellDirectory] = []
    for cell in cells:
        cell_rows = [row for row in rows.values() if row.member.cell_id == cell.pk]
        held_ids = {h.assignment.role_id for h in by_cell[cell.pk]}
        result.append(
            CellDirectory(
                cell=cell,
                members=cell_rows,
                roles=by_cell[cell.pk],
                rotations=rotations[cell.pk],
                missing_roles=[role for role in management if role.pk not in held_ids],
                handovers=handovers[cell.pk],
                off_today=[row for row in cell_rows if row.off_today is not None],
                off_this_sprint=[row for row in cell_rows if row.off_this_sprint],
                findings=findings_by_cell[cell.pk],
            )
        )
    return Directory(
        as_of=as_of,
        sprint_start=sprint_start,
        sprint_end=sprint_end,
        cells=result,
        company_roles=by_cell[None],
        company_handovers=handovers[None],
        findings=findings_by_cell[None],
        without_cell=[row for row in rows.values() if row.member.cell_id is None],
    )


@dataclass
class MemberPage:
    member: Member
    roles: list[HeldRole]
    rotations: list[RotationHold]
    past_roles: list[RoleAssignment]
    backing_up: list[RoleAssignment]
    commitments: list[WeeklyCommitment]
    type_periods: list[MemberTypePeriod]
    time_off: list[TimeOff]


# How far ahead the member page lists a member's rotations (this sprint and the next).
ROTATIONS_AHEAD_DAYS = 27


def member_page(*, member_id: int, as_of: date) -> MemberPage:
    """The member page in seven queries: the member (with user, cell, type and
    commitment), their assignments (rotation roles left out), their rotation slots from
    today for four weeks (the schedule), the assignments they back up, commitments, type
    history and time off."""
    member = get_object_or_404(
        Member.objects.with_type(as_of).with_commitment(as_of).select_related("user", "cell"), pk=member_id
    )
    assignments = list(
        RoleAssignment.objects.holdings()
        .filter(member=member)
        .select_related("role", "cell", "backup__user", "handed_over_to__user")
        .order_by("-since")
    )
    current = [a for a in assignments if a.is_current_on(as_of)]
    past = [a for a in assignments if not a.is_current_on(as_of) and a.since < as_of]
    upcoming = [a for a in assignments if a.since > as_of]
    backing_up = list(
        RoleAssignment.objects.holdings()
        .filter(backup=member)
        .filter(Q(until__isnull=True) | Q(until__gte=as_of))
        .select_related("role", "cell", "member__user")
        .order_by("role__sort_order")
    )
    return MemberPage(
        member=member,
        roles=[_held(a, as_of) for a in [*upcoming, *current]],
        rotations=rotation_holders.holds(
            start=as_of, end=as_of + timedelta(days=ROTATIONS_AHEAD_DAYS), member_ids=[member.pk]
        ),
        past_roles=past,
        backing_up=backing_up,
        commitments=list(WeeklyCommitment.objects.filter(member=member).order_by("-since")),
        type_periods=list(MemberTypePeriod.objects.filter(member=member).order_by("-since")),
        time_off=list(TimeOff.objects.filter(member=member).order_by("-start")),
    )


def member_check_context(
    *,
    member_id: int,
    as_of: date,
    assignments: Iterable[Any] | None = None,
    member_cell_id: int | None = None,
    rotations: Iterable[RotationHold] | None = None,
) -> CheckContext:
    """The context of "findings addressed to this member": their id and the roles they hold
    on ``as_of``: their assignments (rotation roles left out) and the rotations the schedule
    gives them that day (``roles.rotation_holders``), loaded in two queries; or in none when
    the caller already has the member's current ``assignments`` (role loaded) and their
    ``rotations`` around ``as_of`` and passes them with ``member_cell_id``."""
    rows: list[tuple[str, str, int | None, int | None]]
    if assignments is None:
        rows = list(
            RoleAssignment.objects.holdings()
            .filter(member_id=member_id, since__lte=as_of)
            .filter(Q(until__isnull=True) | Q(until__gte=as_of))
            .values_list("role__slug", "role__scope", "cell_id", "member__cell_id")
        )
        member_cell_id = rows[0][3] if rows else member_cell_id
    else:
        rows = [
            (a.role.slug, a.role.scope, a.cell_id, member_cell_id)
            for a in assignments
            if a.role.scope != RoleScope.ROTATION
        ]
    if rotations is None:
        rotations = rotation_holders.holds(start=as_of, end=as_of, member_ids=[member_id])
    rows += [
        (h.role_slug, RoleScope.ROTATION, h.cell_id, member_cell_id)
        for h in rotation_holders.held_on(rotations, as_of)
    ]
    return CheckContext(as_of=as_of, member_id=member_id, member_roles=held_roles(rows))


def next_time_off(*, member_id: int, as_of: date) -> TimeOff | None:
    """The member's current or next period away (one query), for their home page."""
    return TimeOff.objects.filter(member_id=member_id, end__gte=as_of).order_by("start").first()
