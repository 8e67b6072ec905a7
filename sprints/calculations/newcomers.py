"""Newcomer guard rails: first-sprint point limits, trial-task goals and the onboarding budget.

Figures from the handbook: at most 3 story points the first week and 5 the second
(8 over the first sprint); a 2-3 point task ready before the first day; at least a
couple of 5-point tasks every sprint from the second; by the end of the trial at
least 5 complex tasks, 3-4 of them development and 2 or more ops. The onboarding
epic takes under 80 h (newcomer + mentor) in the first 2-month trial, under 130 h
over an extended trial, 195 h in all, keeping aside the core team's review hours
(2 h screening plus 2 h per core member).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from opencraft_ops.sprint_dates import SprintDates

FIRST_WEEK_POINTS = Decimal(3)
SECOND_WEEK_POINTS = Decimal(5)
FIRST_TASK_POINTS = (Decimal(2), Decimal(3))
COMPLEX_POINTS = Decimal(5)
FIVE_POINT_TASKS_PER_SPRINT = 2
COMPLEX_TASKS_GOAL = 5
COMPLEX_DEV_GOAL = 3
COMPLEX_OPS_GOAL = 2
OPS_LABELS = frozenset({"ops", "devops", "operations", "infrastructure"})
TRIAL_DAYS = 61  # two months
TRIAL_CAP_HOURS = Decimal(80)
EXTENDED_TRIAL_CAP_HOURS = Decimal(130)
TOTAL_CAP_HOURS = Decimal(195)
SCREENING_REVIEW_HOURS = Decimal(2)
REVIEW_HOURS_PER_CORE_MEMBER = Decimal(2)


def point_limit(joined_on: date, s: SprintDates) -> Decimal | None:
    """The most story points the newcomer may commit to in sprint ``s``, or None
    when neither of their first two weeks starts inside it (no limit)."""
    limit = Decimal(0)
    applies = False
    for week_start, points in (
        (joined_on, FIRST_WEEK_POINTS),
        (joined_on + timedelta(days=7), SECOND_WEEK_POINTS),
    ):
        if s.contains(week_start):
            limit += points
            applies = True
    return limit if applies else None


@dataclass(frozen=True)
class NewcomerTask:
    key: str
    sprint_number: int | None
    story_points: Decimal | None
    labels: tuple[str, ...] = ()
    needs_production_access: bool = False
    planned_on: date | None = None  # when it entered its sprint, when known

    @property
    def is_complex(self) -> bool:
        return self.story_points is not None and self.story_points >= COMPLEX_POINTS

    @property
    def is_ops(self) -> bool:
        return any(label.lower() in OPS_LABELS for label in self.labels)


@dataclass(frozen=True)
class GoalStatus:
    label: str
    met: bool
    detail: str


@dataclass(frozen=True)
class TrialGoals:
    first_task: GoalStatus
    five_point_sprints: tuple[GoalStatus, ...]  # one per sprint from the second
    complex_tasks: GoalStatus
    complex_dev: GoalStatus
    complex_ops: GoalStatus
    production_access: tuple[str, ...]  # keys of tasks that need production access


def trial_goals(
    tasks: Sequence[NewcomerTask], *, first_sprint: int, last_sprint: int, first_day: date | None = None
) -> TrialGoals:
    """Progress on the trial-task goals for sprints ``first_sprint``..``last_sprint``.

    The first task must be ready before ``first_day``: a task planned later does not count;
    one whose planning date is unknown (entered before the portal tracked it) does, marked so.
    """
    first = [t for t in tasks if t.sprint_number == first_sprint]
    sized = [
        t
        for t in first
        if t.story_points is not None and FIRST_TASK_POINTS[0] <= t.story_points <= FIRST_TASK_POINTS[1]
    ]
    late = [t.key for t in sized if first_day and t.planned_on and t.planned_on >= first_day]
    starter = [
        t.key if t.planned_on or first_day is None else f"{t.key} (planning date unknown)"
        for t in sized
        if t.key not in late
    ]
    per_sprint = []
    for number in range(first_sprint + 1, last_sprint + 1):
        fives = sum(1 for t in tasks if t.sprint_number == number and t.is_complex)
        per_sprint.append(
            GoalStatus(
                label=f"Sprint {number}: at least {FIVE_POINT_TASKS_PER_SPRINT} tasks of 5+ points",
                met=fives >= FIVE_POINT_TASKS_PER_SPRINT,
                detail=f"{fives} task(s) of 5+ points",
            )
        )
    in_trial = [
        t for t in tasks if t.sprint_number is not None and first_sprint <= t.sprint_number <= last_sprint
    ]
    complex_tasks = [t for t in in_trial if t.is_complex]
    ops = sum(1 for t in complex_tasks if t.is_ops)
    dev = len(complex_tasks) - ops
    return TrialGoals(
        first_task=GoalStatus(
            label="A 2-3 point task in the first sprint, assigned before the first day",
            met=bool(starter),
            detail=", ".join(starter)
            or (
                f"none ready in time ({', '.join(late)} planned on or after the first day)"
                if late
                else "none yet"
            ),
        ),
        five_point_sprints=tuple(per_sprint),
        complex_tasks=GoalStatus(
            label=f"At least {COMPLEX_TASKS_GOAL} complex (5+ point) tasks by the end of the trial",
            met=len(complex_tasks) >= COMPLEX_TASKS_GOAL,
            detail=f"{len(complex_tasks)} so far",
        ),
        complex_dev=GoalStatus(
            label=f"{COMPLEX_DEV_GOAL}-4 complex development tasks",
            met=dev >= COMPLEX_DEV_GOAL,
            detail=f"{dev} so far",
        ),
        complex_ops=GoalStatus(
            label=f"{COMPLEX_OPS_GOAL} or more complex ops tasks",
            met=ops >= COMPLEX_OPS_GOAL,
            detail=f"{ops} so far",
        ),
        production_access=tuple(t.key for t in tasks if t.needs_production_access),
    )


@dataclass(frozen=True)
class OnboardingBudget:
    newcomer_mentor_hours: Decimal  # logged by the newcomer and their mentor on the onboarding epic
    total_hours: Decimal  # logged by anyone on the onboarding epic
    extended: bool  # the trial was extended past its first two months
    core_members: int

    @property
    def trial_cap(self) -> Decimal:
        return EXTENDED_TRIAL_CAP_HOURS if self.extended else TRIAL_CAP_HOURS

    @property
    def review_reserve(self) -> Decimal:
        """Hours kept for the core team's screening and end-of-trial reviews."""
        return SCREENING_REVIEW_HOURS + REVIEW_HOURS_PER_CORE_MEMBER * self.core_members

    @property
    def headroom(self) -> Decimal:
        """Hours the newcomer and mentor may still log before a cap (negative when over)."""
        return min(
            self.trial_cap - self.newcomer_mentor_hours,
            TOTAL_CAP_HOURS - self.review_reserve - self.newcomer_mentor_hours,
        )

    @property
    def over_trial_cap(self) -> bool:
        return self.newcomer_mentor_hours > self.trial_cap

    @property
    def over_total_cap(self) -> bool:
        return self.total_hours > TOTAL_CAP_HOURS

    @property
    def over(self) -> bool:
        return self.over_trial_cap or self.over_total_cap or self.headroom < 0


