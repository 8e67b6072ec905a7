"""The figures a page, report or API answer needs, assembled from the selectors
(SQL aggregates) and the pure calculations. Each builder runs a fixed number of
queries: accounts, targets, budgets and the hours aggregate (one or two)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from opencraft_ops import calendar
from roles.models import Cell
from sprints.calculations import SprintDates
from sustainability import calculations as calc
from sustainability import selectors
from sustainability.charts import monthly_chart_svg

# The presets the period control offers, in its order, then a custom range. The older
# kinds (a given sprint, month, quarter or year) stay accepted from links and the API.
PERIOD_PRESETS: tuple[tuple[str, str], ...] = (
    ("this-sprint", "This sprint"),
    ("last-sprint", "Last sprint"),
    ("this-month", "This month"),
    ("this-quarter", "This quarter"),
    ("year-to-date", "Year to date"),
    ("last-12-months", "Last 12 months"),
    ("reference", "Entire reference period"),
    ("custom", "Custom range"),
)
LEGACY_PERIOD_KINDS: tuple[tuple[str, str], ...] = (
    ("sprint", "Sprint"),
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("year", "Year"),
)
PERIOD_KINDS = tuple(k for k, _ in PERIOD_PRESETS + LEGACY_PERIOD_KINDS)
DEFAULT_PERIOD = "this-quarter"
# The period the home page's figure covers (the one the target is measured over).
HOME_PERIOD = "reference"


def default_reference_start() -> date:
    return date.fromisoformat(settings.SUSTAINABILITY_REFERENCE_START)


def budget_warn_fraction() -> Decimal:
    return min(settings.SUSTAINABILITY_BUDGET_THRESHOLDS) / 100


def company_targets(targets: dict[int | None, list[calc.TargetChange]]) -> list[calc.TargetChange]:
    """The company limit's history, or the settings default when none was recorded."""
    recorded = targets.get(None)
    if recorded:
        return recorded
    return [
        calc.TargetChange(
            since=date.min,
            percent=settings.COMPANY_NON_BILLABLE_LIMIT * 100,
            reference_start=default_reference_start(),
        )
    ]


def scope_targets(
    cell: Cell | None, targets: dict[int | None, list[calc.TargetChange]]
) -> list[calc.TargetChange]:
    return targets.get(cell.pk, []) if cell is not None else company_targets(targets)


@dataclass(frozen=True)
class PeriodChoice:
    kind: str
    sprint: int | None = None
    year: int | None = None
    month: int | None = None
    quarter: int | None = None
    start: date | None = None
    end: date | None = None


def resolve_period(choice: PeriodChoice, *, targets: Sequence[calc.TargetChange], as_of: date) -> calc.Period:
    """The dates of a picked period; missing values default to the one containing ``as_of``."""
    kind = choice.kind
    if kind in ("this-sprint", "last-sprint") or (kind == "sprint" and not choice.sprint):
        current = calendar.sprint_on(as_of)
        dates = current
        if kind == "last-sprint" and current.number > 1:
            dates = calendar.sprint_dates(current.number - 1)
        which = "Last sprint" if kind == "last-sprint" else "This sprint"
        return calc.Period(dates.start, dates.end, f"{which} (Sprint {dates.number})")
    if kind == "sprint" and choice.sprint:
        dates = calendar.sprint_dates(choice.sprint)
        return calc.Period(dates.start, dates.end, f"Sprint {dates.number}")
    if kind == "this-month":
        month = calc.month_period(as_of.year, as_of.month)
        return calc.Period(month.start, month.end, f"This month ({month.label})")
    if kind == "month":
        return calc.month_period(choice.year or as_of.year, choice.month or as_of.month)
    if kind == "year":
        return calc.year_period(choice.year or as_of.year)
    if kind == "year-to-date":
        return calc.Period(date(as_of.year, 1, 1), as_of, f"Year to date ({as_of.year})")
    if kind == "last-12-months":
        return calc.Period(calc.year_before(as_of), as_of, "Last 12 months")
    if kind == "reference":
        period = calc.reference_period(targets, as_of=as_of, default_start=default_reference_start())
        return calc.Period(period.start, period.end, "Entire reference period")
    if kind == "custom" and choice.start and choice.end:
        return calc.Period(choice.start, choice.end, "Custom range")
    year, quarter = calc.quarter_of(as_of)
    if kind == "quarter":
        return calc.quarter_period(choice.year or year, choice.quarter or quarter)
    this = calc.quarter_period(year, quarter)
    return calc.Period(this.start, this.end, f"This quarter ({this.label})")


