"""The sprint preview: the estimates left in this sprint and the next one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sustainability.calculations.figures import AccountInfo, ratio
from sustainability.calculations.periods import Period
from sustainability.calculations.units import INTERNAL_NON_CELL, ZERO, hours, percent


@dataclass(frozen=True)
class EstimateRow:
    """Seconds still to work on a sprint's tickets of one account (the sprint
    commitment's rule: see ``selectors.estimate_rows``)."""

    sprint_number: int
    account_id: int | None
    remaining_seconds: int
    cell_id: int | None = None


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
