"""Edits of the sprint manager: change a slot, swap two members, add a backup firefighter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from roles.models import Cell, Member
from rotations import calculations, selectors
from rotations.models import CORE_ONLY_KINDS, RotationAssignment, RotationKind, Swap, WebhookEvent
from rotations.services.webhooks import webhook_emit
from sprints import calendar
from sprints.services import sprint_ensure


def rotation_payload(a: RotationAssignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "cell": a.cell.slug if a.cell_id and a.cell else None,
        "member_id": a.member_id,
        "member": a.member.name,
        "sprint": a.sprint.number if a.sprint_id and a.sprint else None,
        "start": a.start.isoformat(),
        "end": a.end.isoformat(),
        "reserved_hours": str(a.reserved_hours),
    }


def _emit_changed(action: str, assignments: list[RotationAssignment], **extra: Any) -> None:
    webhook_emit(
        event=WebhookEvent.ROTATION_CHANGED,
        payload={"action": action, "rotations": [rotation_payload(a) for a in assignments], **extra},
    )


def eligibility_problem(
    member: Member, *, kind: str, cell: Cell | None, start: date, end: date
) -> str | None:
    """Why ``member`` cannot hold ``kind`` over [start, end], or None."""
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


def _check_double_booking(member: Member, assignment: RotationAssignment) -> None:
    group = calculations.GROUP_OF_KIND[assignment.kind]
    same_group = [k for k, g in calculations.GROUP_OF_KIND.items() if g == group]
    clash = (
        RotationAssignment.objects.filter(
            member=member, kind__in=same_group, start__lte=assignment.end, end__gte=assignment.start
        )
        .exclude(pk=assignment.pk)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            f"{member} is already {clash.get_kind_display().lower()} from {clash.start} to {clash.end}."
        )


@transaction.atomic
def rotation_change(
    *,
    assignment: RotationAssignment,
    member: Member,
    user: User | AnonymousUser | None = None,
    note: str = "",
) -> RotationAssignment:
    """Put ``member`` in the slot instead of its current holder."""
    if member.pk == assignment.member_id:
        return assignment
    problem = eligibility_problem(
        member, kind=assignment.kind, cell=assignment.cell, start=assignment.start, end=assignment.end
    )
    if problem:
        raise ValidationError(problem)
    _check_double_booking(member, assignment)
    previous = assignment.member
    assignment.member = member
    assignment.reason = f"Changed by hand from {previous}." + (f" {note}" if note else "")
    if note:
        assignment.note = note[:255]
    assignment.save(update_fields=["member", "reason", "note"])
    _emit_changed("changed", [assignment], previous_member_id=previous.pk)
    return assignment


@transaction.atomic
def rotation_swap(
    *,
    first: RotationAssignment,
    second: RotationAssignment,
    agreed_on: date,
    user: User | AnonymousUser | None = None,
    note: str = "",
) -> Swap:
    """Exchange the holders of two slots, recording who agreed and when."""
    if first.pk == second.pk:
        raise ValidationError("Pick two different slots to swap.")
    if first.member_id == second.member_id:
        raise ValidationError("Both slots are held by the same member: nothing to swap.")
    if calculations.GROUP_OF_KIND[first.kind] != calculations.GROUP_OF_KIND[second.kind]:
        raise ValidationError(
            f"A swap exchanges turns of one rotation; {first.get_kind_display()} and "
            f"{second.get_kind_display()} are different rotations."
        )
    a, b = first.member, second.member
    for member, slot in ((b, first), (a, second)):
        problem = eligibility_problem(member, kind=slot.kind, cell=slot.cell, start=slot.start, end=slot.end)
        if problem:
            raise ValidationError(problem)
    # Park the first slot's holder so the double-booking check sees the final state.
    first.member, second.member = b, a
    for member, slot in ((b, first), (a, second)):
        clash = (
            RotationAssignment.objects.filter(
                member=member,
                kind__in=[
                    k
                    for k, g in calculations.GROUP_OF_KIND.items()
                    if g == calculations.GROUP_OF_KIND[slot.kind]
                ],
                start__lte=slot.end,
                end__gte=slot.start,
            )
            .exclude(pk__in=[first.pk, second.pk])
            .first()
        )
        if clash is not None:
            raise ValidationError(
                f"{member} is already {clash.get_kind_display().lower()} from {clash.start} to {clash.end}."
            )
    reason = f"Swapped between {a} and {b}, agreed on {agreed_on.isoformat()}."
    first.reason = second.reason = reason
    first.save(update_fields=["member", "reason"])
    second.save(update_fields=["member", "reason"])
    swap = Swap.objects.create(
        first=first,
        second=second,
        first_member=a,
        second_member=b,
        agreed_on=agreed_on,
        note=note[:255],
        recorded_by=user if isinstance(user, User) else None,
    )
    _emit_changed("swapped", [first, second], swap_id=swap.pk)
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
    problem = eligibility_problem(
        member, kind=RotationKind.FIREFIGHTER_BACKUP, cell=cell, start=start, end=end
    )
    if problem:
        raise ValidationError(problem)
    holders = RotationAssignment.objects.filter(
        cell=cell, kind__in=calculations.FIREFIGHTER_KINDS, member=member, start__lte=end, end__gte=start
    )
    if holders.exists():
        raise ValidationError(f"{member} is already a firefighter on those days.")
    budget = selectors.cell_budget(cell, as_of=dates.start)
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
    _emit_changed("backup_added", [assignment])
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
    """Create one assignment by hand (API and admin)."""
    if end < start:
        raise ValidationError("A rotation cannot end before it starts.")
    problem = eligibility_problem(member, kind=kind, cell=cell, start=start, end=end)
    if problem:
        raise ValidationError(problem)
    sprint = sprint_ensure(number=calendar.sprint_on(start).number)
    if reserved_hours is None:
        reserved_hours = Decimal(0)
        if cell is not None and kind in (RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2):
            reserved_hours = selectors.cell_budget(cell, as_of=start).firefighter_sprint_each
        elif cell is not None and kind == RotationKind.DISCOVERY_DUTY:
            reserved_hours = selectors.cell_budget(cell, as_of=start).discovery_duty_weekly
    assignment = RotationAssignment(
        kind=kind,
        cell=cell,
        member=member,
        sprint=sprint,
        start=start,
        end=end,
        reserved_hours=reserved_hours,
        note=note[:255],
    )
    _check_double_booking(member, assignment)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        raise ValidationError("This slot already has someone; change or swap it instead.") from exc
    _emit_changed("created", [assignment])
    return assignment


@transaction.atomic
def rotation_update(
    *,
    assignment: RotationAssignment,
    member: Member | None = None,
    reserved_hours: Decimal | None = None,
    note: str | None = None,
) -> RotationAssignment:
    if member is not None and member.pk != assignment.member_id:
        rotation_change(assignment=assignment, member=member)
    fields = []
    if reserved_hours is not None:
        assignment.reserved_hours = reserved_hours
        fields.append("reserved_hours")
    if note is not None:
        assignment.note = note[:255]
        fields.append("note")
    if fields:
        assignment.save(update_fields=fields)
        _emit_changed("changed", [assignment])
    return assignment


@transaction.atomic
def rotation_delete(*, assignment: RotationAssignment) -> None:
    payload = rotation_payload(assignment)
    assignment.delete()
    webhook_emit(event=WebhookEvent.ROTATION_CHANGED, payload={"action": "deleted", "rotations": [payload]})
