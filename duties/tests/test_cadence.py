"""Cadences over two years of calendar (2026 and 2027), with hand-checked dates."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duties.cadence import (
    Cadence,
    CadenceKind,
    last_working_day_before,
    newcomer_occurrences,
    occurrences,
)
from sprints.calculations import sprint_dates, sprint_on

EPOCH = date(2019, 1, 1)
START, END = date(2026, 1, 1), date(2027, 12, 31)
MON, TUE, WED, THU, FRI = range(5)

SPRINT_DAYS = [(1, d) for d in (TUE, WED, THU, FRI, 5, 6)] + [(2, d) for d in range(7)] + [(3, MON)]


@pytest.mark.parametrize(("week", "weekday"), SPRINT_DAYS)
def test_sprint_cadence_every_sprint_day_over_two_years(week, weekday):
    found = occurrences(Cadence(CadenceKind.SPRINT, week=week, weekday=weekday), START, END, epoch=EPOCH)
    # Every sprint whose named day lies in the two years, exactly once, in order.
    expected = []
    for number in range(sprint_on(START, epoch=EPOCH).number, sprint_on(END, epoch=EPOCH).number + 1):
        day = sprint_dates(number, epoch=EPOCH).week_day(week, weekday)
        if START <= day <= END:
            expected.append((f"S{number}", day))
    assert [(o.period, o.due_on) for o in found] == expected
    assert 51 <= len(found) <= 53
    assert all(o.due_on.weekday() == weekday for o in found)
    assert all(b.due_on - a.due_on == timedelta(days=14) for a, b in itertools.pairwise(found))
    assert all(o.opens_on == o.due_on - timedelta(days=2) for o in found)


@pytest.mark.parametrize(
    ("week", "weekday", "period", "due"),
    [
        # Sprint 209 runs from Tuesday 22 December 2026 to Monday 4 January 2027.
        (2, THU, "S209", date(2026, 12, 31)),  # epic updates on New Year's Eve
        (3, MON, "S209", date(2027, 1, 4)),  # sustainability preview in the new year
        (2, MON, "S209", date(2026, 12, 28)),  # green-ticket reminder
        (1, WED, "S209", date(2026, 12, 23)),  # wrap-up of sprint 208
        (1, WED, "S210", date(2027, 1, 6)),
    ],
)
def test_sprint_days_across_a_year_end(week, weekday, period, due):
    found = occurrences(
        Cadence(CadenceKind.SPRINT, week=week, weekday=weekday),
        date(2026, 12, 20),
        date(2027, 1, 10),
        epoch=EPOCH,
    )
    assert (period, due) in [(o.period, o.due_on) for o in found]


def test_weekly_cadence_two_years_and_iso_year_end():
    found = occurrences(Cadence(CadenceKind.WEEKLY, weekday=MON), START, END, epoch=EPOCH)
    assert len(found) == 104  # 5 Jan 2026 .. 27 Dec 2027
    assert found[0].due_on == date(2026, 1, 5)
    assert len({o.period for o in found}) == len(found)
    periods = {o.due_on: o.period for o in found}
    assert periods[date(2026, 12, 28)] == "2026-W53"  # 2026 has 53 ISO weeks
    assert periods[date(2027, 1, 4)] == "2027-W01"


MONTHLY_5TH = {
    "2026-01": date(2026, 1, 2),  # the 5th is a Monday: the Friday before
    "2026-04": date(2026, 4, 3),  # the 5th is a Sunday
    "2026-09": date(2026, 9, 4),  # the 5th is a Saturday: Friday the 4th
    "2026-10": date(2026, 10, 2),  # Monday again
    "2026-11": date(2026, 11, 4),  # a plain Wednesday 4th
    "2027-09": date(2027, 9, 3),  # Sunday
    "2027-12": date(2027, 12, 3),  # Sunday
}


def test_monthly_before_the_5th_over_two_years():
    found = occurrences(Cadence(CadenceKind.MONTHLY, day_of_month=5), START, END, epoch=EPOCH)
    assert len(found) == 24
    by_period = {o.period: o for o in found}
    for period, due in MONTHLY_5TH.items():
        assert by_period[period].due_on == due, period
    for o in found:
        fifth = date(o.due_on.year, o.due_on.month, 5)
        assert o.due_on < fifth and o.due_on.weekday() < 5
        assert all(
            d.weekday() >= 5
            for d in (o.due_on + timedelta(days=i) for i in range(1, (fifth - o.due_on).days))
        )
        assert o.opens_on == o.due_on.replace(day=1)


def test_quarterly_in_the_quarters_first_month():
    found = occurrences(Cadence(CadenceKind.QUARTERLY), START, END, epoch=EPOCH)
    assert [(o.period, o.due_on) for o in found] == [
        ("2026-Q1", date(2026, 1, 30)),  # 31 January 2026 is a Saturday
        ("2026-Q2", date(2026, 4, 30)),
        ("2026-Q3", date(2026, 7, 31)),
        ("2026-Q4", date(2026, 10, 30)),  # 31 October is a Saturday
        ("2027-Q1", date(2027, 1, 29)),  # 30-31 January 2027 are a weekend
        ("2027-Q2", date(2027, 4, 30)),
        ("2027-Q3", date(2027, 7, 30)),
        ("2027-Q4", date(2027, 10, 29)),
    ]
    assert all(o.opens_on.day == 1 and o.opens_on.month in (1, 4, 7, 10) for o in found)


def test_quarterly_before_a_day():
    found = occurrences(
        Cadence(CadenceKind.QUARTERLY, day_of_month=15), START, date(2026, 12, 31), epoch=EPOCH
    )
    assert [o.due_on for o in found] == [
        date(2026, 1, 14),
        date(2026, 4, 14),
        date(2026, 7, 14),
        date(2026, 10, 14),
    ]


def test_newcomer_joining_week_before_and_initial():
    joined = date(2026, 12, 28)  # a Monday, across the year end
    before = newcomer_occurrences(
        Cadence(CadenceKind.NEWCOMER_JOINING, offset_days=-3, lead_days=7),
        joined_on=joined,
        trial_end=date(2027, 2, 28),
        start=START,
        end=END,
    )
    assert [(o.period, o.due_on, o.opens_on) for o in before] == [
        ("join-2026-12-28", date(2026, 12, 25), date(2026, 12, 18))
    ]
    initial = newcomer_occurrences(
        Cadence(CadenceKind.NEWCOMER_JOINING, offset_days=2),
        joined_on=joined,
        trial_end=date.max,
        start=START,
        end=END,
    )
    assert [o.due_on for o in initial] == [date(2026, 12, 30)]
    # Outside the range asked for: nothing.
    assert not newcomer_occurrences(
        Cadence(CadenceKind.NEWCOMER_JOINING, offset_days=2),
        joined_on=joined,
        trial_end=date.max,
        start=START,
        end=date(2026, 12, 1),
    )


def test_newcomer_weekly_from_second_week_to_end_of_trial():
    found = newcomer_occurrences(
        Cadence(CadenceKind.NEWCOMER_WEEKLY, weekday=WED),
        joined_on=date(2026, 12, 28),
        trial_end=date(2027, 2, 26),
        start=START,
        end=END,
    )
    assert found[0].due_on == date(2027, 1, 6)
    assert found[-1].due_on == date(2027, 2, 24)
    assert len(found) == 8


@pytest.mark.parametrize(
    ("cadence", "message"),
    [
        (Cadence(CadenceKind.SPRINT, week=4, weekday=MON), "sprint week"),
        (Cadence(CadenceKind.SPRINT, week=1, weekday=MON), "Tuesday of W1"),
        (Cadence(CadenceKind.SPRINT, week=3, weekday=TUE), "Tuesday of W1"),
        (Cadence(CadenceKind.WEEKLY), "weekday"),
        (Cadence(CadenceKind.WEEKLY, weekday=9), "weekday"),
        (Cadence(CadenceKind.MONTHLY), "day of the month"),
        (Cadence(CadenceKind.MONTHLY, day_of_month=31), "between 2 and 28"),
        (Cadence(CadenceKind.WEEKLY, weekday=MON, lead_days=-1), "negative"),
    ],
)
def test_invalid_cadences_are_refused(cadence, message):
    with pytest.raises(ValueError, match=message):
        occurrences(cadence, START, END, epoch=EPOCH)


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_last_working_day_before_is_the_closest_weekday(day):
    result = last_working_day_before(day)
    assert result < day and result.weekday() < 5
    assert (day - result).days <= 3


@given(
    kind=st.sampled_from([CadenceKind.MONTHLY, CadenceKind.QUARTERLY, CadenceKind.WEEKLY]),
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    split=st.integers(min_value=0, max_value=200),
)
def test_ranges_split_anywhere_give_the_same_occurrences(kind, start, split):
    cadence = Cadence(kind, weekday=THU, day_of_month=5 if kind == CadenceKind.MONTHLY else None)
    end = start + timedelta(days=200)
    middle = start + timedelta(days=split)
    whole = occurrences(cadence, start, end, epoch=EPOCH)
    parts = occurrences(cadence, start, middle, epoch=EPOCH) + occurrences(
        cadence, middle + timedelta(days=1), end, epoch=EPOCH
    )
    assert whole == parts