def scope_period(
    choice: PeriodChoice,
    *,
    cell: Cell | None,
    as_of: date,
    targets: Sequence[calc.TargetChange] | None = None,
) -> calc.Period:
    """The dates the dashboard of ``cell`` (``None``: company-wide) shows for
    ``choice``; the worklog drill-down resolves its period the same way. The
    scope's targets are read (one query) only when not given and needed: the
    reference period starts at the reference start of the scope's target."""
    if targets is None:
        targets = scope_targets(cell, selectors.targets_by_cell()) if choice.kind == "reference" else []
    return resolve_period(choice, targets=targets, as_of=as_of)


def scope_figures(
    *,
    period: calc.Period,
    rows: Sequence[calc.HoursRow],
    accounts: dict[int, calc.AccountInfo],
    cell_id: int | None,
    targets: Sequence[calc.TargetChange],
    include_non_cell: bool = False,
) -> calc.Figures:
    """The ratio, target and remaining hours of a scope over ``period``: what the
    dashboard and the home page's figure both show (the target in force on the
    period's last day)."""
    target = calc.target_on(targets, period.end)
    return calc.figures(
        period=period,
        totals=calc.totals_of(rows, accounts, cell_id),
        target=target.fraction if target else None,
        include_non_cell=include_non_cell,
    )


@dataclass(frozen=True)
class AccountRow:
    account: calc.AccountInfo | None
    hours: calc.AccountHours
    account_spent: Decimal  # every member's hours on the account (what the budget measures)
    budget: calc.BudgetStatus


@dataclass(frozen=True)
class Dashboard:
    cell: Cell | None
    period: calc.Period
    figures: calc.Figures
    series: list[calc.MonthPoint]
    accounts: list[AccountRow]
    targets: list[calc.TargetChange]
    include_non_cell: bool
    chart_svg: str
    outside_cells: Decimal = calc.ZERO  # hours on client or cell accounts of no cell

    @property
    def target_changes_in_period(self) -> list[calc.TargetChange]:
        return [t for t in self.targets if self.period.start < t.since <= self.period.end]


