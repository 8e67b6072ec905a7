"""Demo duties: the catalog's duties opened for the demo organisation over the opener's
catch-up window (six weeks), nearly all of the past ones done by their assignee around their
due day, so the demo looks like a team that keeps up: the demo user (Bebop's sprint manager
and epic planning and sustainability manager) has two overdue duties, one current duty half
ticked and the rest coming up, and the cell health page has a history.

Reproducible: which duties stay open, and how early or late each was done, follow from the
duty's key (definition, period, subject), not from ids or randomness. Idempotent: the opener
never opens a duty twice, and a second run completes nothing more the same day.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta
from typing import TextIO

from django.utils import timezone

from duties.catalog import load_duty_catalog
from duties.models import ChecklistItem, DutyDefinition, DutyInstance
from duties.services import duty_instances_open, finding_snapshots_take
from roles.models import Role
from sprints import calendar

DEMO_USER = "demo"
DEMO_USER_OVERDUE = 2  # the demo user's latest past-due duties, left open
OPEN_ONE_IN = 10  # elsewhere, about one past-due duty in ten stays open
LATE_ONE_IN = 8  # about one done duty in eight was done a day late


def seed(stdout: TextIO) -> None:
    today = timezone.localdate()
    added = load_duty_catalog(DutyDefinition, Role)
    opened = duty_instances_open(as_of=today)
    completed = _complete_past_duties(today)
    half = _half_tick_a_current_duty(today)
    snapshots = _snapshots(today)
    demo_open = DutyInstance.objects.filter(
        assignee__user__username=DEMO_USER, done_at__isnull=True, opens_on__lte=today
    )
    stdout.write(
        f"  duties: {added} definitions added, {opened.created} duties opened, {completed} completed, "
        f"{half} item(s) ticked on a current duty, {snapshots} finding snapshots; demo has "
        f"{demo_open.filter(due_on__lt=today).count()} overdue and "
        f"{demo_open.filter(due_on__gte=today).count()} open.\n"
    )


def _key_hash(duty: DutyInstance) -> int:
    """A stable number per duty (its identity, not its id), for reproducible choices."""
    return zlib.crc32(f"{duty.definition_id}:{duty.period}:{duty.subject_key}".encode())


def _done_at(duty: DutyInstance, now: datetime) -> datetime:
    """Around the due day: one in ``LATE_ONE_IN`` a day late, one in four a day early (when it
    was open then), the rest on the day, at a working hour; never in the future."""
    h = _key_hash(duty)
    shift = 1 if h % LATE_ONE_IN == 0 else -1 if h % 4 == 1 else 0
    day = max(duty.due_on + timedelta(days=shift), duty.opens_on)
    at = datetime.combine(day, time(9 + (h >> 4) % 8, (h >> 8) % 60), tzinfo=timezone.get_current_timezone())
    return min(at, now - timedelta(minutes=1))


def _complete_past_duties(today: date) -> int:
    """Completes the open duties due before today, ticked by their assignee around the due
    day, except a fixed few: the demo user's ``DEMO_USER_OVERDUE`` latest and about one in
    ``OPEN_ONE_IN`` of everyone else's (chosen by the duty's key). Four queries."""
    past = list(
        DutyInstance.objects.filter(done_at__isnull=True, due_on__lt=today, assignee__isnull=False)
        .select_related("assignee__user")
        .order_by("-due_on", "definition__sort_order", "pk")
    )
    kept_for_demo = 0
    to_complete: list[DutyInstance] = []
    for duty in past:
        if duty.assignee.user.username == DEMO_USER:  # type: ignore[union-attr]
            if kept_for_demo < DEMO_USER_OVERDUE:
                kept_for_demo += 1
                continue
        elif _key_hash(duty) % OPEN_ONE_IN == 0:
            continue
        to_complete.append(duty)
    now = timezone.now()
    when = {d.pk: _done_at(d, now) for d in to_complete}
    by_duty = {d.pk: d for d in to_complete}
    items = list(
        ChecklistItem.objects.filter(duty__in=to_complete, ticked_at__isnull=True).order_by(
            "duty", "position"
        )
    )
    for item in items:
        # Ticked a few minutes apart, the last one when the duty was done.
        item.ticked_at = when[item.duty_id] - timedelta(minutes=3 * (20 - min(item.position, 20)))
        item.ticked_by_id = by_duty[item.duty_id].assignee_id
    ChecklistItem.objects.bulk_update(items, ["ticked_at", "ticked_by"], batch_size=500)
    for duty in to_complete:
        duty.done_at, duty.done_by_id = when[duty.pk], duty.assignee_id
    DutyInstance.objects.bulk_update(to_complete, ["done_at", "done_by"], batch_size=500)
    return len(to_complete)


def _half_tick_a_current_duty(today: date) -> int:
    """Ticks the first half of the checklist of the demo user's next open duty (once: nothing
    when one of their current duties already has ticks). Returns how many items were ticked."""
    current = DutyInstance.objects.filter(
        assignee__user__username=DEMO_USER, done_at__isnull=True, opens_on__lte=today, due_on__gte=today
    )
    if ChecklistItem.objects.filter(duty__in=current, ticked_at__isnull=False).exists():
        return 0
    duty = current.order_by("due_on", "definition__sort_order", "pk").first()
    if duty is None:
        return 0
    items = list(duty.items.order_by("position"))
    first_half = items[: len(items) // 2]
    now = timezone.now()
    for i, item in enumerate(first_half):
        item.ticked_at = now - timedelta(hours=2, minutes=-5 * i)
        item.ticked_by_id = duty.assignee_id
    ChecklistItem.objects.bulk_update(first_half, ["ticked_at", "ticked_by"])
    return len(first_half)


def _snapshots(today: date) -> int:
    """Finding counts for the last day of each of the previous five sprints and today, as the
    checks see the data now (the beat task records one a day from here on)."""
    current = calendar.sprint_on(today).number
    days = [calendar.sprint_dates(n).end for n in range(max(1, current - 5), current)] + [today]
    return sum(finding_snapshots_take(as_of=day) for day in days)
