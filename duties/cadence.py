"""When a duty falls due: pure functions over the calendar (no ORM, no clock).

Each cadence turns a date range into *occurrences*: a period key (unique per
duty and subject, so the opener can insert idempotently), the due date and the
date the duty opens. Cadences:

* ``sprint``: every sprint on a named day (``week`` 1-3, ``weekday``), e.g.
  Monday of W3 or Thursday of W2. Period ``S<number>``.
* ``weekly``: every week on ``weekday``. Period ``<ISO year>-W<ISO week>``.
* ``monthly``: before day N of every month: due on the last working day
  (Monday-Friday) strictly before day N, so "before the 5th" is due on the 4th,
  or on the Friday before when the 4th is a weekend day. Opens on the 1st.
* ``quarterly``: in January, April, July and October: due on the last working
  day of that month (or before day N when one is set). Opens on the 1st.
* ``newcomer_joining``: once per newcomer, ``offset_days`` from their first day
  (negative: before it), e.g. the mentor's week-before task.
* ``newcomer_weekly``: every week on ``weekday`` during the newcomer's trial.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from sprints import calculations as sprint_calc

QUARTER_MONTHS = (1, 4, 7, 10)


class CadenceKind(enum.StrEnum):
    SPRINT = "sprint"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    NEWCOMER_JOINING = "newcomer_joining"
    NEWCOMER_WEEKLY = "newcomer_weekly"

    @property
    def is_newcomer_event(self) -> bool:
        return self in (CadenceKind.NEWCOMER_JOINING, CadenceKind.NEWCOMER_WEEKLY)


@dataclass(frozen=True)
class Cadence:
    kind: CadenceKind
    week: int | None = None  # sprint: 1, 2 or 3
    weekday: int | None = None  # 0 = Monday
    day_of_month: int | None = None  # monthly / quarterly: due before this day
    offset_days: int = 0  # newcomer_joining: due this many days after the first day
    lead_days: int = 2  # sprint / weekly / newcomer: opens this many days before it is due

    def validate(self) -> None:
        """``ValueError`` with a readable message when the fields do not fit the kind."""
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValueError("The weekday must be 0 (Monday) to 6 (Sunday).")
        if self.lead_days < 0:
            raise ValueError("Lead days cannot be negative.")
        if self.kind == CadenceKind.SPRINT:
            if self.week not in (1, 2, 3) or self.weekday is None:
                raise ValueError("A sprint cadence needs a sprint week (1-3) and a weekday.")
            if (self.week == 1 and self.weekday == sprint_calc.MONDAY) or (
                self.week == 3 and self.weekday > sprint_calc.MONDAY
            ):
                raise ValueError("Sprints run from Tuesday of W1 to Monday of W3.")
        if self.kind in (CadenceKind.WEEKLY, CadenceKind.NEWCOMER_WEEKLY) and self.weekday is None:
            raise ValueError("A weekly cadence needs a weekday.")
        if self.kind == CadenceKind.MONTHLY and self.day_of_month is None:
            raise ValueError("A monthly cadence needs the day of the month it is due before.")
        if self.day_of_month is not None and not 2 <= self.day_of_month <= 28:
            raise ValueError("The day of the month must be between 2 and 28.")


@dataclass(frozen=True, order=True)
class Occurrence:
    due_on: date
    period: str
    opens_on: date


def last_working_day_before(day: date) -> date:
    """The last Monday-to-Friday date strictly before ``day``."""
    d = day - timedelta(days=1)
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def _month_iter(start: date, end: date) -> list[tuple[int, int]]:
    months = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _next_month_first(y: int, m: int) -> date:
    return date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)


def _iso_period(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _weekdays_in(start: date, end: date, weekday: int) -> list[date]:
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    return [first + timedelta(weeks=i) for i in range(max(0, (end - first).days // 7 + 1))]


def occurrences(cadence: Cadence, start: date, end: date, *, epoch: date) -> list[Occurrence]:
    """Calendar occurrences due in [start, end], in order. Newcomer cadences have none here
    (see ``newcomer_occurrences``)."""
    cadence.validate()
    if end < start:
        return []
    kind = cadence.kind
    result: list[Occurrence] = []
    if kind == CadenceKind.SPRINT:
        assert cadence.week is not None and cadence.weekday is not None
        first = sprint_calc.sprint_number_on(max(start, epoch), epoch=epoch)
        last = sprint_calc.sprint_number_on(max(end, epoch), epoch=epoch)
        for number in range(first, last + 1):
            due = sprint_calc.sprint_dates(number, epoch=epoch).week_day(cadence.week, cadence.weekday)
            if start <= due <= end:
                result.append(Occurrence(due, f"S{number}", due - timedelta(days=cadence.lead_days)))
    elif kind == CadenceKind.WEEKLY:
        assert cadence.weekday is not None
        for due in _weekdays_in(start, end, cadence.weekday):
            result.append(Occurrence(due, _iso_period(due), due - timedelta(days=cadence.lead_days)))
    elif kind in (CadenceKind.MONTHLY, CadenceKind.QUARTERLY):
        # A due date can fall in the month before its period (before the 1st is impossible,
        # but "before the 2nd" on a Monday falls back to the previous Friday), so look one month on.
        for y, m in _month_iter(start, end + timedelta(days=7)):
            if kind == CadenceKind.QUARTERLY and m not in QUARTER_MONTHS:
                continue
            if cadence.day_of_month is not None:
                due = last_working_day_before(date(y, m, cadence.day_of_month))
            else:
                due = last_working_day_before(_next_month_first(y, m))
            period = f"{y}-{m:02d}" if kind == CadenceKind.MONTHLY else f"{y}-Q{(m - 1) // 3 + 1}"
            if start <= due <= end:
                result.append(Occurrence(due, period, min(date(y, m, 1), due)))
    return sorted(result)


def newcomer_occurrences(
    cadence: Cadence, *, joined_on: date, trial_end: date, start: date, end: date
) -> list[Occurrence]:
    """Occurrences due in [start, end] of a duty tied to a newcomer who joined on
    ``joined_on`` and whose trial ends on ``trial_end`` (inclusive)."""
    cadence.validate()
    result: list[Occurrence] = []
    if cadence.kind == CadenceKind.NEWCOMER_JOINING:
        due = joined_on + timedelta(days=cadence.offset_days)
        if start <= due <= end:
            result.append(
                Occurrence(due, f"join-{joined_on.isoformat()}", due - timedelta(cadence.lead_days))
            )
    elif cadence.kind == CadenceKind.NEWCOMER_WEEKLY:
        assert cadence.weekday is not None
        # The first weekly 1:1 is in the newcomer's second week: the initial 1:1 covers the first.
        first = max(start, joined_on + timedelta(days=7))
        for due in _weekdays_in(first, min(end, trial_end), cadence.weekday):
            result.append(Occurrence(due, _iso_period(due), due - timedelta(days=cadence.lead_days)))
    return result
