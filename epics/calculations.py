"""Pure maths of epics: status transitions, due dates, budget health, who owes
the sprint's update, and who is away long enough to matter for planning.

No ORM and no clock: callers pass plain values and ``as_of``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from roles.calculations import TimeOffPeriod, is_off, workdays

# Status keys (the values of sprints.models.EpicStatus), repeated here so this
# module stays free of Django imports.
PROSPECT, OFFER, ACCEPTED, IN_DEVELOPMENT, DELIVERED, DONE = (
    "prospect",
    "offer",
    "accepted",
    "in_development",
    "delivered",
    "done",
)

# Where an epic may go from each status. The life of an epic runs prospect ->
# offer -> accepted -> in development -> delivered -> done; the other arrows
# are the handbook's real-life detours: an epic blocked on the client goes back
# to "Offer / Waiting on client", QA can send a delivery back to development, a
# prospect or an offer the client turns down is closed as done, a small
# internal epic may close straight from development, and a closed epic can be
# reopened when the client asks for more.
TRANSITIONS: dict[str, frozenset[str]] = {
    PROSPECT: frozenset({OFFER, ACCEPTED, DONE}),
    OFFER: frozenset({PROSPECT, ACCEPTED, IN_DEVELOPMENT, DONE}),
    ACCEPTED: frozenset({OFFER, IN_DEVELOPMENT, DONE}),
    IN_DEVELOPMENT: frozenset({OFFER, DELIVERED, DONE}),
    DELIVERED: frozenset({IN_DEVELOPMENT, DONE}),
    DONE: frozenset({IN_DEVELOPMENT}),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def next_statuses(current: str) -> list[str]:
    order = [PROSPECT, OFFER, ACCEPTED, IN_DEVELOPMENT, DELIVERED, DONE]
    allowed = TRANSITIONS.get(current, frozenset())
    return [status for status in order if status in allowed]


@dataclass(frozen=True)
class MilestoneInfo:
    deadline: date
    done: bool = False


def due_date(milestones: Iterable[MilestoneInfo], as_of: date) -> date | None:
    """The nearest deadline of a milestone still open and not yet passed."""
    upcoming = [m.deadline for m in milestones if not m.done and m.deadline >= as_of]
    return min(upcoming, default=None)


def overdue_deadlines(milestones: Iterable[MilestoneInfo], as_of: date) -> list[date]:
    """Deadlines of open milestones that have passed, oldest first."""
    return sorted(m.deadline for m in milestones if not m.done and m.deadline < as_of)


@dataclass(frozen=True)
class BudgetPeriodInfo:
    since: date
    hours_per_month: Decimal


def monthly_budget_on(periods: Sequence[BudgetPeriodInfo], day: date) -> Decimal | None:
    """The monthly budget in force on ``day`` (None before the first period)."""
    current: Decimal | None = None
    for period in sorted(periods, key=lambda p: p.since):
        if period.since <= day:
            current = period.hours_per_month
        else:
            break
    return current


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def months_later(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day when shorter)."""
    index = day.month - 1 + months
    first = date(day.year + index // 12, index % 12 + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))


def previous_month(day: date) -> tuple[date, date]:
    """First and last day of the month before ``day``'s."""
    last = month_start(day) - timedelta(days=1)
    return month_start(last), last


def seconds_to_hours(seconds: int | None) -> Decimal:
    return (Decimal(seconds or 0) / Decimal(3600)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class EpicFigures:
    """What the worklogs on an epic and its tickets add up to."""

    hours_used: Decimal = Decimal("0.00")  # all time
    month_hours: Decimal = Decimal("0.00")  # this calendar month up to as_of
    # Last calendar month: the part that is not billable (sustainability's definition).
    last_month_non_billable: Decimal = Decimal("0.00")
    # Unfinished tickets: remaining estimate, else original estimate.
    remaining_estimate: Decimal = Decimal("0.00")


class Health(enum.Enum):
    OK = "ok"
    WARNING = "warning"
    BAD = "bad"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class BudgetHealth:
    level: Health
    used: Decimal
    budget: Decimal | None
    projected: Decimal | None = None
    note: str = ""

    @property
    def percent(self) -> int | None:
        if not self.budget:
            return None
        return int((self.used * 100 / self.budget).to_integral_value())

    @property
    def bar_percent(self) -> int:
        return min(self.percent or 0, 100)


WARNING_SHARE = Decimal("0.9")


def budget_health(
    *,
    kind: str,
    figures: EpicFigures,
    budget_hours: Decimal | None,
    monthly_budget: Decimal | None,
    as_of: date,
) -> BudgetHealth:
    """How the epic's hours compare with its budget.

    Fixed: hours used plus the work left on unfinished tickets (remaining
    estimate, else original estimate: the projection) against the budget. Monthly: this month's hours against the
    budget in force, projected linearly to the month's end. No budget: not
    applicable (the update asks about non-billable hours instead).
    """
    if kind == "fixed":
        if budget_hours is None:
            return BudgetHealth(Health.UNKNOWN, figures.hours_used, None, note="No budget set")
        projected = figures.hours_used + figures.remaining_estimate
        if figures.hours_used > budget_hours:
            level, note = Health.BAD, "Over budget"
        elif projected > budget_hours:
            level, note = Health.BAD, "Projected over budget"
        elif projected > budget_hours * WARNING_SHARE:
            level, note = Health.WARNING, "Close to the budget"
        else:
            level, note = Health.OK, "Within budget"
        return BudgetHealth(level, figures.hours_used, budget_hours, projected, note)
    if kind == "monthly":
        if monthly_budget is None:
            return BudgetHealth(Health.UNKNOWN, figures.month_hours, None, note="No monthly budget set")
        elapsed = Decimal(as_of.day)
        days = Decimal(month_end(as_of).day)
        projected = (figures.month_hours * days / elapsed).quantize(Decimal("0.01"))
        if figures.month_hours > monthly_budget:
            level, note = Health.BAD, "Over this month's budget"
        elif projected > monthly_budget:
            level, note = Health.WARNING, "On course to exceed this month's budget"
        else:
            level, note = Health.OK, "Within this month's budget"
        return BudgetHealth(level, figures.month_hours, monthly_budget, projected, note)
    return BudgetHealth(Health.OK, figures.hours_used, None, note="No set budget")


def deadline_health(*, due: date | None, overdue: int, as_of: date) -> Health:
    if overdue:
        return Health.BAD
    if due is None:
        return Health.UNKNOWN
    if due - as_of <= timedelta(days=14):
        return Health.WARNING
    return Health.OK


def update_author(
    *, owner_id: int | None, reviewer_id: int | None, owner_periods: Iterable[TimeOffPeriod], due_day: date
) -> int | None:
    """Who owes the sprint's update: the owner, or the reviewer when the owner
    is off the whole due day (or there is no owner). None when nobody can."""
    if owner_id is not None and not is_off(owner_periods, due_day):
        return owner_id
    return reviewer_id


@dataclass(frozen=True)
class Absence:
    start: date
    end: date
    workdays_off: int


def long_absences(
    periods: Iterable[TimeOffPeriod], *, start: date, end: date, min_workdays: int = 5
) -> list[Absence]:
    """Whole-day time off inside [start, end] when it adds up to at least a week.

    The handbook asks to flag anyone away a week or more in total over the
    coming couple of months; partial days do not count towards it.
    """
    days: set[date] = set()
    spans: list[tuple[date, date]] = []
    for period in sorted(periods, key=lambda p: p.start):
        if period.hours_per_day is not None or period.end < start or period.start > end:
            continue
        s, e = max(period.start, start), min(period.end, end)
        days.update(workdays(s, e))
        spans.append((s, e))
    if len(days) < min_workdays:
        return []
    return [Absence(s, e, len(workdays(s, e))) for s, e in spans]


# --- The forward capacity plan (epic planning: allocations for the coming months) ---

PLAN_MONTHS = 3
# The answers of an epic update that ask for monthly hours, in order of precedence: a new
# allocation from next month on, the hours needed to finish by the deadline, the monthly
# budget the update reports.
ASKED_HOURS_KEYS = ("new_monthly_hours", "monthly_hours_needed", "monthly_budget_hours")


def asked_monthly_hours(answers: Mapping[str, object]) -> Decimal | None:
    """The hours a month an epic update asks for, or None when it asks for none."""
    for key in ASKED_HOURS_KEYS:
        value = answers.get(key)
        if value in (None, ""):
            continue
        try:
            hours = Decimal(str(value))
        except InvalidOperation:
            continue
        if hours.is_finite() and hours >= 0:
            return hours
    return None


def plan_months(as_of: date, count: int = PLAN_MONTHS) -> list[tuple[date, date]]:
    """The ``count`` calendar months after ``as_of``'s, as (first day, last day)."""
    firsts = [months_later(month_start(as_of), n) for n in range(1, count + 1)]
    return [(first, month_end(first)) for first in firsts]


@dataclass(frozen=True)
class PlanMonth:
    """One month of a cell's forward plan. ``available`` is the members' working hours
    (commitments less time off, from joining to leaving) less the cell's firefighting and
    discovery shares; ``demand`` the hours a month the open epics ask for."""

    start: date
    demand: Decimal
    available: Decimal

    @property
    def balance(self) -> Decimal:
        return self.available - self.demand

    @property
    def short(self) -> bool:
        return self.demand > self.available

    @property
    def use_percent(self) -> Decimal | None:
        if self.available <= 0:
            return None
        return (self.demand / self.available * 100).quantize(Decimal("1"))


def usable_hours(working: Decimal, *, firefighting_percent: Decimal, discovery_percent: Decimal) -> Decimal:
    """The working hours left for epics once the rotations' shares are set aside."""
    share = max(Decimal(0), Decimal(100) - firefighting_percent - discovery_percent) / 100
    return (working * share).quantize(Decimal("0.1"))
