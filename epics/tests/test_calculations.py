"""Pure epic maths: transitions, due dates, budgets, who owes the update, absences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from epics import calculations as c
from roles.calculations import TimeOffPeriod

STATUSES = ["prospect", "offer", "accepted", "in_development", "delivered", "done"]


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("prospect", "offer", True),
        ("prospect", "in_development", False),
        ("offer", "accepted", True),
        ("accepted", "in_development", True),
        ("accepted", "delivered", False),
        ("in_development", "offer", True),  # blocked on the client
        ("in_development", "delivered", True),
        ("in_development", "prospect", False),
        ("delivered", "in_development", True),  # QA sends it back
        ("delivered", "done", True),
        ("done", "in_development", True),  # reopened
        ("done", "prospect", False),
        ("offer", "offer", False),
    ],
)
def test_transitions(current: str, target: str, allowed: bool) -> None:
    assert c.can_transition(current, target) is allowed


def test_every_status_can_move_and_done_is_reachable() -> None:
    for status in STATUSES:
        assert c.next_statuses(status), status
        assert status not in c.next_statuses(status)
    reachable, frontier = {"prospect"}, ["prospect"]
    while frontier:
        for nxt in c.next_statuses(frontier.pop()):
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(STATUSES)


D = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("milestones", "due", "overdue"),
    [
        ([], None, []),
        ([c.MilestoneInfo(date(2026, 12, 10)), c.MilestoneInfo(date(2026, 12, 1))], date(2026, 12, 1), []),
        (
            [c.MilestoneInfo(date(2026, 12, 1), done=True), c.MilestoneInfo(date(2027, 1, 5))],
            date(2027, 1, 5),
            [],
        ),
        (
            [c.MilestoneInfo(date(2026, 11, 20)), c.MilestoneInfo(date(2026, 12, 2))],
            date(2026, 12, 2),
            [date(2026, 11, 20)],
        ),
        ([c.MilestoneInfo(D)], D, []),  # due today is not yet passed
        ([c.MilestoneInfo(date(2026, 11, 1), done=True)], None, []),
    ],
)
def test_due_date(milestones: list[c.MilestoneInfo], due: date | None, overdue: list[date]) -> None:
    assert c.due_date(milestones, D) == due
    assert c.overdue_deadlines(milestones, D) == overdue


@given(st.lists(st.tuples(st.dates(), st.booleans()), max_size=8), st.dates())
def test_due_date_is_never_past_nor_done(items: list[tuple[date, bool]], as_of: date) -> None:
    milestones = [c.MilestoneInfo(d, done) for d, done in items]
    due = c.due_date(milestones, as_of)
    if due is not None:
        assert due >= as_of
        assert any(m.deadline == due and not m.done for m in milestones)
        assert all(m.done or m.deadline < as_of or m.deadline >= due for m in milestones)


def test_monthly_budget_history() -> None:
    periods = [
        c.BudgetPeriodInfo(date(2026, 6, 1), Decimal("40")),
        c.BudgetPeriodInfo(date(2026, 1, 1), Decimal("20")),
    ]
    assert c.monthly_budget_on(periods, date(2025, 12, 31)) is None
    assert c.monthly_budget_on(periods, date(2026, 3, 1)) == Decimal("20")
    assert c.monthly_budget_on(periods, date(2026, 6, 1)) == Decimal("40")


@pytest.mark.parametrize(
    ("day", "first", "last", "prev"),
    [
        (date(2026, 3, 15), date(2026, 3, 1), date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2024, 2, 29), date(2024, 2, 1), date(2024, 2, 29), (date(2024, 1, 1), date(2024, 1, 31))),
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 31), (date(2025, 12, 1), date(2025, 12, 31))),
    ],
)
def test_months(day: date, first: date, last: date, prev: tuple[date, date]) -> None:
    assert c.month_start(day) == first and c.month_end(day) == last and c.previous_month(day) == prev


@pytest.mark.parametrize(
    ("day", "months", "later"),
    [
        (date(2026, 3, 15), 2, date(2026, 5, 15)),
        (date(2026, 11, 20), 2, date(2027, 1, 20)),  # over the year's end
        (date(2026, 12, 31), 2, date(2027, 2, 28)),  # February is shorter
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 5, 1), 0, date(2026, 5, 1)),
    ],
)
def test_months_later(day: date, months: int, later: date) -> None:
    assert c.months_later(day, months) == later


def fig(used: str = "0", month: str = "0", remaining: str = "0") -> c.EpicFigures:
    return c.EpicFigures(
        hours_used=Decimal(used), month_hours=Decimal(month), remaining_estimate=Decimal(remaining)
    )


@pytest.mark.parametrize(
    ("kind", "figures", "budget", "monthly", "level", "note"),
    [
        ("fixed", fig("50", remaining="20"), Decimal("100"), None, c.Health.OK, "Within budget"),
        ("fixed", fig("50", remaining="45"), Decimal("100"), None, c.Health.WARNING, "Close to the budget"),
        ("fixed", fig("50", remaining="60"), Decimal("100"), None, c.Health.BAD, "Projected over budget"),
        ("fixed", fig("120"), Decimal("100"), None, c.Health.BAD, "Over budget"),
        ("fixed", fig("10"), None, None, c.Health.UNKNOWN, "No budget set"),
        ("monthly", fig(month="10"), None, Decimal("40"), c.Health.OK, "Within this month's budget"),
        (
            "monthly",
            fig(month="30"),
            None,
            Decimal("40"),
            c.Health.WARNING,
            "On course to exceed this month's budget",
        ),
        ("monthly", fig(month="41"), None, Decimal("40"), c.Health.BAD, "Over this month's budget"),
        ("monthly", fig(month="41"), None, None, c.Health.UNKNOWN, "No monthly budget set"),
        ("none", fig("500"), None, None, c.Health.OK, "No set budget"),
    ],
)
def test_budget_health(
    kind: str,
    figures: c.EpicFigures,
    budget: Decimal | None,
    monthly: Decimal | None,
    level: c.Health,
    note: str,
) -> None:
    # 15 November: half of the month gone, so 30 h projects to 60 h.
    health = c.budget_health(
        kind=kind, figures=figures, budget_hours=budget, monthly_budget=monthly, as_of=date(2026, 11, 15)
    )
    assert (health.level, health.note) == (level, note)


def test_budget_percent() -> None:
    health = c.budget_health(
        kind="fixed", figures=fig("150"), budget_hours=Decimal("100"), monthly_budget=None, as_of=D
    )
    assert health.percent == 150 and health.bar_percent == 100


@pytest.mark.parametrize(
    ("owner", "reviewer", "periods", "expected"),
    [
        (1, 2, [], 1),
        (1, 2, [TimeOffPeriod(D, D)], 2),
        (1, None, [TimeOffPeriod(D, D)], None),
        (1, 2, [TimeOffPeriod(D, D, Decimal("2"))], 1),  # a few hours off: still the owner
        (None, 2, [], 2),
    ],
)
def test_update_author(
    owner: int | None, reviewer: int | None, periods: list[TimeOffPeriod], expected: int | None
) -> None:
    assert c.update_author(owner_id=owner, reviewer_id=reviewer, owner_periods=periods, due_day=D) == expected


@pytest.mark.parametrize(
    ("periods", "workdays"),
    [
        ([TimeOffPeriod(date(2026, 12, 7), date(2026, 12, 11))], 5),  # Monday to Friday
        ([TimeOffPeriod(date(2026, 12, 7), date(2026, 12, 10))], 0),  # four days: not a week
        (
            [
                TimeOffPeriod(date(2026, 12, 7), date(2026, 12, 9)),
                TimeOffPeriod(date(2027, 1, 4), date(2027, 1, 5)),
            ],
            5,
        ),
        ([TimeOffPeriod(date(2026, 12, 7), date(2026, 12, 18), Decimal("4"))], 0),  # partial days
        ([TimeOffPeriod(date(2027, 3, 1), date(2027, 3, 31))], 0),  # beyond two months
    ],
)
def test_long_absences(periods: list[TimeOffPeriod], workdays: int) -> None:
    absences = c.long_absences(periods, start=D, end=date(2027, 1, 25))
    assert sum(a.workdays_off for a in absences) == workdays
