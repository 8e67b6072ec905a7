from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roles.calculations import periods_overlap, tenure_label, tenure_months


@pytest.mark.parametrize(
    ("since", "as_of", "label"),
    [
        (date(2026, 1, 10), date(2026, 1, 10), "0 days"),
        (date(2026, 1, 10), date(2026, 1, 11), "1 day"),
        (date(2026, 1, 10), date(2026, 1, 31), "3 weeks"),
        (date(2026, 1, 10), date(2026, 2, 10), "1 month"),
        (date(2025, 1, 10), date(2026, 1, 9), "11 months"),
        (date(2025, 1, 10), date(2026, 1, 10), "1 year"),
        (date(2023, 5, 31), date(2026, 8, 1), "3 years 2 months"),
        (date(2026, 3, 1), date(2026, 2, 27), "starts in 2 days"),
    ],
)
def test_tenure_label(since: date, as_of: date, label: str) -> None:
    assert tenure_label(since, as_of) == label


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(min_value=0, max_value=4000)
)
def test_tenure_months_is_monotonic(since: date, days: int) -> None:
    as_of = since + timedelta(days=days)
    months = tenure_months(since, as_of)
    assert months >= 0
    assert tenure_months(since, as_of + timedelta(days=31)) >= months
    assert months <= days // 28


D = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((D, D), (D, D), True),  # the same day
        ((D, D + timedelta(2)), (D + timedelta(2), D + timedelta(5)), True),  # ends are inclusive
        ((D, D + timedelta(2)), (D + timedelta(3), D + timedelta(5)), False),  # side by side
        ((D, None), (D + timedelta(300), D + timedelta(301)), True),  # open-ended
        ((D + timedelta(1), None), (D, D), False),  # open-ended, starts after
        ((D, None), (D - timedelta(10), None), True),
    ],
)
def test_periods_overlap(a, b, overlap):
    assert periods_overlap(a[0], a[1], b[0], b[1]) is overlap
    assert periods_overlap(b[0], b[1], a[0], a[1]) is overlap  # symmetric


YEAR = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))


@given(YEAR, st.integers(0, 30), YEAR, st.integers(0, 30))
def test_periods_overlap_means_a_shared_day(a_start, a_len, b_start, b_len):
    a_end, b_end = a_start + timedelta(a_len), b_start + timedelta(b_len)
    a_days = {a_start + timedelta(i) for i in range(a_len + 1)}
    b_days = {b_start + timedelta(i) for i in range(b_len + 1)}
    assert periods_overlap(a_start, a_end, b_start, b_end) is bool(a_days & b_days)
