"""Edits of the sprint manager: change a slot, swap two members, add a backup firefighter,
and create, update or delete a slot by hand (grid, API and admin alike).

Every edit checks the rules in ``rotations.services.rules``, locks the cell and then
the rows it rewrites (``select_for_update``, in id order), rebuilds the pager of a
sprint whose firefighters changed and sends one ``rotation.changed`` webhook.

A pager shift given to someone by hand (changed, swapped or created) is marked
``set_by_hand`` and keeps that holder when the firefighters change; removing it
hands it back to the firefighters. A shift that follows them cannot be removed (the
next rebuild would bring it back).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from opencraft_ops import calendar
from roles.models import Cell, Member
from rotations import calculations, selectors
from rotations.models import RotationAssignment, RotationKind, Swap, WebhookEvent
from rotations.services.pager import (
    PagerChange,
    cells_lock,
    pager_follow,
    pager_follows_firefighters,
    pager_rebuild,
)
from rotations.services.rules import (
    double_booking_problem,
    eligibility_problem,
    holder_problem,
    new_slot_problems,
    policy_problem,
)
from rotations.services.webhooks import rotation_payload, webhook_emit
from sprints.services import sprint_ensure

__all__ = [
    "eligibility_problem",
    "rotation_backup_assign",
    "rotation_change",
    "rotation_create",
    "rotation_delete",
    "rotation_payload",
    "rotation_swap",
    "rotation_update",
]


def _emit_changed(
    action: str,
    rotations: list[dict[str, Any]],
    *,
    pager: PagerChange | None = None,
    **extra: Any,
) -> None:
    """One ``rotation.changed`` event: the slots the action is about, plus the pager
    shifts that followed (``pager``: created or re-assigned, ``pager_removed``)."""
    payload: dict[str, Any] = {"action": action, "rotations": rotations, **extra}
    if pager and pager.changed:
        payload["pager"] = [rotation_payload(a) for a in pager.changed]
    if pager and pager.removed:
        payload["pager_removed"] = pager.removed
    webhook_emit(event=WebhookEvent.ROTATION_CHANGED, payload=payload)


def _payloads(*assignments: RotationAssignment) -> list[dict[str, Any]]:
    return [rotation_payload(a) for a in assignments]


BY_HAND = "Set by hand: it keeps this holder when the firefighters change; remove it to hand it back to them."


def _lock(*assignments: RotationAssignment) -> None:
    """Lock the slots' cells, then the rows (in id order, so two edits never deadlock), and
    refresh the given instances from them: a concurrent edit that committed first is seen,
    not overwritten. Two queries, plus one per changed holder (SQLite, the demo, has no row
    locks and runs one writer at a time).

    The locking query joins nothing: PostgreSQL rechecks a row updated meanwhile against
    the joined rows as first read, and would drop it from the result.
    """
    cells_lock(*(a.cell_id for a in assignments))
    rows = {
        row.pk: row
        for row in RotationAssignment.objects.select_for_update()
        .filter(pk__in=[a.pk for a in assignments])
        .order_by("pk")
    }
    for a in assignments:
        row = rows.get(a.pk)
        if row is None:
            raise ValidationError("This slot no longer exists; reload the page.")
        a.member_id = row.member_id  # drops a cached holder that is no longer the one
        a.reason, a.note, a.reserved_hours = row.reason, row.note, row.reserved_hours
        a.set_by_hand = row.set_by_hand


def _mark_by_hand(assignment: RotationAssignment) -> list[str]:
    """A pager shift given by hand keeps its holder from now on (see the module docstring);
    returns the field to save with it."""
    if assignment.kind != RotationKind.PAGER:
        return []
    assignment.set_by_hand = True
    assignment.reason = f"{assignment.reason} {BY_HAND}"
    return ["set_by_hand"]


def _set_holder(assignment: RotationAssignment, member: Member, note: str = "") -> Member:
    """Give the (locked) slot to ``member`` after checking the rules; returns the previous holder."""
    problem = holder_problem(assignment, member)
    if problem:
        raise ValidationError(problem)
    previous = assignment.member
    assignment.member = member
    assignment.reason = f"Changed by hand from {previous}." + (f" {note}" if note else "")
    fields = ["member", "reason", *_mark_by_hand(assignment)]
    if note:
        assignment.note = note[:255]
        fields.append("note")
    assignment.save(update_fields=fields)
    return previous


@transaction.atomic
def rotation_change(
    *,
    assignment: RotationAssignment,
    member: Member,
    user: User | AnonymousUser | None = None,
    note: str = "",
) -> RotationAssignment:
    """Put ``member`` in the slot instead of its current holder."""
    _lock(assignment)
    if member.pk == assignment.member_id:
        return assignment
    previous = _set_holder(assignment, member, note)
    _emit_changed(
        "changed", _payloads(assignment), pager=pager_follow([assignment]), previous_member_id=previous.pk
    )
    return assignment


@transaction.atomic
def rotation_swap(
    *,
    first: RotationAssignment,
    second: RotationAssignment,
    agreed_on: date,
    agreed_by: Member,
    user: User | AnonymousUser | None = None,
    note: str = "",
) -> Swap:
    """Exchange the holders of two slots, recording who agreed and when.

    Both rows are locked first and the holders read from them, so a change committed
    meanwhile is swapped as it now stands instead of being silently undone.
    """
    if first.pk == second.pk:
        raise ValidationError("Pick two different slots to swap.")
    _lock(first, second)
    if first.member_id == second.member_id:
        raise ValidationError("Both slots are held by the same member: nothing to swap.")
    if calculations.GROUP_OF_KIND[first.kind] != calculations.GROUP_OF_KIND[second.kind]:
        raise ValidationError(
            f"A swap exchanges turns of one rotation; {first.get_kind_display()} and "
            f"{second.get_kind_display()} are different rotations."
        )
    a, b = first.member, second.member
    if agreed_by.pk not in (a.pk, b.pk):
        raise ValidationError(f"The member who agreed must be {a} or {b}, whose turns are swapped.")
    for member, slot in ((b, first), (a, second)):
        problem = eligibility_problem(member, kind=slot.kind, cell=slot.cell, start=slot.start, end=slot.end)
        if problem:
            raise ValidationError(problem)
    first.member, second.member = b, a
    for member, slot in ((b, first), (a, second)):
        problem = double_booking_problem(
            member, kind=slot.kind, start=slot.start, end=slot.end, exclude=[first.pk, second.pk]
        )
        if problem:
            raise ValidationError(problem)
    reason = f"Swapped between {a} and {b}, agreed by {agreed_by} on {agreed_on.isoformat()}."
    for slot in (first, second):
        slot.reason = reason
        slot.save(update_fields=["member", "reason", *_mark_by_hand(slot)])
    swap = Swap.objects.create(
        first=first,
        second=second,
        first_member=a,
        second_member=b,
        agreed_on=agreed_on,
        agreed_by=agreed_by,
        note=note[:255],
        recorded_by=user if isinstance(user, User) else None,
    )
    _emit_changed(
        "swapped",
        _payloads(first, second),
        pager=pager_follow([first, second]),
        swap_id=swap.pk,
        agreed_by_id=agreed_by.pk,
    )
    return swap


@transaction.atomic
def rotation_backup_assign(
    *, cell: Cell, sprint_number: int, member: Member, start: date, end: date, note: str = ""
) -> RotationAssignment:
    """Add a backup (third) firefighter for [start, end] within the sprint."""
    dates = calendar.sprint_dates(sprint_number)
    if not (dates.start <= start <= end <= dates.end):
        raise ValidationError(
            f"The backup days must fall within sprint {sprint_number} ({dates.start} – {dates.end})."
        )
    policy = selectors.policy_for(cell)
    problem = policy_problem(
        kind=RotationKind.FIREFIGHTER_BACKUP, cell=cell, policy=policy
    ) or eligibility_problem(member, kind=RotationKind.FIREFIGHTER_BACKUP, cell=cell, start=start, end=end)
    if problem:
        raise ValidationError(problem)
    holders = RotationAssignment.objects.filter(
        cell=cell, kind__in=calculations.FIREFIGHTER_KINDS, member=member, start__lte=end, end__gte=start
    )
    if holders.exists():
        raise ValidationError(f"{member} is already a firefighter on those days.")
    budget = selectors.cell_budget(cell, as_of=dates.start, policy=policy)
    days = len([d for d in dates.working_days if start <= d <= end])
    assignment = RotationAssignment.objects.create(
        kind=RotationKind.FIREFIGHTER_BACKUP,
        cell=cell,
        member=member,
        sprint=sprint_ensure(number=sprint_number),
        start=start,
        end=end,
        reserved_hours=calculations.backup_reserved_hours(
            firefighter_sprint_each=budget.firefighter_sprint_each,
            days_covered=days,
            sprint_workdays=len(dates.working_days),
        ),
        note=note[:255],
        reason="Backup firefighter for days without a firefighter present.",
    )
    _emit_changed("backup_added", _payloads(assignment))
    return assignment


@transaction.atomic
def rotation_create(
    *,
    kind: str,
    cell: Cell | None,
    member: Member,
    start: date,
    end: date,
    reserved_hours: Decimal | None = None,
    note: str = "",
) -> RotationAssignment:
    """Create one slot by hand (grid, API and admin).

    Refuses, by field, a period that is not the kind's (a sprint, a duty week, days of
    one sprint), a kind the cell's firefighting policy does not schedule, an
    ineligible or double-booked holder and a slot that is already filled.
    """
    if cell is not None:
        cells_lock(cell.pk)  # one writer per cell: a concurrent fill is seen before checking
    policy = selectors.policy_for(cell) if cell is not None else None
    problems = new_slot_problems(kind=kind, cell=cell, member=member, start=start, end=end, policy=policy)
    if problems:
        raise ValidationError(problems)
    sprint = sprint_ensure(number=calendar.sprint_on(start).number)
    if reserved_hours is None:
        reserved_hours = Decimal(0)
        if cell is not None and kind in (RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2):
            reserved_hours = selectors.cell_budget(cell, as_of=start, policy=policy).firefighter_sprint_each
        elif cell is not None and kind == RotationKind.DISCOVERY_DUTY:
            reserved_hours = selectors.cell_budget(cell, as_of=start, policy=policy).discovery_duty_weekly
    assignment = RotationAssignment(
        kind=kind,
        cell=cell,
        member=member,
        sprint=sprint,
        start=start,
        end=end,
        reserved_hours=reserved_hours,
        note=note[:255],
        reason="Assigned by hand.",
    )
    _mark_by_hand(assignment)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        raise ValidationError("This slot already has someone; change or swap it instead.") from exc
    _emit_changed("created", _payloads(assignment), pager=pager_follow([assignment]))
    return assignment


@transaction.atomic
def rotation_update(
    *,
    assignment: RotationAssignment,
    member: Member | None = None,
    reserved_hours: Decimal | None = None,
    note: str | None = None,
) -> RotationAssignment:
    """Change a slot's holder, reserved hours or note (API and admin): one webhook for all."""
    _lock(assignment)
    previous = None
    if member is not None and member.pk != assignment.member_id:
        previous = _set_holder(assignment, member)
    fields = []
    if reserved_hours is not None and reserved_hours != assignment.reserved_hours:
        assignment.reserved_hours = reserved_hours
        fields.append("reserved_hours")
    if note is not None and note[:255] != assignment.note:
        assignment.note = note[:255]
        fields.append("note")
    if fields:
        assignment.save(update_fields=fields)
    if previous is not None or fields:
        extra = {"previous_member_id": previous.pk} if previous is not None else {}
        pager = pager_follow([assignment]) if previous is not None else None
        _emit_changed("changed", _payloads(assignment), pager=pager, **extra)
    return assignment


@transaction.atomic
def rotation_delete(*, assignment: RotationAssignment) -> None:
    """Remove a slot (e.g. a backup no longer needed); the pager follows a removed firefighter.

    Removing a pager shift set by hand hands it back to the sprint's firefighters (rebuilt
    at once); one that follows them already is refused, since the next change of the
    firefighters would bring it back.
    """
    _lock(assignment)
    cell = assignment.cell
    follows = assignment.kind == RotationKind.PAGER and cell is not None and pager_follows_firefighters(cell)
    if follows and not assignment.set_by_hand:
        raise ValidationError(
            "This pager shift follows the sprint's firefighters, so removing it would not last: "
            "change or swap the firefighters, give the shift to someone by hand, or turn the "
            "pager off in the cell's firefighting policy."
        )
    payload = rotation_payload(assignment)
    assignment.delete()
    pager = pager_follow([assignment])
    if follows and cell is not None:  # a shift set by hand goes back to the firefighters
        pager.extend(pager_rebuild(cell=cell, sprint_number=calendar.sprint_on(assignment.start).number))
    _emit_changed("deleted", [payload], pager=pager)
