"""Demo rotations: a fair schedule for the current and next three sprints of
every cell, made with the same service the sprint manager uses; a recorded swap
in Bebop, a backup firefighter where coverage needs one, Serenity's own
one-firefighter policy, and an (inactive) example webhook endpoint.

Idempotent: applying a schedule only fills empty slots, and the swap, backup,
policy and endpoint are created only when missing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TextIO

from django.core.exceptions import ValidationError
from django.utils import timezone

from opencraft_ops import calendar
from roles.models import Cell, Member
from rotations import selectors
from rotations.calculations import FIREFIGHTER_KINDS, DayCoverage
from rotations.models import FirefightingPolicy, RotationAssignment, RotationKind, Swap, WebhookEndpoint
from rotations.services.editing import rotation_backup_assign, rotation_swap
from rotations.services.schedule import schedule_apply

SPRINTS_AHEAD = 4


def seed(stdout: TextIO) -> None:
    today = timezone.localdate()
    current = calendar.sprint_on(today).number
    cells = list(Cell.objects.order_by("name"))
    if not cells:
        stdout.write("rotations: no cells yet, nothing to schedule.\n")
        return
    serenity = next((c for c in cells if not c.is_generalist), None)
    if serenity is not None:
        FirefightingPolicy.objects.get_or_create(cell=serenity, defaults={"firefighters_per_sprint": 1})
    created = 0
    for cell in cells:
        if not Member.objects.filter(cell=cell).exists():
            continue
        created += len(schedule_apply(cell=cell, first_sprint=current, sprints=SPRINTS_AHEAD).created)
    stdout.write(
        f"rotations: {created} slot(s) scheduled for sprints {current}-{current + SPRINTS_AHEAD - 1}.\n"
    )
    generalist = next((c for c in cells if c.is_generalist), None)
    if generalist is not None:
        _demo_swap(generalist, current, today, stdout)
    for cell in cells:
        _demo_backup(cell, current, stdout)
    WebhookEndpoint.objects.get_or_create(
        name="Example receiver (inactive)",
        defaults={
            "url": "http://127.0.0.1:9/opencraft-ops-hook",
            "secret": "demo-only-secret-change-me",
            "events": ["sprint.started", "rotation.changed", "duty.overdue"],
            "is_active": False,
        },
    )


def _demo_swap(cell: Cell, current: int, today: date, stdout: TextIO) -> None:
    if Swap.objects.filter(first__cell=cell).exists():
        return
    slots = {
        a.start: a
        for a in RotationAssignment.objects.filter(cell=cell, kind=RotationKind.FIREFIGHTER_1).select_related(
            "member__user", "cell"
        )
    }
    first = slots.get(calendar.sprint_dates(current + 1).start)
    second = slots.get(calendar.sprint_dates(current + 2).start)
    if first is None or second is None:
        return
    try:
        swap = rotation_swap(
            first=first,
            second=second,
            agreed_on=today - timedelta(days=1),
            agreed_by=second.member,
            note="Demo: swapped so one of them can attend a conference.",
        )
    except ValidationError as exc:
        stdout.write(f"rotations: demo swap skipped ({' '.join(exc.messages)}).\n")
        return
    stdout.write(f"rotations: {swap.first_member} and {swap.second_member} swapped firefighter 1 turns.\n")


def _demo_backup(cell: Cell, current: int, stdout: TextIO) -> None:
    """A backup for the first day without a firefighter present; when every day is
    covered in a generalist cell, a backup for the first day a firefighter is away."""
    if RotationAssignment.objects.filter(cell=cell, kind=RotationKind.FIREFIGHTER_BACKUP).exists():
        return
    for number in (current, current + 1, current + 2):
        view = selectors.sprint_coverage(cell, sprint_number=number)
        day = next((d for d in view.days if not d.covered and d.suggested_backup), None)
        if day is None and cell.is_generalist:
            day = next((d for d in view.days if d.firefighters_away and d.suggested_backup is None), None)
            if day is not None:
                day = _with_suggestion(cell, view, day)
        if day is None or day.suggested_backup is None:
            continue
        member = Member.objects.get(pk=day.suggested_backup)
        try:
            rotation_backup_assign(
                cell=cell, sprint_number=number, member=member, start=day.day, end=day.day, note="Demo backup"
            )
        except ValidationError:
            continue
        stdout.write(f"rotations: {member} is backup firefighter in {cell} on {day.day}.\n")
        return
    if cell.is_generalist:
        # Every day covered: still show one backup, on the next sprint's first day.
        view = selectors.sprint_coverage(cell, sprint_number=current + 1)
        day = _with_suggestion(cell, view, replace(view.days[0], suggested_backup=None))
        if day.suggested_backup is not None:
            member = Member.objects.get(pk=day.suggested_backup)
            try:
                rotation_backup_assign(
                    cell=cell,
                    sprint_number=current + 1,
                    member=member,
                    start=day.day,
                    end=day.day,
                    note="Demo: covers the first day while the firefighters plan the sprint",
                )
            except ValidationError:
                return
            stdout.write(f"rotations: {member} is backup firefighter in {cell} on {day.day}.\n")


def _with_suggestion(cell: Cell, view: selectors.CoverageView, day: DayCoverage) -> DayCoverage:
    """Someone eligible and present that day who is not a firefighter of the sprint."""
    firefighters = {d.member_id for d in view.duties if d.kind in FIREFIGHTER_KINDS}
    dates = calendar.sprint_dates(view.sprint_number)
    for candidate in selectors.cell_candidates(cell, start=dates.start, end=dates.end):
        if candidate.member_id in firefighters or candidate.is_eligible(day.day, day.day, core_only=True):
            continue
        if any(p.covers(day.day) and p.hours_per_day is None for p in candidate.time_off):
            continue
        return replace(day, suggested_backup=candidate.member_id)
    return day
