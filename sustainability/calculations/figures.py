"""Hours split into billable cell, non-billable cell and non-cell time; the
ratio, remaining non-billable hours, the monthly series and the accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sustainability.calculations.periods import MonthCover, Period, month_end
from sustainability.calculations.targets import TargetChange, target_on
from sustainability.calculations.units import CENT, INTERNAL_NON_CELL, ZERO, hours, percent


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
class DayHoursRow:
    """Seconds logged on one day on one account by the members of one cell (the
    partial months at a period's edges are read this way)."""

    day: date
    account_id: int | None
    member_cell_id: int | None
    seconds: int
    billed_seconds: int


def rows_for_period(
    month_rows: Iterable[HoursRow], day_rows: Iterable[DayHoursRow], cover: MonthCover
) -> list[HoursRow]:
    """The monthly rows of one period: its whole months from ``month_rows`` and
    its edge days from ``day_rows`` summed per month (both may hold more)."""
    rows = [r for r in month_rows if cover.covers_whole(r.month)]
    edge: dict[tuple[date, int | None, int | None], tuple[int, int]] = {}
    for r in day_rows:
        if cover.covers_day(r.day):
            key = (r.day.replace(day=1), r.account_id, r.member_cell_id)
            seconds, billed = edge.get(key, (0, 0))
            edge[key] = (seconds + r.seconds, billed + r.billed_seconds)
    rows += [HoursRow(m, a, c, s, b) for (m, a, c), (s, b) in edge.items()]
    return rows


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


def outside_cells(
    rows: Iterable[HoursRow], accounts: Mapping[int, AccountInfo], cell_id: int | None
) -> Decimal:
    """Hours on client or cell accounts that belong to no cell (logged by the members of
    ``cell_id``; by anyone for ``None``): no cell's ratio counts them. The company's
    billable and non-billable cell hours include them; a cell's leave them out."""
    seconds = 0
    for row in rows:
        account = accounts.get(row.account_id) if row.account_id else None
        if account is None or account.category == INTERNAL_NON_CELL or account.cell_id is not None:
            continue
        if cell_id is None or row.member_cell_id == cell_id:
            seconds += row.seconds
    return hours(seconds)


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
