"""Pure maths of the organisation: availability from commitments and time off.

No ORM and no clock here: callers pass plain values and ``as_of``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

WORKDAYS_PER_WEEK = Decimal(5)


@dataclass(frozen=True)
class TimeOffPeriod:
    start: date
    end: date
    hours_per_day: Decimal | None = None  # None: whole days

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class CommitmentChange:
    since: date
    hours_per_week: Decimal


def display_name(first: str | None, last: str | None, username: str | None) -> str:
    """How the portal names a person (``Member.name``): the full name, else the username;
    "" with neither. For rows read without model instances."""
    return f"{first or ''} {last or ''}".strip() or username or ""


def periods_overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Whether two inclusive date ranges share a day; an end of ``None`` is open-ended."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def is_workday(day: date) -> bool:
    return day.weekday() < 5


@lru_cache(maxsize=4096)
def workdays(start: date, end: date) -> tuple[date, ...]:
    """Monday-to-Friday dates in [start, end]. Cached: capacity maths asks for the same
    sprint's days for every member of a board."""
    days = (end - start).days + 1
    every = (start + timedelta(days=i) for i in range(max(days, 0)))
    return tuple(day for day in every if is_workday(day))


def _in_force(ordered: Sequence[CommitmentChange], day: date) -> Decimal:
    current = Decimal(0)
    for change in ordered:
        if change.since <= day:
            current = change.hours_per_week
        else:
            break
    return current


def weekly_hours_on(changes: Sequence[CommitmentChange], day: date) -> Decimal:
    """The commitment in force on ``day`` (0 before the first one)."""
    return _in_force(sorted(changes, key=lambda c: c.since), day)


def is_off(periods: Iterable[TimeOffPeriod], day: date) -> bool:
    """Whether the member is away the whole of ``day``."""
    return any(p.covers(day) and p.hours_per_day is None for p in periods)


def available_hours(
    *, changes: Sequence[CommitmentChange], periods: Sequence[TimeOffPeriod], start: date, end: date
) -> Decimal:
    """Working hours in [start, end]: the daily share of the weekly commitment on
    each weekday, less time off (whole days, or the hours of partial days)."""
    total = Decimal(0)
    ordered = sorted(changes, key=lambda c: c.since)
    for day in workdays(start, end):
        daily = _in_force(ordered, day) / WORKDAYS_PER_WEEK
        off = Decimal(0)
        for period in periods:
            if period.covers(day):
                off = daily if period.hours_per_day is None else min(daily, off + period.hours_per_day)
        total += max(daily - off, Decimal(0))
    return total


def tenure_months(since: date, as_of: date) -> int:
    """Whole months from ``since`` to ``as_of`` (0 before ``since``)."""
    if as_of < since:
        return 0
    months = (as_of.year - since.year) * 12 + (as_of.month - since.month)
    if as_of.day < since.day:
        months -= 1
    return max(months, 0)


def tenure_label(since: date, as_of: date) -> str:
    """A short, human tenure: "starts in 5 days", "3 weeks", "8 months", "1 year 2 months"."""
    if as_of < since:
        days = (since - as_of).days
        return f"starts in {days} day{'s' if days != 1 else ''}"
    months = tenure_months(since, as_of)
    if months == 0:
        days = (as_of - since).days
        if days < 14:
            return f"{days} day{'s' if days != 1 else ''}"
        return f"{days // 7} weeks"
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if rest:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " ".join(parts)


# The conference's process checks ask from these lengths of time before its dates.
CONFERENCE_TALK_LEAD = timedelta(weeks=4)  # before proposals are due: propose a talk
CONFERENCE_ANSWER_LEAD = timedelta(weeks=8)  # before it starts: say whether you attend


def conference_talk_window(proposals_due_on: date) -> tuple[date, date]:
    """The days a required member without a talk is asked for one: the four weeks up to the
    proposal deadline, the deadline included."""
    return proposals_due_on - CONFERENCE_TALK_LEAD, proposals_due_on


def conference_answer_window(starts_on: date, ends_on: date) -> tuple[date, date]:
    """The days a required member is asked whether they attend: eight weeks before the
    conference until its last day."""
    return starts_on - CONFERENCE_ANSWER_LEAD, ends_on