def build_dashboard(
    *, cell: Cell | None, choice: PeriodChoice, as_of: date, include_non_cell: bool = False
) -> Dashboard:
    """Everything the dashboard shows. Queries: accounts, targets, budgets, hours (1-2)."""
    accounts = selectors.accounts_info()
    all_targets = selectors.targets_by_cell()
    targets = scope_targets(cell, all_targets)
    period = scope_period(choice, cell=cell, as_of=as_of, targets=targets)
    budgets = selectors.budgets_by_account()
    rows = selectors.hours_rows(period)
    cell_id = cell.pk if cell else None
    non_cell = include_non_cell and cell is None
    figures = scope_figures(
        period=period,
        rows=rows,
        accounts=accounts,
        cell_id=cell_id,
        targets=targets,
        include_non_cell=non_cell,
    )
    series = calc.monthly_series(
        rows, accounts, cell_id, period=period, targets=targets, include_non_cell=non_cell
    )
    spent_by_account: dict[int, int] = defaultdict(int)
    for row in rows:
        if row.account_id:
            spent_by_account[row.account_id] += row.seconds
    by_account = {a.account.id if a.account else 0: a for a in calc.hours_by_account(rows, accounts, cell_id)}
    for account_id in budgets:
        info = accounts.get(account_id)
        if account_id not in by_account and info is not None and (cell_id is None or info.cell_id == cell_id):
            by_account[account_id] = calc.AccountHours(info, calc.ZERO, calc.ZERO, calc.ZERO)
    warn = budget_warn_fraction()
    account_rows = []
    for account_id, account_hours in by_account.items():
        spent = calc.hours(spent_by_account.get(account_id, 0))
        status = calc.budget_status(
            changes=budgets.get(account_id, []), spent=spent, period=period, as_of=as_of, warn_at=warn
        )
        account_rows.append(AccountRow(account_hours.account, account_hours, spent, status))
    account_rows.sort(key=lambda r: (-r.hours.total, r.account.key if r.account else ""))
    scope = cell.name if cell else "Company-wide"
    chart = monthly_chart_svg(
        series, title=f"{scope}: monthly hours and sustainability ratio, {period.label}"
    )
    return Dashboard(
        cell=cell,
        period=period,
        figures=figures,
        series=series,
        accounts=account_rows,
        targets=targets,
        include_non_cell=non_cell,
        chart_svg=chart,
        outside_cells=calc.outside_cells(rows, accounts, cell_id),
    )


@dataclass(frozen=True)
class Headline:
    """A scope's ratio over one period, as its dashboard shows it, with the query string
    that opens that dashboard on the same period (the home page's figure)."""

    cell: Cell
    figures: calc.Figures
    period_kind: str

    @property
    def query(self) -> str:
        return f"period={self.period_kind}"

    @property
    def remaining_abs(self) -> Decimal | None:
        """Remaining non-billable hours without their sign (the page says "left" or "over")."""
        remaining = self.figures.remaining
        return None if remaining is None else abs(remaining)


def headline(*, cell: Cell, as_of: date, period_kind: str = HOME_PERIOD) -> Headline:
    """The cell's figure over ``period_kind``: the same figures as the dashboard of the
    same cell and period (one selector for both). Queries: accounts, targets, hours (1-2)."""
    figures = headline_figures(cell_ids=[cell.pk], as_of=as_of, period_kind=period_kind)
    return Headline(cell=cell, figures=figures[cell.pk], period_kind=period_kind)


def headline_figures(*, cell_ids: Sequence[int], as_of: date, period_kind: str) -> dict[int, calc.Figures]:
    """Each cell's figures over ``period_kind`` as its dashboard computes them. Queries:
    accounts, targets and the hours of every cell's period together (one or two),
    whatever the number of cells."""
    accounts = selectors.accounts_info()
    by_cell = selectors.targets_by_cell()
    targets = {cell_id: by_cell.get(cell_id, []) for cell_id in cell_ids}  # as ``scope_targets``
    periods = {
        cell_id: scope_period(PeriodChoice(period_kind), cell=None, as_of=as_of, targets=targets[cell_id])
        for cell_id in cell_ids
    }
    rows = selectors.hours_rows_by_period(periods)
    return {
        cell_id: scope_figures(
            period=periods[cell_id],
            rows=rows[cell_id],
            accounts=accounts,
            cell_id=cell_id,
            targets=targets[cell_id],
        )
        for cell_id in cell_ids
    }


# The home page's figure, kept per cell and day by each evaluation of the cell's findings
# (``store_headlines``): the home page reads it without a query.
HEADLINE_KEY = "sustainability:headline:{cell_id}:{period}:{as_of}"
HEADLINE_TTL_SECONDS = 60 * 60


def headline_key(cell_id: int, as_of: date, period_kind: str = HOME_PERIOD) -> str:
    return HEADLINE_KEY.format(cell_id=cell_id, period=period_kind, as_of=as_of.isoformat())


