"""Hand-worked figures for the pure sustainability maths (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sustainability import calculations as calc
from sustainability.calculations import AccountInfo, BudgetChange, HoursRow, Period, TargetChange

H = 3600
CELL, OTHER = 1, 2
BILL = AccountInfo(10, "ACME", "Acme", "client", True, CELL)
CLIENT_NB = AccountInfo(11, "ACME-NB", "Acme unbilled", "client", False, CELL)
INTERNAL = AccountInfo(12, "BB-INT", "Bebop internal", "internal_cell", False, CELL)
NONCELL = AccountInfo(13, "COMMUNITY", "Community relations", "internal_non_cell", False, None)
OTHER_CLIENT = AccountInfo(14, "GLOBEX", "Globex", "client", True, OTHER)
ACCOUNTS = {a.id: a for a in (BILL, CLIENT_NB, INTERNAL, NONCELL, OTHER_CLIENT)}


def row(
    month: date,
    account: AccountInfo | None,
    hours: int,
    *,
    billed: int | None = None,
    member_cell: int = CELL,
) -> HoursRow:
    seconds = hours * H
    return HoursRow(
        month,
        account.id if account else None,
        member_cell,
        seconds,
        seconds if billed is None else billed * H,
    )


@pytest.mark.parametrize(
    ("billable", "non_billable", "expected"),
    [
        (D(70), D(30), D("0.3")),
        (D(0), D(5), D(1)),
        (D(5), D(0), D(0)),
        (D(0), D(0), None),  # no hours: undefined, not a division error
    ],
)
def test_ratio(billable: D, non_billable: D, expected: D | None) -> None:
    assert calc.ratio(billable=billable, non_billable=non_billable) == expected


@pytest.mark.parametrize(
    ("billable", "non_billable", "target", "expected"),
    [
        (D(70), D(20), D("0.3"), D("10.00")),  # 70 * .3 / .7 = 30; 30 - 20
        (D(70), D(40), D("0.3"), D("-10.00")),  # above the target: negative
        (D(90), D(10), D("0.25"), D("20.00")),  # 90 * .25 / .75 = 30; 30 - 10
        (D(0), D(0), D("0.3"), D("0.00")),  # empty period
        (D(100), D(0), D(0), D("0.00")),  # a 0 % target leaves nothing
    ],
)
def test_remaining_non_billable(billable: D, non_billable: D, target: D, expected: D) -> None:
    assert (
        calc.remaining_non_billable(billable=billable, non_billable=non_billable, target=target) == expected
    )


def test_remaining_refuses_a_target_of_one() -> None:
    with pytest.raises(ValueError):
        calc.remaining_non_billable(billable=D(1), non_billable=D(1), target=D(1))


@given(
    billable=st.integers(min_value=1, max_value=100_000),
    non_billable=st.integers(min_value=0, max_value=100_000),
    target=st.integers(min_value=1, max_value=95),
)
def test_remaining_sign_matches_the_ratio_against_target(
    billable: int, non_billable: int, target: int
) -> None:
    t = D(target) / 100
    remaining = calc.remaining_non_billable(billable=D(billable), non_billable=D(non_billable), target=t)
    value = calc.ratio(billable=D(billable), non_billable=D(non_billable))
    assert value is not None
    if remaining > D("0.01"):
        assert value < t
    if remaining < D("-0.01"):
        assert value > t


@pytest.mark.parametrize(
    ("hours_row", "cell_id", "expected"),
    [
        (row(date(2026, 1, 1), BILL, 10), CELL, calc.Split(billable=10 * H)),
        (row(date(2026, 1, 1), BILL, 10, billed=6), CELL, calc.Split(billable=6 * H, non_billable=4 * H)),
        (row(date(2026, 1, 1), CLIENT_NB, 10), CELL, calc.Split(non_billable=10 * H)),
        (row(date(2026, 1, 1), INTERNAL, 10), CELL, calc.Split(non_billable=10 * H)),
        (row(date(2026, 1, 1), NONCELL, 10), CELL, calc.Split(non_cell=10 * H)),
        (row(date(2026, 1, 1), NONCELL, 10, member_cell=OTHER), CELL, calc.Split()),  # other cell's member
        (row(date(2026, 1, 1), NONCELL, 10, member_cell=OTHER), None, calc.Split(non_cell=10 * H)),
        (row(date(2026, 1, 1), OTHER_CLIENT, 10), CELL, calc.Split()),  # another cell's account
        (row(date(2026, 1, 1), OTHER_CLIENT, 10), None, calc.Split(billable=10 * H)),
        (row(date(2026, 1, 1), None, 3), CELL, calc.Split(non_cell=3 * H)),  # no account: non-cell
    ],
)
def test_split_row(hours_row: HoursRow, cell_id: int | None, expected: calc.Split) -> None:
    account = ACCOUNTS.get(hours_row.account_id) if hours_row.account_id else None
    assert calc.split_row(hours_row, account, cell_id) == expected


def test_figures_of_an_empty_period_are_undefined() -> None:
    period = Period(date(2026, 1, 1), date(2026, 1, 31))
    fig = calc.figures(period=period, totals=calc.totals_of([], ACCOUNTS, CELL), target=D("0.3"))
    assert fig.ratio is None
    assert fig.ratio_percent is None
    assert fig.state == "undefined"
    assert fig.remaining == D("0.00")
    assert not fig.above_target


def test_company_figures_count_non_cell_hours_when_asked() -> None:
    rows = [
        row(date(2026, 1, 1), BILL, 40),
        row(date(2026, 1, 1), OTHER_CLIENT, 20),
        row(date(2026, 1, 1), INTERNAL, 20),
        row(date(2026, 1, 1), NONCELL, 20, member_cell=OTHER),
    ]
    totals = calc.totals_of(rows, ACCOUNTS, None)
    assert totals == calc.Totals(D(60), D(20), D(20))
    assert totals.total == D(100)
    period = Period(date(2026, 1, 1), date(2026, 1, 31))
    with_non_cell = calc.figures(period=period, totals=totals, target=D("0.4"), include_non_cell=True)
    assert with_non_cell.ratio == D("0.4")  # 40 / 100
    assert with_non_cell.remaining == D("0.00")  # 60 * .4 / .6 = 40; 40 - 40
    cells_only = calc.figures(period=period, totals=totals, target=D("0.4"))
    assert cells_only.ratio == D(20) / D(80)
    assert cells_only.remaining == D("20.00")


def test_monthly_series_has_every_month_and_the_target_in_force() -> None:
    targets = [
        TargetChange(date(2025, 1, 1), D(30), date(2025, 1, 1)),
        TargetChange(date(2026, 2, 15), D(35), date(2025, 1, 1)),
    ]
    rows = [
        row(date(2026, 1, 1), BILL, 30),
        row(date(2026, 1, 1), INTERNAL, 10),
        row(date(2026, 3, 1), BILL, 10),
    ]
    series = calc.monthly_series(
        rows, ACCOUNTS, CELL, period=Period(date(2026, 1, 1), date(2026, 3, 31)), targets=targets
    )
    assert [p.month for p in series] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert [p.ratio for p in series] == [D("0.25"), None, D(0)]
    assert [p.target for p in series] == [D("0.3"), D("0.35"), D("0.35")]


def _quarter_rows() -> list[HoursRow]:
    """Jul 2025 to Mar 2026: 100 h billable, 30 h internal cell (60 h in Q1 2026),
    10 h non-cell per month for Bebop, plus 50 h a month on Falcon's client."""
    rows = []
    for month in Period(date(2025, 7, 1), date(2026, 3, 31)).months():
        rows += [
            row(month, BILL, 100),
            row(month, INTERNAL, 60 if month.year == 2026 else 30),
            row(month, NONCELL, 10),
            row(month, OTHER_CLIENT, 50, member_cell=OTHER),
        ]
    return rows