def trial_end(newcomer_since: date) -> date:
    return newcomer_since + timedelta(days=TRIAL_DAYS - 1)


def is_extended(newcomer_since: date, as_of: date) -> bool:
    """Still a newcomer past the first two months: the trial was extended."""
    return as_of > trial_end(newcomer_since)


def _pts(value: Decimal) -> str:
    """6.00 -> "6", 2.50 -> "2.5"."""
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class WeekPoints:
    """Story points a newcomer committed to in each of their first two weeks."""

    first_week: Decimal
    second_week: Decimal

    def breaches(self) -> list[str]:
        """The per-week limits broken, in words (empty when both hold)."""
        found: list[str] = []
        if self.first_week > FIRST_WEEK_POINTS:
            found.append(f"{_pts(self.first_week)} points in their first week (limit {FIRST_WEEK_POINTS})")
        if self.second_week > SECOND_WEEK_POINTS:
            found.append(
                f"{_pts(self.second_week)} points taken on in their second week (limit {SECOND_WEEK_POINTS})"
            )
        return found


def first_weeks_points(joined_on: date, tasks: Sequence[tuple[Decimal | None, date]]) -> WeekPoints:
    """Points committed in the newcomer's first and second week, from ``tasks`` given as
    (story points, the day the task was committed: when it entered its sprint, or the
    sprint's first day when it was planned before). A task committed before the first day
    counts in the first week (the task prepared before they start); one committed after
    the second week counts in neither. The weeks run from ``joined_on`` whatever the sprint
    boundaries, so both limits hold even when both weeks fall in one sprint."""
    first_end = joined_on + timedelta(days=6)
    second_end = joined_on + timedelta(days=13)
    first = second = Decimal(0)
    for points, committed_on in tasks:
        value = points or Decimal(0)
        if committed_on <= first_end:
            first += value
        elif committed_on <= second_end:
            second += value
    return WeekPoints(first_week=first, second_week=second)
