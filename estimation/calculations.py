"""The estimation maths as pure functions: the points scale, the spread of a ticket's
votes, the closing day and the rules that turn votes into story points.

No ORM and no clock here: callers pass values and ``as_of``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from sprints.calculations import SPRINT_DAYS, SprintDates

# The story points scale, smallest first.
SCALE: tuple[Decimal, ...] = tuple(Decimal(v) for v in ("0.5", "1", "2", "3", "5", "8", "13"))
UNSURE = "?"
TOO_BIG = "too-big"
VOTE_CHOICES: list[tuple[str, str]] = [(str(v), str(v)) for v in SCALE] + [
    (UNSURE, "? (not sure)"),
    (TOO_BIG, "Too big (split it)"),
]
VOTE_VALUES = frozenset(value for value, _ in VOTE_CHOICES)
# Two steps apart on the scale (e.g. 2 and 5) is worth a discussion before the points are set.
DEFAULT_LARGE_SPREAD_STEPS = 2


class Rule(enum.StrEnum):
    """How a ticket's points are chosen when the session closes."""

    MEDIAN = "median"  # the median of the numeric votes, rounded up to the scale
    MEDIAN_OR_KEEPER = "median-or-keeper"  # the keeper's decision where the spread is large
    KEEPER = "keeper"  # the keeper's decision wherever given, else the median

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS: dict[Rule, str] = {
    Rule.MEDIAN: "Median of the votes, rounded up to the scale",
    Rule.MEDIAN_OR_KEEPER: "Median, but the keeper's decision where the spread is large",
    Rule.KEEPER: "The keeper's decision where given, else the median",
}
RULE_CHOICES: list[tuple[str, str]] = [(rule.value, rule.label) for rule in Rule]


def normalise_vote(value: str) -> str:
    """The canonical spelling of a vote ("2.0" -> "2", "Too big" -> "too-big"), or ValueError."""
    text = value.strip().lower().replace(" ", "-")
    if text in (UNSURE, TOO_BIG):
        return text
    try:
        number = Decimal(text)
    except ArithmeticError:
        raise ValueError(f"{value!r} is not on the scale ({scale_text()}, ? or too big).") from None
    for point in SCALE:
        if number == point:
            return str(point)
    raise ValueError(f"{value!r} is not on the scale ({scale_text()}, ? or too big).")


def scale_text() -> str:
    return ", ".join(str(v) for v in SCALE)


def vote_points(value: str) -> Decimal | None:
    """The points of a vote; None for "?" and "too big"."""
    if value in (UNSURE, TOO_BIG):
        return None
    return Decimal(value)


def round_up_to_scale(points: Decimal) -> Decimal:
    """The smallest scale value at or above ``points`` (the largest one above 13)."""
    for value in SCALE:
        if value >= points:
            return value
    return SCALE[-1]


def median_up(points: Sequence[Decimal]) -> Decimal | None:
    """The median of ``points`` rounded up to the scale; None without points. With an even
    number of votes the median is the mean of the two middle ones (2 and 3 give 3)."""
    if not points:
        return None
    ordered = sorted(points)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        median = ordered[middle]
    else:
        median = ((ordered[middle - 1] + ordered[middle]) / 2).quantize(
            Decimal("0.01"), rounding=ROUND_CEILING
        )
    return round_up_to_scale(median)


@dataclass(frozen=True)
class Spread:
    """What a ticket's votes look like once revealed."""

    votes: int
    low: Decimal | None
    high: Decimal | None
    unsure: int
    too_big: int
    steps: int  # scale steps between the lowest and the highest numeric vote
    large: bool  # worth a discussion: far apart, or someone finds it too big or unclear
    median: Decimal | None

    @property
    def text(self) -> str:
        if self.low is None or self.high is None:
            return "–"
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


def spread(values: Sequence[str], *, large_steps: int = DEFAULT_LARGE_SPREAD_STEPS) -> Spread:
    """The spread of ``values`` (canonical votes). Large when the numeric votes are at least
    ``large_steps`` steps apart on the scale, or any vote is "?" or "too big"."""
    numbers = [p for p in (vote_points(v) for v in values) if p is not None]
    unsure = sum(1 for v in values if v == UNSURE)
    too_big = sum(1 for v in values if v == TOO_BIG)
    low = min(numbers) if numbers else None
    high = max(numbers) if numbers else None
    steps = SCALE.index(high) - SCALE.index(low) if low is not None and high is not None else 0
    return Spread(
        votes=len(values),
        low=low,
        high=high,
        unsure=unsure,
        too_big=too_big,
        steps=steps,
        large=bool(values) and (steps >= large_steps or unsure > 0 or too_big > 0),
        median=median_up(numbers),
    )


@dataclass(frozen=True)
class Outcome:
    points: Decimal | None  # None: the ticket stays unestimated
    reason: str


def outcome(
    rule: Rule,
    values: Sequence[str],
    *,
    keeper_points: Decimal | None,
    large_steps: int = DEFAULT_LARGE_SPREAD_STEPS,
) -> Outcome:
    """The points ``rule`` gives a ticket with these votes and the keeper's decision."""
    s = spread(values, large_steps=large_steps)
    if rule is Rule.KEEPER and keeper_points is not None:
        return Outcome(keeper_points, "the keeper's decision")
    if rule is Rule.MEDIAN_OR_KEEPER and s.large:
        if keeper_points is not None:
            return Outcome(keeper_points, "the keeper's decision (large spread)")
        return Outcome(None, "large spread and no decision from the keeper")
    if s.median is None:
        return Outcome(None, "no numeric vote" if values else "no vote")
    return Outcome(s.median, f"median of {len(values) - s.unsure - s.too_big} vote(s)")


def sprint_before(dates: SprintDates) -> SprintDates:
    return SprintDates(
        number=dates.number - 1,
        start=dates.start - timedelta(days=SPRINT_DAYS),
        end=dates.end - timedelta(days=SPRINT_DAYS),
    )


def closing_day(estimated: SprintDates, *, week: int, weekday: int) -> date:
    """The day the session for sprint ``estimated`` closes: ``weekday`` (0 = Monday) of week
    ``week`` of the sprint before it (default: Friday of W2). ValueError for a day outside it."""
    return sprint_before(estimated).week_day(week, weekday)


def reminder_day(closes_on: date) -> date:
    """From this day on, members who have not estimated are reminded: the day before closing."""
    return closes_on - timedelta(days=1)


def is_newcomer_friendly(labels: Sequence[str], priority_category: int) -> bool:
    """Labelled ``newcomer-friendly`` or in the backlog's newcomer-friendly priority group (2)."""
    return "newcomer-friendly" in labels or priority_category == 2