def test_quarterly_table_with_a_target_changed_mid_period_and_negative_remaining() -> None:
    targets = [
        TargetChange(date(2025, 7, 1), D(30), date(2025, 7, 1)),
        TargetChange(date(2026, 2, 1), D(35), date(2025, 7, 1)),  # unlocked mid-period
        TargetChange(date(2026, 6, 1), D(40), date(2025, 7, 1)),  # planned after the quarter
    ]
    rows = _quarter_rows()
    previous = [r for r in rows if date(2025, 10, 1) <= r.month <= date(2025, 12, 1)]
    table = calc.quarterly_table(
        year=2026,
        quarter=1,
        rows=rows,
        previous_rows=previous,
        previous_reference_rows=[r for r in rows if r.month <= date(2025, 12, 1)],
        accounts=ACCOUNTS,
        cell_id=CELL,
        targets=targets,
        default_reference_start=date(2019, 1, 1),
    )
    entire = table.entire
    assert entire.period == Period(date(2025, 7, 1), date(2026, 3, 31), "Reference period")
    # 9 months: 900 billable, 6 x 30 + 3 x 60 = 360 non-billable, 90 non-cell.
    assert entire.totals == calc.Totals(D(900), D(360), D(90))
    assert entire.totals.total == D(1350)
    assert entire.ratio_percent == D("28.6")  # 360 / 1260
    assert entire.target_percent == D("35.0")  # the target in force at the quarter's end
    assert entire.remaining == D("124.62")  # 900 * .35 / .65 = 484.615...; - 360
    ytd = table.year_to_date
    assert ytd.period.start == date(2026, 1, 1)
    assert ytd.totals == calc.Totals(D(300), D(180), D(30))
    assert ytd.ratio_percent == D("37.5")  # 180 / 480
    assert ytd.remaining == D("-18.46")  # 300 * .35 / .65 = 161.538...; - 180
    assert ytd.above_target
    assert table.quarter_only.totals == ytd.totals
    assert table.previous_quarter.ratio_percent == D("23.1")  # 90 / 390
    assert table.previous_quarter.target_percent == D("30.0")
    assert table.change == D("14.4")  # the quarter alone against the previous quarter: 37.5 - 23.1
    # The last update (end of Q4 2025) saw Jul-Dec 2025: 600 billable, 180 non-billable, 60 non-cell.
    before = table.previous_entire
    assert before.period.start == date(2025, 7, 1) and before.period.end == date(2025, 12, 31)
    assert before.totals == calc.Totals(D(600), D(180), D(60))
    assert before.ratio_percent == D("23.1")  # 180 / 780
    assert before.target_percent == D("30.0")  # the target in force then
    assert before.remaining == D("77.14")  # 600 * .3 / .7 = 257.142...; - 180
    assert table.reference_change == D("5.5")  # 28.6 - 23.1: the reference period's own change
    assert [a.account for a in table.top_billable] == [BILL]
    assert table.top_billable[0].billable == D(300)
    assert [a.account for a in table.top_non_billable] == [INTERNAL]
    assert table.top_non_billable[0].non_billable == D(180)
    assert table.within_target  # the entire reference period is within 35 %
    assert table.next_target is not None and table.next_target.percent == D(40)


