"""The sustainability maths as pure functions: no ORM, no clock (pass ``as_of``).

Definitions (SPEC "Sustainability"; decisions documented in the README):

* A worklog's **billable part** is its ``billable_seconds`` capped at its
  ``seconds`` when Tempo gave one (> 0), else all of its ``seconds``; it only
  counts when the account is billable. On a billable account the rest (time
  written off) is non-billable cell time.
* **Cell hours** are hours on client and internal-cell accounts, attributed to
  the account's cell. **Non-cell hours** are hours on internal non-cell
  accounts (and worklogs without an account), attributed to the cell of the
  member who logged them; they count in the total, not in the ratio.
* **Ratio** = non-billable cell / (billable cell + non-billable cell); ``None``
  (undefined) without hours. **Remaining** = billable x T / (1 - T) -
  non-billable; negative above the target.
* Company-wide: every cell summed; with ``include_non_cell`` the non-cell hours
  count as non-billable (ratio over all hours), against the company limit.
* The target of a period is the one in force on its last day (the goal the
  handbook states "from <month> forward").
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

HOUR = Decimal(3600)
CENT = Decimal("0.01")
ZERO = Decimal(0)

CLIENT = "client"
INTERNAL_NON_CELL = "internal_non_cell"
INTERNAL_CELL = "internal_cell"


def hours(seconds: int | Decimal) -> Decimal:
    return (Decimal(seconds) / HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 30.00 -> "30", 82.50 -> "82.5"."""
    return f"{value.normalize():f}"


