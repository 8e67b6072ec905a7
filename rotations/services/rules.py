"""The rules every edit of a rotation slot obeys, whoever makes it (grid, API, admin).

Read-only checks that return what is wrong instead of raising, so a form can show
each problem on its field; the services in ``editing`` raise them as a
``ValidationError``. A slot's period follows from its kind: firefighters and the
ops reviewer hold a whole sprint, discovery duty and the pager a duty week, a
backup firefighter some days of one sprint.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from opencraft_ops import calendar
from roles.models import Cell, Member
from rotations import calculations, selectors
from rotations.models import CORE_ONLY_KINDS, RotationAssignment, RotationKind

SPRINT_KINDS = (RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2, RotationKind.OPS_REVIEWER)
WEEK_KINDS = (RotationKind.DISCOVERY_DUTY, RotationKind.PAGER)
# Slots whose holders the pager follows: changing one rebuilds the sprint's pager shifts.
PAGER_SOURCE_KINDS = (RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2)

Problems = dict[str, list[str]]


def eligibility_problem(
    member: Member, *, kind: str, cell: Cell | None, start: date, end: date
) -> str | None:
    """Why ``member`` cannot hold ``kind`` over [start, end], or None. One query for core-only kinds."""
    if cell is not None and member.cell_id != cell.pk:
        return f"{member} is not a member of {cell}."
    if not member.is_active_on(start) or (member.left_on is not None and member.left_on < end):
        return f"{member} is not in the team for the whole period."
    if kind in CORE_ONLY_KINDS:
        member_type = (
            member.type_periods.filter(since__lte=start)
            .order_by("-since")
            .values_list("member_type", flat=True)
            .first()
        )
        if member_type != "core":
            return f"Only core members can be {RotationKind(kind).label.lower()}; {member} is not."
    if kind == RotationKind.DISCOVERY_DUTY and cell is not None and not cell.is_generalist:
        return "Project cells have no discovery duty."
    return None


def double_booking_problem(
    member: Member, *, kind: str, start: date, end: date, exclude: Iterable[int | None] = ()
) -> str | None:
    """Whether ``member`` already holds an overlapping turn of the same rotation. One query."""
    group = calculations.GROUP_OF_KIND[kind]
    same_group = [k for k, g in calculations.GROUP_OF_KIND.items() if g == group]
    clash = (
        RotationAssignment.objects.filter(member=member, kind__in=same_group, start__lte=end, end__gte=start)
        .exclude(pk__in=[pk for pk in exclude if pk is not None])
        .order_by("start")
        .first()
    )
    if clash is None:
        return None
    return f"{member} is already {clash.get_kind_display().lower()} from {clash.start} to {clash.end}."


def slot_end(kind: str, start: date) -> date:
    """The last day of a slot of ``kind`` starting on ``start`` (a backup: that day).
    Near the end of the calendar, the last representable day (then refused as outside it)."""
    days = 13 if kind in SPRINT_KINDS else 6 if kind in WEEK_KINDS else 0
    try:
        return start + timedelta(days=days)
    except OverflowError:
        return date.max


def period_problems(*, kind: str, start: date, end: date) -> Problems:
    """What is wrong with [start, end] for a slot of ``kind``, by field. No query."""
    if end < start:
        return {"end": ["A rotation cannot end before it starts."]}
    try:
        sprint = calendar.sprint_on(start)
        last = calendar.sprint_on(end)
    except ValueError as exc:
        return {"start": [f"No sprint on these dates: {exc}"]}
    label = RotationKind(kind).label
    if kind in SPRINT_KINDS:
        if start != sprint.start:
            return {
                "start": [
                    f"{label} starts on a sprint's first day, e.g. {sprint.start} (sprint {sprint.number})."
                ]
            }
        if end != sprint.end:
            return {"end": [f"{label} ends on the sprint's last day, {sprint.end}."]}
    elif kind in WEEK_KINDS:
        weeks = calculations.duty_weeks(sprint.start)
        if start not in (w[0] for w in weeks):
            listed = " or ".join(str(w[0]) for w in weeks)
            return {
                "start": [f"{label} starts on a duty week's first day: {listed} in sprint {sprint.number}."]
            }
        if end != slot_end(kind, start):
            return {"end": [f"{label} lasts one duty week: it ends on {slot_end(kind, start)}."]}
    elif last.number != sprint.number:
        return {"end": [f"A backup covers days of one sprint; sprint {sprint.number} ends on {sprint.end}."]}
    return {}


def policy_problem(*, kind: str, cell: Cell, policy: selectors.Policy) -> str | None:
    """Whether the cell's firefighting policy has slots of ``kind`` at all."""
    if kind in (RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2, RotationKind.FIREFIGHTER_BACKUP):
        wanted = 2 if kind == RotationKind.FIREFIGHTER_2 else 1
        if policy.firefighters < wanted:
            return (
                f"{cell} has {policy.firefighters} firefighter(s) per sprint (its firefighting policy), "
                f"so no {RotationKind(kind).label.lower()} slot."
            )
    if kind == RotationKind.OPS_REVIEWER and not policy.ops_reviewer:
        return f"{cell} has no ops reviewer (its firefighting policy)."
    if kind == RotationKind.PAGER and not (policy.pager and policy.firefighters):
        return f"{cell} has no pager shifts (its firefighting policy)."
    if kind == RotationKind.DISCOVERY_DUTY and not policy.discovery_duty:
        return "Project cells have no discovery duty."
    return None


def new_slot_problems(
    *,
    kind: str,
    cell: Cell | None,
    member: Member,
    start: date,
    end: date,
    policy: selectors.Policy | None = None,
) -> Problems:
    """Every rule a new slot breaks, by field: its period, the cell's policy, the holder's
    eligibility, and double booking. At most four queries."""
    if kind not in RotationKind.values:
        return {"kind": [f"Unknown rotation {kind!r}."]}
    problems = period_problems(kind=kind, start=start, end=end)
    if problems:
        return problems
    if cell is not None:
        why = policy_problem(kind=kind, cell=cell, policy=policy or selectors.policy_for(cell))
        if why:
            return {"kind": [why]}
    why = eligibility_problem(member, kind=kind, cell=cell, start=start, end=end) or double_booking_problem(
        member, kind=kind, start=start, end=end
    )
    return {"member": [why]} if why else {}


def holder_problem(assignment: RotationAssignment, member: Member) -> str | None:
    """Why ``member`` cannot take over ``assignment``, or None (eligibility, double booking)."""
    return eligibility_problem(
        member, kind=assignment.kind, cell=assignment.cell, start=assignment.start, end=assignment.end
    ) or double_booking_problem(
        member, kind=assignment.kind, start=assignment.start, end=assignment.end, exclude=[assignment.pk]
    )