def test_quarterly_table_of_an_empty_quarter() -> None:
    table = calc.quarterly_table(
        year=2026,
        quarter=1,
        rows=[],
        previous_rows=[],
        previous_reference_rows=[],
        accounts=ACCOUNTS,
        cell_id=CELL,
        targets=[],
        default_reference_start=date(2025, 1, 1),
    )
    assert table.entire.ratio is None
    assert table.entire.target is None and table.entire.remaining is None
    assert table.change is None and table.reference_change is None
    assert table.top_billable == [] and table.top_non_billable == []


def test_quarter_periods_when_the_reference_start_moved_mid_month() -> None:
    targets = [
        TargetChange(date(2024, 1, 1), D(30), date(2024, 1, 1)),
        TargetChange(date(2026, 2, 1), D(35), date(2025, 7, 15)),  # a new reference period from 15 July
    ]
    periods = calc.quarter_periods(2026, 1, targets, date(2019, 1, 1))
    assert (periods.entire.start, periods.entire.end) == (date(2025, 7, 15), date(2026, 3, 31))
    assert periods.year_to_date.start == date(2026, 1, 1)
    assert periods.quarter_only.start == date(2026, 1, 1)
    assert (periods.previous_quarter.start, periods.previous_quarter.end) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )
    # At the end of Q4 2025 the 30 % target (reference from 2024) was in force.
    assert (periods.previous_entire.start, periods.previous_entire.end) == (
        date(2024, 1, 1),
        date(2025, 12, 31),
    )


