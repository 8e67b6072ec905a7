"""Pager shifts follow the sprint's firefighters: rebuilt whenever they change.

Schedule generation derives the pager from the firefighters it picks; the edit
services call :func:`pager_rebuild` after any change to a firefighter 1 or 2
slot (change, swap, create, delete), so the pager never points at someone who
no longer fights fires that sprint. A shift given to someone by hand
(``set_by_hand``) keeps its holder: rebuilds leave it alone until it is removed.

Every write of pager rows (rebuilds, schedule generation, a slot created by hand)
first locks the cell's row, so two edits of one sprint (filling firefighter 1 and
2 at once) rebuild one after the other, the second seeing what the first committed,
instead of both creating the same shift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opencraft_ops import calendar
from roles.models import Cell, Member
from roles.selectors import time_off_by_member
from rotations import calculations, selectors
from rotations.models import RotationAssignment, RotationKind
from rotations.services.webhooks import rotation_payload
from sprints.services import sprint_ensure


@dataclass
class PagerChange:
    """Pager slots created or given a new holder, and the payloads of those removed."""

    changed: list[RotationAssignment] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: PagerChange) -> None:
        self.changed += other.changed
        self.removed += other.removed


def cells_lock(*cell_ids: int | None) -> None:
    """Lock the cells' rows (in id order) until the transaction ends.

    Every edit takes them before any rotation row (``editing._lock``, ``rotation_create``,
    schedule generation), and the rebuild takes them again (a no-op then): the writers of
    one cell queue up, always cell first, so they never deadlock.
    """
    ids = sorted({pk for pk in cell_ids if pk is not None})
    if ids:
        list(Cell.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def pager_follows_firefighters(cell: Cell) -> bool:
    """Whether the cell's policy has pager shifts, taken by its firefighters. One query."""
    policy = selectors.policy_for(cell)
    return bool(policy.pager and policy.firefighters)


def pager_rebuild(*, cell: Cell, sprint_number: int) -> PagerChange:
    """Make the sprint's two weekly pager shifts match its firefighters (and their time off).

    Runs inside the caller's transaction, locks the cell (see the module docstring) and
    then the pager rows it rewrites. Does nothing when the cell's policy has no pager. A
    shift nobody can take (no firefighter, or every firefighter away most of that week) is
    removed. Shifts set by hand are left as they are.
    """
    change = PagerChange()
    if not pager_follows_firefighters(cell):
        return change
    cells_lock(cell.pk)
    dates = calendar.sprint_dates(sprint_number)
    holders = dict(
        RotationAssignment.objects.filter(
            cell=cell, start=dates.start, kind__in=[RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2]
        ).values_list("kind", "member")
    )
    firefighters = [holders.get(RotationKind.FIREFIGHTER_1), holders.get(RotationKind.FIREFIGHTER_2)]
    ids = [m for m in firefighters if m is not None]
    names = {m.pk: m.name for m in Member.objects.filter(pk__in=ids).select_related("user")}
    shifts = calculations.pager_shifts(
        sprint_number=sprint_number,
        sprint_start=dates.start,
        firefighters=firefighters,
        time_off=time_off_by_member(member_ids=ids, start=dates.start, end=dates.end),
        names=names,
    )
    existing = {
        a.start: a
        # No join in a locking query (see ``editing._lock``).
        for a in RotationAssignment.objects.select_for_update().filter(
            cell=cell, kind=RotationKind.PAGER, start__in=[s.slot.start for s in shifts]
        )
    }
    for shift in shifts:
        slot = existing.get(shift.slot.start)
        if slot is not None and slot.set_by_hand:
            continue
        reason = f"{shift.reason} (follows the firefighters)"
        if shift.member_id is None:
            if slot is not None:
                change.removed.append(rotation_payload(slot))
                slot.delete()
            continue
        if slot is None:
            slot = RotationAssignment.objects.create(
                kind=RotationKind.PAGER,
                cell=cell,
                member_id=shift.member_id,
                sprint=sprint_ensure(number=sprint_number),
                start=shift.slot.start,
                end=shift.slot.end,
                reason=reason,
            )
            change.changed.append(slot)
        elif slot.member_id != shift.member_id:
            slot.member_id = shift.member_id
            slot.reason = reason
            slot.save(update_fields=["member", "reason"])
            change.changed.append(slot)
    return change


def pager_follow(assignments: list[RotationAssignment]) -> PagerChange:
    """Rebuild the pager of every (cell, sprint) whose firefighter slots are among ``assignments``."""
    from rotations.services.rules import PAGER_SOURCE_KINDS

    change = PagerChange()
    seen: set[tuple[int, int]] = set()
    for a in assignments:
        if a.kind not in PAGER_SOURCE_KINDS or a.cell_id is None or a.cell is None:
            continue
        key = (a.cell_id, calendar.sprint_on(a.start).number)
        if key not in seen:
            seen.add(key)
            change.extend(pager_rebuild(cell=a.cell, sprint_number=key[1]))
    return change
