"""Demo duties: the catalog's duties opened for the demo organisation over the opener's
catch-up window (six weeks), nearly all of the past ones done by their assignee around their
due day, so the demo looks like a team that keeps up: the demo user (Bebop's sprint manager
and epic planning and sustainability manager) has two overdue duties, one current duty half
ticked and the rest coming up, and the cell health page has a history. On the days of a
sprint when none of their duties is open (Thursday to Sunday of W1), their next one is opened
early, so the current duty is there whatever the day.

Reproducible: which duties stay open, and how early or late each was done, follow from the
duty's identity in stable terms (definition slug, period, and the cell slug, username or epic
key it is about), never from database ids or randomness; and the shares are exact, not
left to a hash: of the past-due duties of everyone but the demo user, ``len // OPEN_ONE_IN``
stay open, and of those completed, ``len // LATE_ONE_IN`` were done a day late. Idempotent:
the opener never opens a duty twice, and a second run completes nothing more the same day.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta
from typing import TextIO

from django.db.models import QuerySet
from django.utils import timezone

from duties.catalog import load_duty_catalog
from duties.models import ChecklistItem, DutyDefinition, DutyInstance
from duties.services import LOOKAHEAD_DAYS, duty_instances_open, finding_snapshots_take
from opencraft_ops import calendar
from roles.models import Role

DEMO_USER = "demo"
DEMO_USER_OVERDUE = 2  # the demo user's latest past-due duties, left open
OPEN_ONE_IN = 10  # elsewhere, one past-due duty in ten (rounded down) stays open
LATE_ONE_IN = 8  # one completed duty in eight (rounded down) was done a day late


def seed(stdout: TextIO) -> None:
    today = timezone.localdate()
    added = load_duty_catalog(DutyDefinition, Role)
    opened = duty_instances_open(as_of=today)
    completed = _complete_past_duties(today)
    _open_the_demo_users_next_duty_early(today)
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


def _stable_key(duty: DutyInstance) -> str:
    """The duty's identity without database ids: its definition's slug, its period and what
    it is about (epic key, member's username or cell slug). Needs the definition, epic,
    subject member's user and cell loaded."""
    if duty.epic is not None:
        about = f"epic:{duty.epic.key}"
    elif duty.subject_member is not None:
        about = f"member:{duty.subject_member.user.username}"
    else:
        about = f"cell:{duty.cell.slug}" if duty.cell is not None else "none"
    return f"{duty.definition.slug}:{duty.period}:{about}"


def _key_hash(duty: DutyInstance) -> int:
    """A stable number per duty (its identity, not its id), for reproducible choices."""
    return zlib.crc32(_stable_key(duty).encode())


def _ranked(duties: list[DutyInstance]) -> list[DutyInstance]:
    """The duties in a fixed pseudo-random order (by hash, ties by key): taking the first
    ``n`` picks exactly ``n``, spread over definitions and sprints."""
    return sorted(duties, key=lambda d: (_key_hash(d), _stable_key(d)))


def _done_at(duty: DutyInstance, now: datetime, *, late: bool) -> datetime:
    """Around the due day: a day late for the ``late`` ones (always in the past: they were
    picked among those due before yesterday), a day early for about one in four others (when
    it was open then), the rest on the day, at a working hour; never in the future."""
    h = _key_hash(duty)
    shift = 1 if late else -1 if h % 4 == 1 else 0
    day = max(duty.due_on + timedelta(days=shift), duty.opens_on)
    at = datetime.combine(day, time(9 + (h >> 4) % 8, (h >> 8) % 60), tzinfo=timezone.get_current_timezone())
    return min(at, now - timedelta(minutes=1))


def _complete_past_duties(today: date) -> int:
    """Completes the open duties due before today, ticked by their assignee around the due
    day, except a fixed few: the demo user's ``DEMO_USER_OVERDUE`` latest and one in
    ``OPEN_ONE_IN`` of everyone else's past-due duties (done or not: so a second run the same
    day keeps the same ones open), chosen by their stable key. Four queries."""
    past = list(
        DutyInstance.objects.filter(due_on__lt=today, assignee__isnull=False).select_related(
            "assignee__user", "definition", "epic", "subject_member__user", "cell"
        )
    )
    demo_open = sorted(
        (d for d in past if d.assignee.user.username == DEMO_USER and d.done_at is None),  # type: ignore[union-attr]
        key=lambda d: (-d.due_on.toordinal(), d.definition.sort_order, _stable_key(d)),
    )
    others = [d for d in past if d.assignee.user.username != DEMO_USER]  # type: ignore[union-attr]
    kept = {d.pk for d in demo_open[:DEMO_USER_OVERDUE]}
    kept |= {d.pk for d in _ranked(others)[: len(others) // OPEN_ONE_IN]}
    to_complete = [d for d in past if d.done_at is None and d.pk not in kept]
    # A day late means done before today only for duties due before yesterday.
    can_be_late = [d for d in to_complete if d.due_on < today - timedelta(days=1)]
    late = {d.pk for d in _ranked(can_be_late)[: len(to_complete) // LATE_ONE_IN]}
    now = timezone.now()
    when = {d.pk: _done_at(d, now, late=d.pk in late) for d in to_complete}
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


def _current_demo_duties(today: date) -> QuerySet[DutyInstance]:
    return DutyInstance.objects.filter(
        assignee__user__username=DEMO_USER, done_at__isnull=True, opens_on__lte=today, due_on__gte=today
    )


def _open_the_demo_users_next_duty_early(today: date) -> bool:
    """When none of the demo user's duties is open today, runs the opener as of the next days
    until one of theirs opens (everyone's duties opening by then are opened with it, as the
    hourly run will), and opens that one today. Returns whether it did."""
    if _current_demo_duties(today).exists():
        return False
    for ahead in range(1, LOOKAHEAD_DAYS):
        duty_instances_open(as_of=today + timedelta(days=ahead), lookback_days=ahead)
        upcoming = DutyInstance.objects.filter(
            assignee__user__username=DEMO_USER, done_at__isnull=True, due_on__gte=today
        ).order_by("opens_on", "due_on", "definition__sort_order", "definition__slug")
        first = upcoming.first()
        if first is not None:
            DutyInstance.objects.filter(pk=first.pk).update(opens_on=today)
            return True
    return False


def _half_tick_a_current_duty(today: date) -> int:
    """Ticks the first half of the checklist of the demo user's next open duty (once: nothing
    when one of their current duties already has ticks). Returns how many items were ticked."""
    current = _current_demo_duties(today)
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