@pytest.mark.parametrize(
    ("period", "whole", "edges"),
    [
        (Period(date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 1, 1), date(2026, 3, 1)), []),
        (
            Period(date(2026, 1, 15), date(2026, 3, 5)),
            (date(2026, 2, 1), date(2026, 2, 1)),
            [(date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 3, 1), date(2026, 3, 5))],
        ),
        # No whole month, across a month boundary: one edge.
        (Period(date(2026, 1, 20), date(2026, 2, 10)), None, [(date(2026, 1, 20), date(2026, 2, 10))]),
        (Period(date(2026, 3, 1), date(2026, 3, 20)), None, [(date(2026, 3, 1), date(2026, 3, 20))]),
        (Period(date(2025, 12, 1), date(2026, 2, 28)), (date(2025, 12, 1), date(2026, 2, 1)), []),
        (Period(date(2024, 2, 10), date(2024, 2, 29)), None, [(date(2024, 2, 10), date(2024, 2, 29))]),
    ],
)
def test_month_cover(period: Period, whole: tuple[date, date] | None, edges: list[tuple[date, date]]) -> None:
    cover = calc.month_cover(period)
    assert cover.whole == whole
    assert [(e.start, e.end) for e in cover.edges] == edges


def test_rows_for_period_cuts_the_edge_months_to_their_days() -> None:
    month_rows = [row(date(2026, m, 1), BILL, 10) for m in (1, 2, 3)]
    day_rows = [
        calc.DayHoursRow(date(2026, 1, 10), BILL.id, CELL, 2 * H, 2 * H),  # before the period
        calc.DayHoursRow(date(2026, 1, 20), BILL.id, CELL, 3 * H, H),
        calc.DayHoursRow(date(2026, 1, 31), BILL.id, CELL, 4 * H, 4 * H),
        calc.DayHoursRow(date(2026, 3, 3), INTERNAL.id, CELL, 5 * H, 5 * H),
        calc.DayHoursRow(date(2026, 3, 10), INTERNAL.id, CELL, 6 * H, 6 * H),  # after it
    ]
    rows = calc.rows_for_period(
        month_rows, day_rows, calc.month_cover(Period(date(2026, 1, 15), date(2026, 3, 5)))
    )
    assert sorted((r.month, r.account_id, r.seconds, r.billed_seconds) for r in rows) == [
        (date(2026, 1, 1), BILL.id, 7 * H, 5 * H),  # 20 and 31 January
        (date(2026, 2, 1), BILL.id, 10 * H, 10 * H),  # the whole month from the monthly rows
        (date(2026, 3, 1), INTERNAL.id, 5 * H, 5 * H),  # 3 March only
    ]