def store_headlines(*, cell_ids: Sequence[int], as_of: date, period_kind: str = HOME_PERIOD) -> int:
    """Keeps each cell's figure as of ``as_of`` in the cache for ``stored_headline``
    (``headline_figures``' queries, whatever the number of cells); returns how many."""
    if not cell_ids:
        return 0
    figures = headline_figures(cell_ids=cell_ids, as_of=as_of, period_kind=period_kind)
    cache.set_many(
        {headline_key(cell_id, as_of, period_kind): figures[cell_id] for cell_id in cell_ids},
        timeout=HEADLINE_TTL_SECONDS,
    )
    return len(cell_ids)


def stored_headline(*, cell: Cell, as_of: date, period_kind: str = HOME_PERIOD) -> Headline:
    """``headline`` as the last evaluation of the cell's findings kept it (no query), or
    computed now when none is kept for that day (a member whose local date is not the
    portal's, a cache emptied since)."""
    figures = cache.get(headline_key(cell.pk, as_of, period_kind))
    if figures is None:
        return headline(cell=cell, as_of=as_of, period_kind=period_kind)
    return Headline(cell=cell, figures=figures, period_kind=period_kind)


def build_quarterly(
    *, cell: Cell | None, year: int, quarter: int, include_non_cell: bool = False
) -> calc.QuarterlyTable:
    """The quarterly table. Queries: accounts, targets, and the hours of the
    reference period, the previous quarter and the reference period as of the
    previous quarter's end (one or two together)."""
    accounts = selectors.accounts_info()
    targets = scope_targets(cell, selectors.targets_by_cell())
    periods = calc.quarter_periods(year, quarter, targets, default_reference_start())
    rows = selectors.hours_rows_by_period(
        {
            "entire": periods.entire,
            "previous": periods.previous_quarter,
            "previous_entire": periods.previous_entire,
        }
    )
    return calc.quarterly_table(
        year=year,
        quarter=quarter,
        rows=rows["entire"],
        previous_rows=rows["previous"],
        previous_reference_rows=rows["previous_entire"],
        accounts=accounts,
        cell_id=cell.pk if cell else None,
        targets=targets,
        default_reference_start=default_reference_start(),
        include_non_cell=include_non_cell and cell is None,
    )


def preview_sprints(as_of: date) -> tuple[SprintDates, SprintDates]:
    """The sprint containing ``as_of`` and the next one: what a preview covers."""
    current = calendar.sprint_on(as_of)
    return current, calendar.sprint_dates(current.number + 1)


def preview_of(
    *,
    current: SprintDates,
    following: SprintDates,
    estimates: Sequence[calc.EstimateRow],
    accounts: dict[int, calc.AccountInfo],
    last_sprint_ratio: Decimal | None = None,
) -> calc.SprintPreview:
    """The preview's figures from the estimates (the report and the
    projected-above-target alert share this)."""
    return calc.sprint_preview(
        current_number=current.number,
        next_number=following.number,
        period=calc.Period(current.start, following.end, f"Sprints {current.number}-{following.number}"),
        estimates=estimates,
        accounts=accounts,
        last_sprint_ratio=last_sprint_ratio,
    )


def build_preview(*, cell: Cell, as_of: date) -> calc.SprintPreview:
    """The sprint preview for the sprint after the one containing ``as_of``.
    Queries: accounts, the estimates, last sprint's hours (one or two)."""
    current, following = preview_sprints(as_of)
    accounts = selectors.accounts_info()
    estimates = selectors.estimate_rows(cell=cell, sprint_numbers=[current.number, following.number])
    last_ratio = None
    if current.number > 1:
        last = calendar.sprint_dates(current.number - 1)
        rows = selectors.hours_rows(calc.Period(last.start, last.end))
        totals = calc.totals_of(rows, accounts, cell.pk)
        last_ratio = calc.ratio(billable=totals.billable_cell, non_billable=totals.non_billable_cell)
    return preview_of(
        current=current,
        following=following,
        estimates=estimates,
        accounts=accounts,
        last_sprint_ratio=last_ratio,
    )
