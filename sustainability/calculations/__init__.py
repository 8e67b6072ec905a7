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

Modules: ``units`` (hours, percent), ``periods`` (periods and how their hours
are read), ``targets`` (target history, reference period), ``figures`` (split,
ratio, remaining, series, accounts), ``quarterly``, ``budgets``, ``preview``
(sprint preview) and ``review`` (accounts review). Every public name is
re-exported here: ``from sustainability import calculations as calc`` keeps working.
"""

from sustainability.calculations.budgets import (
    BudgetChange,
    BudgetStatus,
    budget_hours,
    budget_status,
    crossed_thresholds,
    project_to_end,
)
from sustainability.calculations.figures import (
    AccountHours,
    AccountInfo,
    DayHoursRow,
    Figures,
    HoursRow,
    MonthPoint,
    Split,
    Totals,
    figures,
    hours_by_account,
    monthly_series,
    outside_cells,
    ratio,
    remaining_non_billable,
    rows_for_period,
    rows_in,
    split_row,
    top_accounts,
    totals_of,
)
from sustainability.calculations.periods import (
    MonthCover,
    Period,
    month_cover,
    month_end,
    month_period,
    next_month,
    previous_quarter,
    quarter_of,
    quarter_period,
    year_before,
    year_period,
)
from sustainability.calculations.preview import EstimateRow, SprintPreview, sprint_preview
from sustainability.calculations.quarterly import (
    QuarterlyTable,
    QuarterPeriods,
    quarter_periods,
    quarterly_table,
    reference_period_for_quarter,
)
from sustainability.calculations.review import ReviewTicket, suspect_reasons
from sustainability.calculations.targets import TargetChange, reference_period, target_on
from sustainability.calculations.units import (
    CENT,
    CLIENT,
    HOUR,
    INTERNAL_CELL,
    INTERNAL_NON_CELL,
    ZERO,
    hours,
    percent,
    plain,
)

__all__ = [
    "CENT",
    "CLIENT",
    "HOUR",
    "INTERNAL_CELL",
    "INTERNAL_NON_CELL",
    "ZERO",
    "AccountHours",
    "AccountInfo",
    "BudgetChange",
    "BudgetStatus",
    "DayHoursRow",
    "EstimateRow",
    "Figures",
    "HoursRow",
    "MonthCover",
    "MonthPoint",
    "Period",
    "QuarterPeriods",
    "QuarterlyTable",
    "ReviewTicket",
    "Split",
    "SprintPreview",
    "TargetChange",
    "Totals",
    "budget_hours",
    "budget_status",
    "crossed_thresholds",
    "figures",
    "hours",
    "hours_by_account",
    "month_cover",
    "month_end",
    "month_period",
    "monthly_series",
    "next_month",
    "outside_cells",
    "percent",
    "plain",
    "previous_quarter",
    "project_to_end",
    "quarter_of",
    "quarter_period",
    "quarter_periods",
    "quarterly_table",
    "ratio",
    "reference_period",
    "reference_period_for_quarter",
    "remaining_non_billable",
    "rows_for_period",
    "rows_in",
    "split_row",
    "sprint_preview",
    "suspect_reasons",
    "target_on",
    "top_accounts",
    "totals_of",
    "year_before",
    "year_period",
]
