"""Demo duties: the catalog's duties opened for the demo organisation over the opener's
catch-up window (six weeks), most of the older ones done by their assignee, so the demo user (Bebop's
sprint manager and epic planning and sustainability manager) has duties due and
overdue, and the cell health page has a history.

Idempotent: the opener never opens a duty twice, and only duties still open and
older than a week are completed (each holder keeps their latest overdue one).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TextIO

from django.utils import timezone

from duties.catalog import load_duty_catalog
from duties.models import ChecklistItem, DutyDefinition, DutyInstance
from duties.services import duty_instances_open, finding_snapshots_take
from roles.models import Role
from sprints import calendar

KEEP_OPEN_DAYS = 7


def seed(stdout: TextIO) -> None:
    today = timezone.localdate()
    added = load_duty_catalog(DutyDefinition, Role)
    opened = duty_instances_open(as_of=today)
    completed = _complete_older_duties(today)
    snapshots = _snapshots(today)
    demo_open = DutyInstance.objects.filter(
        assignee__user__username="demo", done_at__isnull=True, opens_on__lte=today
    )
    stdout.write(
        f"  duties: {added} definitions added, {opened.created} duties opened, {completed} completed, "
        f"{snapshots} finding snapshots; demo has {demo_open.filter(due_on__lt=today).count()} overdue "
        f"and {demo_open.filter(due_on__gte=today).count()} open.\n"
    )


def _complete_older_duties(today: date) -> int:
    """Completes open duties due more than a week ago, ticked by their assignee on the due
    day, except each assignee's latest such duty (left overdue for the demo)."""
    cutoff = today - timedelta(days=KEEP_OPEN_DAYS)
    old = list(
        DutyInstance.objects.filter(done_at__isnull=True, due_on__lt=cutoff, assignee__isnull=False).order_by(
            "assignee_id", "-due_on", "pk"
        )
    )
    kept: set[int] = set()
    to_complete: list[DutyInstance] = []
    for duty in old:
        if duty.assignee_id is not None and duty.assignee_id not in kept:
            kept.add(duty.assignee_id)
            continue
        to_complete.append(duty)
    tz = timezone.get_current_timezone()
    items = list(ChecklistItem.objects.filter(duty__in=to_complete, ticked_at__isnull=True))
    when = {d.pk: datetime.combine(d.due_on, time(15, 0), tzinfo=tz) for d in to_complete}
    by_duty = {d.pk: d for d in to_complete}
    for item in items:
        item.ticked_at = when[item.duty_id]
        item.ticked_by_id = by_duty[item.duty_id].assignee_id
    ChecklistItem.objects.bulk_update(items, ["ticked_at", "ticked_by"])
    for duty in to_complete:
        duty.done_at, duty.done_by_id = when[duty.pk], duty.assignee_id
    DutyInstance.objects.bulk_update(to_complete, ["done_at", "done_by"])
    return len(to_complete)


def _snapshots(today: date) -> int:
    """Finding counts for the last day of each of the previous five sprints and today, as the
    checks see the data now (the beat task records one a day from here on)."""
    current = calendar.sprint_on(today).number
    days = [calendar.sprint_dates(n).end for n in range(max(1, current - 5), current)] + [today]
    return sum(finding_snapshots_take(as_of=day) for day in days)
