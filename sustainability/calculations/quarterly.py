"""The quarterly table: the entire reference period, the year to date and the
quarter alone, with the figures of the previous update to compare with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sustainability.calculations.figures import (
    AccountHours,
    AccountInfo,
    Figures,
    HoursRow,
    figures,
    hours_by_account,
    rows_in,
    top_accounts,
    totals_of,
)
from sustainability.calculations.periods import Period, previous_quarter, quarter_period
from sustainability.calculations.targets import TargetChange, reference_period, target_on


@dataclass(frozen=True)
class QuarterPeriods:
    """The periods of a quarterly update. ``previous_entire`` is the reference
    period as the previous update saw it (up to the previous quarter's end)."""

    entire: Period
    year_to_date: Period
    quarter_only: Period
    previous_quarter: Period
    previous_entire: Period


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def quarter_periods(
    year: int, quarter: int, targets: Sequence[TargetChange], default_reference_start: date
) -> QuarterPeriods:
    q = quarter_period(year, quarter)
    entire = reference_period(targets, as_of=q.end, default_start=default_reference_start)
    py, pq = previous_quarter(year, quarter)
    prev = quarter_period(py, pq)
    before = reference_period(targets, as_of=prev.end, default_start=default_reference_start)
    # Titles say exactly what they cover: a reference period that starts later
    # (a target set mid-year) shortens the year to date and the quarter.
    ytd_start = max(date(year, 1, 1), entire.start)
    ytd_label = (
        f"Q1-Q{quarter} {year}"
        if ytd_start == date(year, 1, 1)
        else f"{_day(ytd_start)} to the end of Q{quarter} {year}"
    )
    quarter_start = max(q.start, entire.start)
    quarter_label = q.label if quarter_start == q.start else f"{_day(quarter_start)} to the end of {q.label}"
    return QuarterPeriods(
        entire=entire,
        year_to_date=Period(ytd_start, q.end, ytd_label),
        quarter_only=Period(quarter_start, q.end, quarter_label),
        previous_quarter=prev,
        previous_entire=Period(before.start, before.end, f"Reference period to the end of {prev.label}"),
    )


def reference_period_for_quarter(
    year: int, quarter: int, targets: Sequence[TargetChange], default_start: date
) -> Period:
    return quarter_periods(year, quarter, targets, default_start).entire


def _points_change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None:
        return None
    return now - before


@dataclass(frozen=True)
class QuarterlyTable:
    year: int
    quarter: int
    entire: Figures
    year_to_date: Figures
    quarter_only: Figures
    previous_quarter: Figures
    previous_entire: Figures  # the entire reference period as of the previous quarter's end
    top_billable: list[AccountHours]
    top_non_billable: list[AccountHours]
    target_change: TargetChange | None  # the target in force at the end of the quarter
    next_target: TargetChange | None = None  # a higher limit dated after the quarter, if planned

    @property
    def change(self) -> Decimal | None:
        """The quarter's ratio minus the previous quarter's, in percentage points."""
        return _points_change(self.quarter_only.ratio_percent, self.previous_quarter.ratio_percent)

    @property
    def reference_change(self) -> Decimal | None:
        """The entire reference period's ratio now minus at the previous update
        (the previous quarter's end), in percentage points."""
        return _points_change(self.entire.ratio_percent, self.previous_entire.ratio_percent)

    @property
    def within_target(self) -> bool:
        return not self.entire.above_target


def quarterly_table(
    *,
    year: int,
    quarter: int,
    rows: Sequence[HoursRow],
    previous_rows: Sequence[HoursRow],
    previous_reference_rows: Sequence[HoursRow],
    accounts: Mapping[int, AccountInfo],
    cell_id: int | None,
    targets: Sequence[TargetChange],
    default_reference_start: date,
    include_non_cell: bool = False,
) -> QuarterlyTable:
    """``rows`` cover ``quarter_periods(...).entire``, ``previous_rows`` the
    previous quarter and ``previous_reference_rows`` its ``previous_entire``
    (each cut to its period's days)."""
    periods = quarter_periods(year, quarter, targets, default_reference_start)
    q_end = periods.entire.end
    target = target_on(targets, q_end)
    fraction = target.fraction if target else None
    prev_target = target_on(targets, periods.previous_quarter.end)
    prev_fraction = prev_target.fraction if prev_target else None

    def fig(period: Period, subset: Sequence[HoursRow], frac: Decimal | None) -> Figures:
        return figures(
            period=period,
            totals=totals_of(rows_in(subset, period), accounts, cell_id),
            target=frac,
            include_non_cell=include_non_cell,
        )

    by_account = hours_by_account(rows_in(rows, periods.quarter_only), accounts, cell_id)
    later = [t for t in targets if t.since > q_end]
    return QuarterlyTable(
        year=year,
        quarter=quarter,
        entire=fig(periods.entire, rows, fraction),
        year_to_date=fig(periods.year_to_date, rows, fraction),
        quarter_only=fig(periods.quarter_only, rows, fraction),
        previous_quarter=fig(periods.previous_quarter, previous_rows, prev_fraction),
        previous_entire=fig(periods.previous_entire, previous_reference_rows, prev_fraction),
        top_billable=top_accounts(by_account, billable=True),
        top_non_billable=top_accounts(by_account, billable=False),
        target_change=target,
        next_target=min(later, key=lambda t: t.since) if later else None,
    )
