"""The estimation maths: scale, spread, rules and the closing day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimation.calculations import (
    SCALE,
    Rule,
    closing_day,
    median_up,
    normalise_vote,
    outcome,
    reminder_day,
    round_up_to_scale,
    spread,
)
from sprints.calculations import sprint_dates

EPOCH = date(2024, 1, 2)  # a Tuesday
D = Decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3", "3"),
        ("3.0", "3"),
        (" 0.50 ", "0.5"),
        ("13", "13"),
        ("?", "?"),
        ("Too big", "too-big"),
        ("too-big", "too-big"),
    ],
)
def test_votes_are_normalised(raw: str, expected: str) -> None:
    assert normalise_vote(raw) == expected


@pytest.mark.parametrize("raw", ["4", "0", "-1", "21", "abc", "", "NaN", "1e400"])
def test_votes_off_the_scale_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not on the scale"):
        normalise_vote(raw)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([], None),
        (["3"], "3"),
        (["2", "3"], "3"),
        (["1", "2", "8"], "2"),
        (["0.5", "1"], "1"),
        (["5", "8"], "8"),
        (["3", "5", "5", "13"], "5"),
    ],
)
def test_median_rounded_up_to_the_scale(points: list[str], expected: str | None) -> None:
    result = median_up([D(p) for p in points])
    assert result == (None if expected is None else D(expected))


@given(st.lists(st.sampled_from(SCALE), min_size=1, max_size=12))
def test_median_is_on_the_scale_between_the_votes(points: list[Decimal]) -> None:
    result = median_up(points)
    assert result in SCALE
    assert min(points) <= result <= max(points)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("0.1"), D("0.5")), (D("2.5"), D("3")), (D("3"), D("3")), (D("9"), D("13")), (D("40"), D("13"))],
)
def test_round_up_to_scale(value: Decimal, expected: Decimal) -> None:
    assert round_up_to_scale(value) == expected


@pytest.mark.parametrize(
    ("votes", "text", "large"),
    [
        ([], "–", False),
        (["3", "3"], "3", False),
        (["2", "3"], "2–3", False),
        (["2", "5"], "2–5", True),  # two steps apart
        (["3", "?"], "3", True),
        (["5", "too-big"], "5", True),
        (["1", "13"], "1–13", True),
    ],
)
def test_spread(votes: list[str], text: str, large: bool) -> None:
    result = spread(votes)
    assert (result.text, result.large, result.votes) == (text, large, len(votes))


def test_spread_threshold_is_configurable() -> None:
    assert spread(["2", "5"], large_steps=3).large is False
    assert spread(["2", "8"], large_steps=3).large is True


@pytest.mark.parametrize(
    ("rule", "votes", "keeper", "points"),
    [
        (Rule.MEDIAN, ["2", "3", "3"], None, "3"),
        (Rule.MEDIAN, ["2", "8"], D("3"), "5"),  # the median rule ignores decisions
        (Rule.MEDIAN, ["?", "too-big"], None, None),
        (Rule.MEDIAN, [], None, None),
        (Rule.MEDIAN_OR_KEEPER, ["2", "3"], D("8"), "3"),  # small spread: the median
        (Rule.MEDIAN_OR_KEEPER, ["2", "8"], D("3"), "3"),  # large spread: the keeper
        (Rule.MEDIAN_OR_KEEPER, ["2", "8"], None, None),  # large spread, no decision: unestimated
        (Rule.KEEPER, ["2", "3"], D("8"), "8"),
        (Rule.KEEPER, ["2", "3"], None, "3"),  # no decision: the median
    ],
)
def test_rules(rule: Rule, votes: list[str], keeper: Decimal | None, points: str | None) -> None:
    result = outcome(rule, votes, keeper_points=keeper)
    assert result.points == (None if points is None else D(points))
    assert result.reason


def test_closing_day_is_friday_of_w2_of_the_sprint_before() -> None:
    estimated = sprint_dates(5, epoch=EPOCH)
    day = closing_day(estimated, week=2, weekday=4)
    before = sprint_dates(4, epoch=EPOCH)
    assert day.weekday() == 4 and before.start < day < before.end
    assert day == before.week_day(2, 4)
    assert reminder_day(day).weekday() == 3
    assert closing_day(estimated, week=3, weekday=0) == before.end


def test_closing_day_outside_the_sprint_is_refused() -> None:
    with pytest.raises(ValueError):
        closing_day(sprint_dates(5, epoch=EPOCH), week=1, weekday=0)  # Monday of W1 is before the start
