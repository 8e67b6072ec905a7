"""Budgets per account with history, pro-rated by days; spent, projected, thresholds."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sustainability.calculations.periods import Period, month_end
from sustainability.calculations.units import CENT, ZERO, percent


@dataclass(frozen=True)
class BudgetChange:
    since: date
    kind: str  # "monthly" | "yearly"
    hours: Decimal


def _days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def budget_hours(changes: Sequence[BudgetChange], period: Period) -> Decimal | None:
    """The budget of ``period``: each day carries its month's (or year's) budget
    in force that day divided by the days of that month (or year). ``None``
    when no budget covers any day of the period."""
    ordered = sorted(changes, key=lambda c: c.since)
    total = ZERO
    covered = False
    for index, change in enumerate(ordered):
        until = ordered[index + 1].since - timedelta(days=1) if index + 1 < len(ordered) else period.end
        start, end = max(change.since, period.start), min(until, period.end)
        if start > end or change.hours <= 0:
            continue
        covered = True
        if change.kind == "yearly":
            for year in range(start.year, end.year + 1):
                a, b = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
                total += change.hours * Decimal((b - a).days + 1) / Decimal(_days_in_year(year))
        else:
            for month in Period(start, end).months():
                a, b = max(start, month), min(end, month_end(month))
                days_in_month = month_end(month).day
                total += change.hours * Decimal((b - a).days + 1) / Decimal(days_in_month)
    return total.quantize(CENT, rounding=ROUND_HALF_UP) if covered else None


@dataclass(frozen=True)
class BudgetStatus:
    budget: Decimal | None
    spent: Decimal
    projected: Decimal
    warn_at: Decimal = Decimal("0.8")

    @property
    def spent_fraction(self) -> Decimal | None:
        return self.spent / self.budget if self.budget else None

    @property
    def projected_fraction(self) -> Decimal | None:
        return self.projected / self.budget if self.budget else None

    @property
    def spent_percent(self) -> Decimal | None:
        return percent(self.spent_fraction)

    @property
    def projected_percent(self) -> Decimal | None:
        return percent(self.projected_fraction)

    @property
    def state(self) -> str:
        """none (no budget), over (spent > budget), warning (spent past the
        warning share or projected over), ok."""
        if not self.budget:
            return "none"
        if self.spent > self.budget:
            return "over"
        spent = self.spent_fraction or ZERO
        projected = self.projected_fraction or ZERO
        if spent >= self.warn_at or projected > 1:
            return "warning"
        return "ok"


def project_to_end(spent: Decimal, period: Period, as_of: date) -> Decimal:
    """Spent hours extrapolated linearly by elapsed days to the period's end."""
    if as_of >= period.end or as_of < period.start:
        return spent
    elapsed = (as_of - period.start).days + 1
    return (spent * Decimal(period.days) / Decimal(elapsed)).quantize(CENT, rounding=ROUND_HALF_UP)


def budget_status(
    *,
    changes: Sequence[BudgetChange],
    spent: Decimal,
    period: Period,
    as_of: date,
    warn_at: Decimal = Decimal("0.8"),
) -> BudgetStatus:
    return BudgetStatus(
        budget=budget_hours(changes, period),
        spent=spent,
        projected=project_to_end(spent, period, as_of),
        warn_at=warn_at,
    )


def crossed_thresholds(fraction: Decimal | None, thresholds: Iterable[Decimal]) -> list[Decimal]:
    """The thresholds (fractions) that ``fraction`` has reached."""
    if fraction is None:
        return []
    return sorted(t for t in thresholds if fraction >= t)