@pytest.mark.parametrize(
    ("changes", "period", "expected"),
    [
        (
            [BudgetChange(date(2026, 1, 1), "monthly", D(31))],
            Period(date(2026, 1, 1), date(2026, 1, 31)),
            D("31.00"),
        ),
        # Partial month: 11 of 31 days.
        (
            [BudgetChange(date(2025, 1, 1), "monthly", D(31))],
            Period(date(2026, 1, 10), date(2026, 1, 20)),
            D("11.00"),
        ),
        # Changed on the 17th: 16 days at 30/31 + 15 days at 62/31 = 15.48 + 30.
        (
            [
                BudgetChange(date(2025, 1, 1), "monthly", D(30)),
                BudgetChange(date(2026, 1, 17), "monthly", D(62)),
            ],
            Period(date(2026, 1, 1), date(2026, 1, 31)),
            D("45.48"),
        ),
        # Across months of different lengths: 15/31 of 62 + 14/28 of 62.
        (
            [BudgetChange(date(2026, 1, 17), "monthly", D(62))],
            Period(date(2026, 1, 1), date(2026, 2, 14)),
            D("61.00"),
        ),
        # Yearly: 90 of 365 days.
        (
            [BudgetChange(date(2026, 1, 1), "yearly", D(365))],
            Period(date(2026, 1, 1), date(2026, 3, 31)),
            D("90.00"),
        ),
        # Starts after the period: no budget.
        (
            [BudgetChange(date(2026, 2, 1), "monthly", D(10))],
            Period(date(2026, 1, 1), date(2026, 1, 31)),
            None,
        ),
        # Zero means no budget.
        (
            [BudgetChange(date(2026, 1, 1), "monthly", D(0))],
            Period(date(2026, 1, 1), date(2026, 1, 31)),
            None,
        ),
        ([], Period(date(2026, 1, 1), date(2026, 1, 31)), None),
    ],
)
def test_budget_hours(changes: list[BudgetChange], period: Period, expected: D | None) -> None:
    assert calc.budget_hours(changes, period) == expected


@pytest.mark.parametrize(
    ("spent", "as_of", "expected_projection", "expected_state"),
    [
        (D(10), date(2026, 4, 10), D("30.00"), "ok"),  # 10 h in 10 of 30 days
        (D(20), date(2026, 4, 10), D("60.00"), "warning"),  # projected over 40 h
        (D(33), date(2026, 4, 30), D(33), "warning"),  # 82.5 % spent
        (D(41), date(2026, 5, 3), D(41), "over"),
        (D(0), date(2026, 3, 31), D(0), "ok"),  # before the period
    ],
)
def test_budget_status(spent: D, as_of: date, expected_projection: D, expected_state: str) -> None:
    status = calc.budget_status(
        changes=[BudgetChange(date(2026, 1, 1), "monthly", D(40))],
        spent=spent,
        period=calc.month_period(2026, 4),
        as_of=as_of,
    )
    assert status.budget == D("40.00")
    assert status.projected == expected_projection
    assert status.state == expected_state


def test_budget_status_without_budget() -> None:
    status = calc.budget_status(
        changes=[], spent=D(5), period=calc.month_period(2026, 4), as_of=date(2026, 4, 2)
    )
    assert status.state == "none"
    assert status.spent_percent is None


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(None, []), (D("0.5"), []), (D("0.8"), [D("0.8")]), (D("1.2"), [D("0.8"), D(1)])],
)
def test_crossed_thresholds(fraction: D | None, expected: list[D]) -> None:
    assert calc.crossed_thresholds(fraction, [D(1), D("0.8")]) == expected


def test_sprint_preview() -> None:
    estimates = [
        calc.EstimateRow(100, BILL.id, 10 * H),
        calc.EstimateRow(100, INTERNAL.id, 5 * H),
        calc.EstimateRow(101, BILL.id, 20 * H),
        calc.EstimateRow(101, CLIENT_NB.id, 5 * H),
        calc.EstimateRow(101, NONCELL.id, 8 * H),  # non-cell: not in the ratio
        calc.EstimateRow(101, None, 2 * H),  # no account: reported apart
    ]
    preview = calc.sprint_preview(
        current_number=100,
        next_number=101,
        period=Period(date(2026, 11, 17), date(2026, 12, 14)),
        estimates=estimates,
        accounts=ACCOUNTS,
        last_sprint_ratio=D("0.3"),
    )
    assert (preview.billable_current, preview.billable_next, preview.billable_total) == (D(10), D(20), D(30))
    assert (preview.non_billable_current, preview.non_billable_next, preview.non_billable_total) == (
        D(5),
        D(5),
        D(10),
    )
    assert preview.ratio_percent == D("25.0")
    assert preview.direction == "lower"
    assert preview.unaccounted_hours == D(2)