def percent(fraction: Decimal | None) -> Decimal | None:
    """A fraction as a percentage with one decimal (``None`` stays undefined)."""
    if fraction is None:
        return None
    return (fraction * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- Periods -----------------------------------------------------------------


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


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


# --- Accounts, hours and the ratio --------------------------------------------


@dataclass(frozen=True)
class AccountInfo:
    id: int
    key: str
    name: str
    category: str
    billable: bool
    cell_id: int | None


@dataclass(frozen=True)
class HoursRow:
    """Seconds logged in one month (restricted to the queried period) on one
    account by the members of one cell."""

    month: date
    account_id: int | None
    member_cell_id: int | None
    seconds: int
    billed_seconds: int


@dataclass(frozen=True)
class Split:
    """Seconds split into billable cell, non-billable cell and non-cell time."""

    billable: int = 0
    non_billable: int = 0
    non_cell: int = 0

    def __add__(self, other: Split) -> Split:
        return Split(
            self.billable + other.billable,
            self.non_billable + other.non_billable,
            self.non_cell + other.non_cell,
        )


def split_row(row: HoursRow, account: AccountInfo | None, cell_id: int | None) -> Split:
    """What ``row`` contributes to the figures of ``cell_id`` (``None``: company)."""
    if account is None or account.category == INTERNAL_NON_CELL:
        if cell_id is None or row.member_cell_id == cell_id:
            return Split(non_cell=row.seconds)
        return Split()
    if cell_id is not None and account.cell_id != cell_id:
        return Split()
    if account.billable:
        billed = min(row.billed_seconds, row.seconds)
        return Split(billable=billed, non_billable=row.seconds - billed)
    return Split(non_billable=row.seconds)


@dataclass(frozen=True)
class Totals:
    billable_cell: Decimal = ZERO
    non_billable_cell: Decimal = ZERO
    non_cell: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.billable_cell + self.non_billable_cell + self.non_cell

    @classmethod
    def from_split(cls, split: Split) -> Totals:
        return cls(hours(split.billable), hours(split.non_billable), hours(split.non_cell))


def ratio(*, billable: Decimal, non_billable: Decimal) -> Decimal | None:
    """Non-billable share as a fraction; ``None`` when there are no hours at all."""
    denominator = billable + non_billable
    if denominator <= 0:
        return None
    return non_billable / denominator


def remaining_non_billable(*, billable: Decimal, non_billable: Decimal, target: Decimal) -> Decimal:
    """Non-billable hours the period can still take before the ratio reaches
    ``target`` (a fraction below 1); negative when above it."""
    if not ZERO <= target < 1:
        raise ValueError("The target must be a fraction in [0, 1).")
    return (billable * target / (1 - target) - non_billable).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TargetChange:
    since: date
    percent: Decimal
    reference_start: date

    @property
    def fraction(self) -> Decimal:
        return self.percent / 100


def target_on(changes: Sequence[TargetChange], day: date) -> TargetChange | None:
    current = None
    for change in sorted(changes, key=lambda c: c.since):
        if change.since <= day:
            current = change
    return current


@dataclass(frozen=True)
class Figures:
    period: Period
    totals: Totals
    ratio: Decimal | None
    target: Decimal | None  # fraction
    remaining: Decimal | None  # None without a target

    @property
    def ratio_percent(self) -> Decimal | None:
        return percent(self.ratio)

    @property
    def target_percent(self) -> Decimal | None:
        return percent(self.target)

    @property
    def above_target(self) -> bool:
        return self.ratio is not None and self.target is not None and self.ratio > self.target

    @property
    def state(self) -> str:
        if self.ratio is None:
            return "undefined"
        if self.target is None:
            return "no-target"
        return "above" if self.above_target else "within"


def figures(
    *, period: Period, totals: Totals, target: Decimal | None, include_non_cell: bool = False
) -> Figures:
    """The ratio and remaining hours of ``totals``. ``include_non_cell`` (the
    company-wide view) counts non-cell hours as non-billable."""
    non_billable = totals.non_billable_cell + (totals.non_cell if include_non_cell else ZERO)
    value = ratio(billable=totals.billable_cell, non_billable=non_billable)
    remaining = None
    if target is not None:
        remaining = remaining_non_billable(
            billable=totals.billable_cell, non_billable=non_billable, target=target
        )
    return Figures(period=period, totals=totals, ratio=value, target=target, remaining=remaining)


def rows_in(rows: Iterable[HoursRow], period: Period) -> list[HoursRow]:
    """Rows whose month lies in ``period`` (rows are already cut to the query's
    dates, so a month-aligned sub-period of the query is exact)."""
    first = period.start.replace(day=1)
    return [r for r in rows if first <= r.month <= period.end]


def totals_of(rows: Iterable[HoursRow], accounts: Mapping[int, AccountInfo], cell_id: int | None) -> Totals:
    split = Split()
    for row in rows:
        account = accounts.get(row.account_id) if row.account_id else None
        split = split + split_row(row, account, cell_id)
    return Totals.from_split(split)


@dataclass(frozen=True)
class MonthPoint:
    month: date
    totals: Totals
    ratio: Decimal | None
    target: Decimal | None


def monthly_series(
    rows: Iterable[HoursRow],
    accounts: Mapping[int, AccountInfo],
    cell_id: int | None,
    *,
    period: Period,
    targets: Sequence[TargetChange],
    include_non_cell: bool = False,
) -> list[MonthPoint]:
    """One point per month of ``period`` (months without hours included, ratio undefined)."""
    by_month: dict[date, Split] = defaultdict(Split)
    for row in rows:
        account = accounts.get(row.account_id) if row.account_id else None
        by_month[row.month] = by_month[row.month] + split_row(row, account, cell_id)
    points = []
    for month in period.months():
        totals = Totals.from_split(by_month.get(month, Split()))
        non_billable = totals.non_billable_cell + (totals.non_cell if include_non_cell else ZERO)
        target = target_on(targets, min(month_end(month), period.end))
        points.append(
            MonthPoint(
                month=month,
                totals=totals,
                ratio=ratio(billable=totals.billable_cell, non_billable=non_billable),
                target=target.fraction if target else None,
            )
        )
    return points


@dataclass(frozen=True)
class AccountHours:
    account: AccountInfo | None
    billable: Decimal
    non_billable: Decimal
    non_cell: Decimal

    @property
    def total(self) -> Decimal:
        return self.billable + self.non_billable + self.non_cell


def hours_by_account(
    rows: Iterable[HoursRow], accounts: Mapping[int, AccountInfo], cell_id: int | None
) -> list[AccountHours]:
    """Hours per account within the scope, largest first."""
    per: dict[int, Split] = defaultdict(Split)
    for row in rows:
        account = accounts.get(row.account_id) if row.account_id else None
        per[row.account_id or 0] = per[row.account_id or 0] + split_row(row, account, cell_id)
    result = [
        AccountHours(
            account=accounts.get(account_id),
            billable=hours(split.billable),
            non_billable=hours(split.non_billable),
            non_cell=hours(split.non_cell),
        )
        for account_id, split in per.items()
        if split.billable or split.non_billable or split.non_cell
    ]
    result.sort(key=lambda a: (-a.total, a.account.key if a.account else ""))
    return result


def top_accounts(by_account: Sequence[AccountHours], *, billable: bool, limit: int = 5) -> list[AccountHours]:
    """Top contributors of billable (or non-billable cell) hours."""

    def value(a: AccountHours) -> Decimal:
        return a.billable if billable else a.non_billable

    ranked = sorted(
        (a for a in by_account if value(a) > 0), key=lambda a: (-value(a), a.account.key if a.account else "")
    )
    return ranked[:limit]


# --- The quarterly table ------------------------------------------------------


@dataclass(frozen=True)
class QuarterlyTable:
    year: int
    quarter: int
    entire: Figures
    year_to_date: Figures
    quarter_only: Figures
    previous_quarter: Figures
    top_billable: list[AccountHours]
    top_non_billable: list[AccountHours]
    target_change: TargetChange | None  # the target in force at the end of the quarter
    next_target: TargetChange | None = None  # a higher limit dated after the quarter, if planned

    @property
    def change(self) -> Decimal | None:
        """Change of the quarter's ratio from the previous quarter's, in percentage points."""
        now, before = self.quarter_only.ratio_percent, self.previous_quarter.ratio_percent
        if now is None or before is None:
            return None
        return now - before

    @property
    def within_target(self) -> bool:
        return not self.entire.above_target


def quarterly_table(
    *,
    year: int,
    quarter: int,
    rows: Sequence[HoursRow],
    previous_rows: Sequence[HoursRow],
    accounts: Mapping[int, AccountInfo],
    cell_id: int | None,
    targets: Sequence[TargetChange],
    default_reference_start: date,
    include_non_cell: bool = False,
) -> QuarterlyTable:
    """``rows`` cover the reference period up to the quarter's end
    (``reference_period_for_quarter``); ``previous_rows`` the previous quarter."""
    q = quarter_period(year, quarter)
    target = target_on(targets, q.end)
    fraction = target.fraction if target else None
    entire = reference_period_for_quarter(year, quarter, targets, default_reference_start)
    ytd = Period(max(date(year, 1, 1), entire.start), q.end, f"Q1-Q{quarter} {year}")
    q_start = max(q.start, entire.start)
    quarter_only = Period(q_start, q.end, q.label)
    py, pq = previous_quarter(year, quarter)
    prev = quarter_period(py, pq)
    prev_target = target_on(targets, prev.end)

    def fig(period: Period, subset: Sequence[HoursRow], frac: Decimal | None) -> Figures:
        return figures(
            period=period,
            totals=totals_of(rows_in(subset, period), accounts, cell_id),
            target=frac,
            include_non_cell=include_non_cell,
        )

    by_account = hours_by_account(rows_in(rows, quarter_only), accounts, cell_id)
    later = [t for t in targets if t.since > q.end]
    return QuarterlyTable(
        year=year,
        quarter=quarter,
        entire=fig(entire, rows, fraction),
        year_to_date=fig(ytd, rows, fraction),
        quarter_only=fig(quarter_only, rows, fraction),
        previous_quarter=fig(prev, previous_rows, prev_target.fraction if prev_target else None),
        top_billable=top_accounts(by_account, billable=True),
        top_non_billable=top_accounts(by_account, billable=False),
        target_change=target,
        next_target=min(later, key=lambda t: t.since) if later else None,
    )


def reference_period_for_quarter(
    year: int, quarter: int, targets: Sequence[TargetChange], default_start: date
) -> Period:
    q = quarter_period(year, quarter)
    return reference_period(targets, as_of=q.end, default_start=default_start)


def reference_period(targets: Sequence[TargetChange], *, as_of: date, default_start: date) -> Period:
    """From the reference start of the target in force on ``as_of`` to ``as_of``."""
    target = target_on(targets, as_of)
    start = target.reference_start if target else default_start
    start = min(start, as_of)
    return Period(start, as_of, "Reference period")


# --- Budgets ------------------------------------------------------------------


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


# --- Sprint preview -------------------------------------------------------------


@dataclass(frozen=True)
class EstimateRow:
    sprint_number: int
    account_id: int | None
    remaining_seconds: int


@dataclass(frozen=True)
class SprintPreview:
    current_number: int
    next_number: int
    period: Period
    billable_current: Decimal
    billable_next: Decimal
    non_billable_current: Decimal
    non_billable_next: Decimal
    ratio: Decimal | None
    last_sprint_ratio: Decimal | None
    unaccounted_hours: Decimal = ZERO  # estimates on tickets without an account
    notes: list[str] = field(default_factory=list)

    @property
    def billable_total(self) -> Decimal:
        return self.billable_current + self.billable_next

    @property
    def non_billable_total(self) -> Decimal:
        return self.non_billable_current + self.non_billable_next

    @property
    def ratio_percent(self) -> Decimal | None:
        return percent(self.ratio)

    @property
    def direction(self) -> str | None:
        """ "lower", "higher" or "the same as" last sprint's ratio; None when either is undefined."""
        now, before = percent(self.ratio), percent(self.last_sprint_ratio)
        if now is None or before is None:
            return None
        if now == before:
            return "the same as"
        return "lower" if now < before else "higher"


def sprint_preview(
    *,
    current_number: int,
    next_number: int,
    period: Period,
    estimates: Iterable[EstimateRow],
    accounts: Mapping[int, AccountInfo],
    last_sprint_ratio: Decimal | None,
) -> SprintPreview:
    """Remaining estimates of this sprint's and the next sprint's tickets split
    into billable and non-billable cell hours (non-cell accounts left out)."""
    seconds: dict[tuple[int, bool], int] = defaultdict(int)
    unaccounted = 0
    for row in estimates:
        account = accounts.get(row.account_id) if row.account_id else None
        if account is None:
            unaccounted += row.remaining_seconds
            continue
        if account.category == INTERNAL_NON_CELL:
            continue
        seconds[(row.sprint_number, account.billable)] += row.remaining_seconds
    b_cur, b_next = hours(seconds[(current_number, True)]), hours(seconds[(next_number, True)])
    n_cur, n_next = hours(seconds[(current_number, False)]), hours(seconds[(next_number, False)])
    return SprintPreview(
        current_number=current_number,
        next_number=next_number,
        period=period,
        billable_current=b_cur,
        billable_next=b_next,
        non_billable_current=n_cur,
        non_billable_next=n_next,
        ratio=ratio(billable=b_cur + b_next, non_billable=n_cur + n_next),
        last_sprint_ratio=last_sprint_ratio,
        unaccounted_hours=hours(unaccounted),
    )


# --- Accounts review ------------------------------------------------------------


@dataclass(frozen=True)
class ReviewTicket:
    key: str
    summary: str
    cell_id: int | None
    account: AccountInfo | None
    epic_key: str | None
    epic_account: AccountInfo | None
    logged_accounts: frozenset[int]  # accounts the month's worklogs used
    seconds: int


def suspect_reasons(ticket: ReviewTicket, accounts: Mapping[int, AccountInfo]) -> list[str]:
    """Why the ticket's account looks wrong (empty: nothing suspect)."""
    reasons = []
    account = ticket.account
    if account is None:
        return ["no account on the ticket"]
    epic = ticket.epic_account
    if epic is not None and epic.category != account.category:
        reasons.append(
            f"account {account.key} ({account.category}) differs in category from epic "
            f"{ticket.epic_key}'s account {epic.key} ({epic.category})"
        )
    if account.category != INTERNAL_NON_CELL and account.cell_id not in (None, ticket.cell_id):
        reasons.append(f"account {account.key} belongs to another cell")
    others = sorted(accounts[a].key for a in ticket.logged_accounts if a != account.id and a in accounts)
    if others:
        reasons.append(f"time logged on other accounts: {', '.join(others)}")
    return reasons
