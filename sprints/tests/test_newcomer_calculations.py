"""Newcomer guard rails with hand-worked numbers (sprint 27: Tue 2019-12-31 to Mon 2020-01-13)."""

from datetime import date
from decimal import Decimal as D

import pytest

from sprints.calculations import sprint_dates
from sprints.calculations.newcomers import (
    NewcomerTask,
    OnboardingBudget,
    is_extended,
    point_limit,
    trial_goals,
)

EPOCH = date(2019, 1, 1)
S27 = sprint_dates(27, epoch=EPOCH)
S28 = sprint_dates(28, epoch=EPOCH)


@pytest.mark.parametrize(
    ("joined_on", "sprint", "expected"),
    [
        (date(2019, 12, 31), S27, D(8)),  # both first weeks start in the sprint: 3 + 5
        (date(2020, 1, 8), S27, D(3)),  # joined Wed of W2: only the first week starts in this sprint
        (date(2020, 1, 8), S28, D(5)),  # ... the second week starts in the next one
        (date(2020, 1, 13), S27, D(3)),  # joined on the last day
        (date(2019, 12, 1), S27, None),  # long before: no limit
        (date(2019, 12, 31), S28, None),  # second sprint: no limit
    ],
)
def test_point_limit(joined_on: date, sprint: object, expected: D | None) -> None:
    assert point_limit(joined_on, sprint) == expected  # type: ignore[arg-type]


def task(key: str, sprint: int, points: str | None, *labels: str, prod: bool = False) -> NewcomerTask:
    return NewcomerTask(
        key=key,
        sprint_number=sprint,
        story_points=None if points is None else D(points),
        labels=labels,
        needs_production_access=prod,
    )


def test_trial_goals_met() -> None:
    tasks = [
        task("A", 27, "3"),
        task("B", 28, "5"),
        task("C", 28, "5", "ops"),
        task("D", 29, "8"),
        task("E", 29, "5", "DevOps"),
        task("F", 30, "5"),
        task("G", 30, "13", prod=True),
    ]
    goals = trial_goals(tasks, first_sprint=27, last_sprint=30)
    assert goals.first_task.met and goals.first_task.detail == "A"
    assert [g.met for g in goals.five_point_sprints] == [True, True, True]
    assert goals.complex_tasks.met and goals.complex_tasks.detail == "6 so far"
    assert (goals.complex_dev.detail, goals.complex_ops.detail) == ("4 so far", "2 so far")
    assert goals.production_access == ("G",)


def test_trial_goals_missing() -> None:
    tasks = [task("A", 27, "5"), task("B", 28, "5"), task("C", 28, "1"), task("D", 28, None)]
    goals = trial_goals(tasks, first_sprint=27, last_sprint=28)
    assert not goals.first_task.met  # 5 points is not a 2-3 point starter task
    assert [g.met for g in goals.five_point_sprints] == [False]
    assert not goals.complex_tasks.met and not goals.complex_ops.met and not goals.complex_dev.met


FIRST_DAY = date(2026, 3, 3)


@pytest.mark.parametrize(
    ("planned", "met", "detail"),
    [
        (date(2026, 2, 27), True, "A"),  # ready the Friday before the first day
        (FIRST_DAY, False, "none ready in time (A planned on or after the first day)"),
        (date(2026, 3, 5), False, "none ready in time (A planned on or after the first day)"),
        (None, True, "A (planning date unknown)"),  # entered before the portal tracked it
    ],
)
def test_first_task_must_be_ready_before_the_first_day(planned: date | None, met: bool, detail: str) -> None:
    tasks = [NewcomerTask(key="A", sprint_number=27, story_points=D("2"), planned_on=planned)]
    goals = trial_goals(tasks, first_sprint=27, last_sprint=27, first_day=FIRST_DAY)
    assert (goals.first_task.met, goals.first_task.detail) == (met, detail)


@pytest.mark.parametrize(
    ("nm_hours", "total", "extended", "core", "cap", "reserve", "headroom", "over"),
    [
        ("60", "64", False, 6, D(80), D(14), D(20), False),  # 2 + 6 x 2 = 14 h kept for reviews
        ("81", "81", False, 6, D(80), D(14), D(-1), True),  # over the 2-month cap
        ("100", "110", True, 6, D(130), D(14), D(30), False),  # extended trial: 130 h
        ("100", "196", True, 6, D(130), D(14), D(30), True),  # everyone together past 195 h
        ("125", "125", True, 40, D(130), D(82), D(-12), True),  # a big core team's reviews eat the rest
    ],
)
def test_onboarding_budget(
    nm_hours: str, total: str, extended: bool, core: int, cap: D, reserve: D, headroom: D, over: bool
) -> None:
    budget = OnboardingBudget(
        newcomer_mentor_hours=D(nm_hours), total_hours=D(total), extended=extended, core_members=core
    )
    assert (budget.trial_cap, budget.review_reserve, budget.headroom, budget.over) == (
        cap,
        reserve,
        headroom,
        over,
    )


@pytest.mark.parametrize(
    ("since", "as_of", "expected"),
    [(date(2024, 1, 1), date(2024, 3, 1), False), (date(2024, 1, 1), date(2024, 3, 2), True)],
)
def test_trial_extension(since: date, as_of: date, expected: bool) -> None:
    assert is_extended(since, as_of) is expected


@pytest.mark.parametrize(
    ("tasks", "first", "second", "breaches"),
    [
        ([], "0", "0", 0),
        ([("3", 0)], "3", "0", 0),
        ([("2", -3), ("1", 6)], "3", "0", 0),  # prepared before the first day: week 1
        ([("3", 0), ("5", 7)], "3", "5", 0),
        ([("3", 0), ("5", 13)], "3", "5", 0),  # the second week's last day
        ([("3", 0), ("5", 14)], "3", "0", 0),  # after the second week: neither
        ([("4", 6)], "4", "0", 1),
        ([("3", 1), ("3", 8), ("3", 12)], "3", "6", 1),
        ([("5", 0), ("8", 9)], "5", "8", 2),
        ([(None, 0)], "0", "0", 0),  # unestimated: no points (the estimate check reports it)
    ],
)
def test_first_weeks_points(tasks, first, second, breaches):
    from datetime import timedelta

    from sprints.calculations.newcomers import first_weeks_points

    joined = date(2026, 3, 3)
    weeks = first_weeks_points(joined, [(D(p) if p else None, joined + timedelta(days=d)) for p, d in tasks])
    assert (weeks.first_week, weeks.second_week) == (D(first), D(second))
    assert len(weeks.breaches()) == breaches