def test_sprint_preview_without_estimates_is_undefined() -> None:
    preview = calc.sprint_preview(
        current_number=1,
        next_number=2,
        period=Period(date(2019, 1, 1), date(2019, 1, 28)),
        estimates=[],
        accounts=ACCOUNTS,
        last_sprint_ratio=None,
    )
    assert preview.ratio is None
    assert preview.direction is None


def test_preview_direction_higher() -> None:
    preview = calc.sprint_preview(
        current_number=1,
        next_number=2,
        period=Period(date(2019, 1, 1), date(2019, 1, 28)),
        estimates=[calc.EstimateRow(1, INTERNAL.id, H)],
        accounts=ACCOUNTS,
        last_sprint_ratio=D("0.2"),
    )
    assert preview.direction == "higher"


def test_suspect_reasons() -> None:
    epic_account = AccountInfo(20, "ACME-EPIC", "Acme epic", "client", True, CELL)
    ticket = calc.ReviewTicket(
        key="BB-1",
        summary="Work",
        cell_id=CELL,
        account=INTERNAL,
        epic_key="BB-E",
        epic_account=epic_account,
        logged_accounts=frozenset({INTERNAL.id, BILL.id}),
        seconds=H,
    )
    reasons = calc.suspect_reasons(ticket, ACCOUNTS)
    assert len(reasons) == 2
    assert "differs in category from epic BB-E" in reasons[0]
    assert reasons[1] == "time logged on other accounts: ACME"
    foreign = calc.ReviewTicket("BB-2", "x", CELL, OTHER_CLIENT, None, None, frozenset({OTHER_CLIENT.id}), H)
    assert calc.suspect_reasons(foreign, ACCOUNTS) == ["account GLOBEX belongs to another cell"]
    fine = calc.ReviewTicket("BB-3", "x", CELL, BILL, None, None, frozenset({BILL.id}), H)
    assert calc.suspect_reasons(fine, ACCOUNTS) == []
    none = calc.ReviewTicket("BB-4", "x", CELL, None, None, None, frozenset(), H)
    assert calc.suspect_reasons(none, ACCOUNTS) == ["no account on the ticket"]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (calc.quarter_period(2026, 1), Period(date(2026, 1, 1), date(2026, 3, 31))),
        (calc.quarter_period(2026, 4), Period(date(2026, 10, 1), date(2026, 12, 31))),
        (calc.month_period(2024, 2), Period(date(2024, 2, 1), date(2024, 2, 29))),
        (calc.year_period(2025), Period(date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_periods(period: Period, expected: Period) -> None:
    assert (period.start, period.end) == (expected.start, expected.end)


def test_period_refuses_an_end_before_its_start() -> None:
    with pytest.raises(ValueError):
        Period(date(2026, 2, 1), date(2026, 1, 1))


def test_reference_period_uses_the_target_in_force() -> None:
    targets = [TargetChange(date(2024, 1, 1), D(30), date(2023, 9, 1))]
    assert calc.reference_period(targets, as_of=date(2026, 3, 31), default_start=date(2019, 1, 1)) == Period(
        date(2023, 9, 1), date(2026, 3, 31), "Reference period"
    )
    assert calc.reference_period([], as_of=date(2026, 3, 31), default_start=date(2019, 1, 1)).start == date(
        2019, 1, 1
    )


@pytest.mark.parametrize(
    ("reference_start", "year_to_date", "quarter_only"),
    [
        (date(2025, 1, 1), "Q1-Q2 2026", "Q2 2026"),
        (date(2026, 3, 3), "3 Mar 2026 to the end of Q2 2026", "Q2 2026"),
        (date(2026, 5, 4), "4 May 2026 to the end of Q2 2026", "4 May 2026 to the end of Q2 2026"),
    ],
)
def test_period_titles_say_exactly_what_they_cover(
    reference_start: date, year_to_date: str, quarter_only: str
) -> None:
    targets = [TargetChange(reference_start, D(30), reference_start)]
    periods = calc.quarter_periods(2026, 2, targets, date(2019, 1, 1))
    assert periods.year_to_date.label == year_to_date
    assert periods.quarter_only.label.endswith(quarter_only)
    assert periods.year_to_date.start == max(date(2026, 1, 1), reference_start)
