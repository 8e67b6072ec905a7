"""Periods (sprint, month, quarter, year, custom) and how their hours are read."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"A period cannot end ({self.end}) before it starts ({self.start}).")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[date]:
        """First days of the calendar months the period touches."""
        result = []
        month = self.start.replace(day=1)
        while month <= self.end:
            result.append(month)
            month = next_month(month)
        return result


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_period(year: int, month: int) -> Period:
    first = date(year, month, 1)
    return Period(first, month_end(first), f"{first:%B %Y}")


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> Period:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("A quarter is 1, 2, 3 or 4.")
    first = date(year, 3 * quarter - 2, 1)
    return Period(first, month_end(date(year, 3 * quarter, 1)), f"Q{quarter} {year}")


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def year_before(day: date) -> date:
    """The first day of the twelve months that end on ``day`` (the day after the same
    date a year earlier; 29 February falls back to the 28th)."""
    try:
        same = day.replace(year=day.year - 1)
    except ValueError:
        same = day.replace(year=day.year - 1, day=28)
    return same + timedelta(days=1)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


@dataclass(frozen=True)
class MonthCover:
    """How the hours of a period are read: its whole calendar months (first days
    of the first and last one; the monthly rollup holds them) and the stretches
    of partial months at its edges (read day by day from the worklogs)."""

    whole: tuple[date, date] | None
    edges: tuple[Period, ...]

    def covers_whole(self, month: date) -> bool:
        return self.whole is not None and self.whole[0] <= month <= self.whole[1]

    def covers_day(self, day: date) -> bool:
        return any(edge.contains(day) for edge in self.edges)


def month_cover(period: Period) -> MonthCover:
    """Split ``period`` into whole months and partial-month edges, so every
    figure of the period (dashboard, alerts, reports) counts exactly its days."""
    first = period.start if period.start.day == 1 else next_month(period.start)
    last_end = (
        period.end if period.end == month_end(period.end) else period.end.replace(day=1) - timedelta(days=1)
    )
    if first > last_end:  # no whole month: the period is one edge (or two, across a month boundary)
        return MonthCover(None, (period,))
    edges = []
    if period.start < first:
        edges.append(Period(period.start, first - timedelta(days=1)))
    if last_end < period.end:
        edges.append(Period(last_end + timedelta(days=1), period.end))
    return MonthCover((first, last_end.replace(day=1)), tuple(edges))
