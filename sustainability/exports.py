"""The CSV downloads of the sustainability pages: the rows of the tables the pages show,
built from the same objects the views render (opencraft_ops.csv_export)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from opencraft_ops.csv_export import Cell
from sustainability.calculations.figures import Figures
from sustainability.calculations.quarterly import QuarterlyTable
from sustainability.dashboard import AccountRow
from sustainability.models import Worklog

HEALTH = {"none": "no budget", "ok": "on track", "warning": "watch", "over": "over budget"}
CENT = Decimal("0.01")

WORKLOG_HEADER = ["date", "member", "ticket", "hours", "billable hours", "description", "logged at"]


def _hours(seconds: int) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(CENT)


def worklog_rows(worklogs: Iterable[Worklog]) -> Iterator[Sequence[Cell]]:
    for w in worklogs:
        yield [
            w.work_date,
            str(w.member) if w.member else "unknown",
            w.ticket.key if w.ticket else w.jira_issue_id,
            _hours(w.seconds),
            _hours(w.billable_seconds),
            w.description,
            w.created_at,
        ]


ACCOUNT_HEADER = [
    "account",
    "name",
    "category",
    "billable hours",
    "non-billable hours",
    "non-cell hours",
    "budget hours",
    "spent hours",
    "spent %",
    "projected hours",
    "projected %",
    "health",
]


def account_rows(rows: Iterable[AccountRow]) -> Iterator[Sequence[Cell]]:
    for row in rows:
        yield [
            row.account.key if row.account else "",
            row.account.name if row.account else "no account",
            row.account.category if row.account else "",
            row.hours.billable,
            row.hours.non_billable,
            row.hours.non_cell,
            row.budget.budget,
            row.account_spent,
            row.budget.spent_percent,
            row.budget.projected,
            row.budget.projected_percent,
            HEALTH.get(row.budget.state, row.budget.state),
        ]


QUARTERLY_HEADER = [
    "row",
    "period",
    "start",
    "end",
    "total hours",
    "non-cell hours",
    "billable cell hours",
    "non-billable cell hours",
    "% non-billable",
    "target %",
    "remaining non-billable hours",
]


def _figures(name: str, f: Figures) -> list[Cell]:
    t = f.totals
    return [
        name,
        f.period.label,
        f.period.start,
        f.period.end,
        t.total,
        t.non_cell,
        t.billable_cell,
        t.non_billable_cell,
        f.ratio_percent,
        f.target_percent,
        f.remaining,
    ]


def quarterly_rows(table: QuarterlyTable) -> Iterator[Sequence[Cell]]:
    """The three periods of the table, the previous quarter, then the top accounts (their
    hours in the billable or non-billable column)."""
    yield _figures("entire reference period", table.entire)
    yield _figures("year to date", table.year_to_date)
    yield _figures("quarter", table.quarter_only)
    yield _figures("previous quarter", table.previous_quarter)
    quarter = table.quarter_only.period
    for a in table.top_billable:
        name = f"top billable: {a.account.key}" if a.account else "top billable: no account"
        yield [name, quarter.label, quarter.start, quarter.end, "", "", a.billable, "", "", "", ""]
    for a in table.top_non_billable:
        name = f"top non-billable: {a.account.key}" if a.account else "top non-billable: no account"
        yield [name, quarter.label, quarter.start, quarter.end, "", "", "", a.non_billable, "", "", ""]
