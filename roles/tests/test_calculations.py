from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roles.calculations import tenure_label, tenure_months


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
