"""THE business-hours clock: every response window of the handbook, computed one way.

The handbook's windows:

* ``BUSINESS_DAY``: "24 hours, weekends and the person's scheduled time off
  excluded" (pings, reviews, client emails, timesheets, community acknowledgements).
  Only time that falls on a *counting day* runs: a Monday-to-Friday date, in the
  member's own time zone, that is not a whole day off. A ping on Friday at 15:00
  is therefore due on Monday at 15:00 (Tuesday at 15:00 if Monday is a day off).
  Partial days off (``hours_per_day`` set) still count: the member is around.
* ``CLIENT``: a client email: the client SLA of the member's cell, counted like
  ``BUSINESS_DAY``. The default SLA is those 24 hours; a project cell may promise a
  stricter one (``Cell.client_sla_hours``), never a looser one, so the window is the
  shorter of the two.
* ``TWO_WEEKS``: forum replies and community contributions, plain calendar time
  (same wall-clock time 14 days later in the member's zone, whatever DST does).
* ``PAGER``: 30 minutes before an unacknowledged alert escalates, plain time.
* ``TWELVE_HOURS``: an ops alert left unsolved this long gets a ticket, plain time.

Everything here is pure: no ORM, no clock. Callers pass the instant, the
member's time zone and their time off (``roles.selectors.time_off_by_member``
loads it for many members in one query). Elapsed time is real time (UTC), so a
counting day with a DST change lasts 23 or 25 hours, as it does for the member.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from roles.calculations import TimeOffPeriod, is_off

UTC = ZoneInfo("UTC")
# A member off for longer than this has no meaningful reply date; refuse instead of looping.
MAX_SEARCH_DAYS = 3 * 366
# The dates the forms and the API accept (the calendar maths overflows near year 9999).
FIRST_YEAR, LAST_YEAR = 2000, 2100
YEAR_RANGE_MESSAGE = f"Give a date between {FIRST_YEAR} and {LAST_YEAR}."


def year_in_range(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


@dataclass(frozen=True)
class WindowSpec:
    label: str
    duration: timedelta
    business: bool  # True: only counting days (weekdays, not off) run the clock


class Window(enum.Enum):
    BUSINESS_DAY = "24h"
    CLIENT = "client"
    TWO_WEEKS = "2w"
    PAGER = "30m"
    TWELVE_HOURS = "12h"

    @property
    def spec(self) -> WindowSpec:
        return _SPECS[self]

    @property
    def label(self) -> str:
        return self.spec.label


_SPECS: dict[Window, WindowSpec] = {
    Window.BUSINESS_DAY: WindowSpec(
        "24 hours, weekends and time off excluded", timedelta(hours=24), business=True
    ),
    Window.CLIENT: WindowSpec(
        "client email: the cell's client SLA (24 hours by default), weekends and time off excluded",
        timedelta(hours=24),
        business=True,
    ),
    Window.TWO_WEEKS: WindowSpec("2 weeks", timedelta(weeks=2), business=False),
    Window.PAGER: WindowSpec("30 minutes (pager escalation)", timedelta(minutes=30), business=False),
    Window.TWELVE_HOURS: WindowSpec("12 hours", timedelta(hours=12), business=False),
}

WINDOW_CHOICES = [(w.value, w.label) for w in Window]


def as_zone(tz: ZoneInfo | str) -> ZoneInfo:
    """A ``ZoneInfo`` from a zone or its name; ``ValueError`` for an unknown name."""
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{tz!r} is not a known time zone.") from exc


def is_counting_day(day: date, time_off: Iterable[TimeOffPeriod]) -> bool:
    """A weekday on which the member is not away the whole day."""
    return day.weekday() < 5 and not is_off(time_off, day)


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight, next local midnight) of ``day`` in ``tz``, as UTC instants."""
    start = datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz).astimezone(UTC)
    return start, end


def _require_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime.")


def add_business_time(
    start: datetime,
    duration: timedelta,
    *,
    tz: ZoneInfo | str,
    time_off: Iterable[TimeOffPeriod] = (),
) -> datetime:
    """``start`` plus ``duration`` of time that falls on the member's counting days.

    Returns the instant in ``tz``. A start on a non-counting day begins counting
    at the next counting day's local midnight.
    """
    _require_aware(start, "start")
    if duration < timedelta(0):
        raise ValueError("A response window cannot be negative.")
    zone = as_zone(tz)
    periods = tuple(time_off)
    remaining = duration
    cursor = start.astimezone(UTC)
    day = cursor.astimezone(zone).date()
    for _ in range(MAX_SEARCH_DAYS + int(duration / timedelta(days=1)) + 2):
        day_start, day_end = _day_bounds(day, zone)
        if is_counting_day(day, periods):
            cursor = max(cursor, day_start)
            available = day_end - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(zone)
            remaining -= available
        cursor = max(cursor, day_end)
        day += timedelta(days=1)
    raise ValueError("No working day found for this member within three years.")


def business_time_between(
    start: datetime,
    end: datetime,
    *,
    tz: ZoneInfo | str,
    time_off: Iterable[TimeOffPeriod] = (),
) -> timedelta:
    """How much of [start, end] falls on the member's counting days (0 if end <= start).

    The inverse of ``add_business_time``: ``business_time_between(s, add_business_time(s, d)) == d``.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return timedelta(0)
    zone = as_zone(tz)
    periods = tuple(time_off)
    total = timedelta(0)
    s, e = start.astimezone(UTC), end.astimezone(UTC)
    day = s.astimezone(zone).date()
    last = e.astimezone(zone).date()
    while day <= last:
        day_start, day_end = _day_bounds(day, zone)
        if is_counting_day(day, periods):
            lo, hi = max(s, day_start), min(e, day_end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def window_duration(window: Window, *, sla_hours: Decimal | None = None) -> timedelta:
    """How long ``window`` runs: its own duration, except a client email under a cell's
    stricter SLA (an SLA looser than the 24 h default never applies)."""
    duration = window.spec.duration
    if window is Window.CLIENT and sla_hours is not None and sla_hours > 0:
        duration = min(duration, timedelta(seconds=int(sla_hours * 3600)))
    return duration


def reply_due(
    pinged_at: datetime,
    *,
    window: Window,
    tz: ZoneInfo | str,
    time_off: Iterable[TimeOffPeriod] = (),
    sla_hours: Decimal | None = None,
) -> datetime:
    """When a reply is due for a member in ``tz`` pinged at ``pinged_at``, in their time zone.

    The one function every response window goes through. ``sla_hours``: the client SLA of
    the member's cell, used by the ``CLIENT`` window.
    """
    _require_aware(pinged_at, "pinged_at")
    spec = window.spec
    zone = as_zone(tz)
    if spec.business:
        return add_business_time(
            pinged_at, window_duration(window, sla_hours=sla_hours), tz=zone, time_off=time_off
        )
    if spec.duration % timedelta(days=1) == timedelta(0):
        # Whole days (2 weeks): the same wall-clock time in the member's zone, across DST.
        local = pinged_at.astimezone(zone).replace(tzinfo=None) + spec.duration
        return local.replace(tzinfo=zone)
    return (pinged_at.astimezone(UTC) + spec.duration).astimezone(zone)


def is_late(
    started_at: datetime,
    done_at: datetime,
    *,
    window: Window,
    tz: ZoneInfo | str,
    time_off: Iterable[TimeOffPeriod] = (),
) -> bool:
    """Whether ``done_at`` comes after the window opened at ``started_at`` closed
    (e.g. a worklog logged more than 24 business hours after the work)."""
    _require_aware(done_at, "done_at")
    return done_at > reply_due(started_at, window=window, tz=tz, time_off=time_off)
