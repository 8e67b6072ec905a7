from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sprints import calculations as c

EPOCH = date(2019, 1, 1)  # a Tuesday


@pytest.mark.parametrize(
    ("number", "start", "end"),
    [
        (1, date(2019, 1, 1), date(2019, 1, 14)),
        (2, date(2019, 1, 15), date(2019, 1, 28)),
        (26, date(2019, 12, 17), date(2019, 12, 30)),  # last sprint inside 2019
        (27, date(2019, 12, 31), date(2020, 1, 13)),  # across the year end
    ],
)
def test_sprint_dates(number: int, start: date, end: date) -> None:
    s = c.sprint_dates(number, epoch=EPOCH)
    assert (s.start, s.end) == (start, end)
    assert s.start.weekday() == c.TUESDAY and s.end.weekday() == c.MONDAY
    assert c.sprint_number_on(start, epoch=EPOCH) == number
    assert c.sprint_number_on(end, epoch=EPOCH) == number


def test_named_days_across_year_end() -> None:
    s = c.sprint_dates(27, epoch=EPOCH)  # 2019-12-31 .. 2020-01-13
    assert c.thursday_w2(s) == date(2020, 1, 9)
    assert c.wednesday_w2(s) == date(2020, 1, 8)
    assert c.monday_w3(s) == date(2020, 1, 13)
    assert len(s.working_days) == 10


def test_delivery_deadline_honours_dst() -> None:
    paris = ZoneInfo("Europe/Paris")
    # A sprint ending just after the spring-forward night of 2024-03-31: the deadline is
    # 23:00 local time (21:00 UTC in summer time), not a fixed UTC offset from winter.
    s = c.sprint_on(date(2024, 4, 1), epoch=EPOCH)
    deadline = c.delivery_deadline(s, paris)
    assert deadline == datetime(s.end.year, s.end.month, s.end.day, 23, 0, tzinfo=paris)


def test_rejects_non_tuesday_epoch() -> None:
    with pytest.raises(ValueError, match="Tuesday"):
        c.sprint_dates(1, epoch=date(2019, 1, 2))


@pytest.mark.parametrize(
    ("number", "message"), [(0, "start at 1"), (-5, "start at 1"), (10_000, "up to 9999")]
)
def test_rejects_sprint_numbers_out_of_range(number: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        c.sprint_dates(number, epoch=EPOCH)


def test_last_sprint_number_is_a_valid_date() -> None:
    last = c.sprint_dates(c.MAX_SPRINT_NUMBER, epoch=EPOCH)
    assert last.end - last.start == timedelta(days=13)


UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("number", "monday_w2", "wednesday_w2", "thursday_w2", "monday_w3", "cutoff"),
    [
        # 2019-12-31 .. 2020-01-13: starts on New Year's Eve
        (27, date(2020, 1, 6), date(2020, 1, 8), date(2020, 1, 9), date(2020, 1, 13), date(2020, 1, 10)),
        # 2020-12-29 .. 2021-01-11
        (53, date(2021, 1, 4), date(2021, 1, 6), date(2021, 1, 7), date(2021, 1, 11), date(2021, 1, 8)),
        # 2025-12-23 .. 2026-01-05: W2 spans the year end, Thursday of W2 is New Year's Day
        (183, date(2025, 12, 29), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 5), date(2026, 1, 2)),
        # 2024-03-19 .. 2024-04-01: Europe springs forward on 2024-03-31
        (137, date(2024, 3, 25), date(2024, 3, 27), date(2024, 3, 28), date(2024, 4, 1), date(2024, 3, 29)),
    ],
)
def test_named_days(
    number: int, monday_w2: date, wednesday_w2: date, thursday_w2: date, monday_w3: date, cutoff: date
) -> None:
    s = c.sprint_dates(number, epoch=EPOCH)
    days = c.named_days(s, tz=UTC, cutoff_day=11)
    assert (days.monday_w2, days.wednesday_w2, days.thursday_w2, days.monday_w3) == (
        monday_w2,
        wednesday_w2,
        thursday_w2,
        monday_w3,
    )
    assert days.injection_cutoff == cutoff
    assert days.monday_w3 == s.end
    assert s.day_number(days.injection_cutoff) == 11


@pytest.mark.parametrize(
    ("number", "tz", "internal_review_utc", "delivery_utc"),
    [
        # Paris, spring forward on 2024-03-31: review deadline still in winter time (+1),
        # delivery one hour before Tuesday 00:00 summer time (+2).
        (137, "Europe/Paris", datetime(2024, 3, 27, 23, 0), datetime(2024, 4, 1, 21, 0)),
        # Paris, fall back on 2024-10-27: review in summer time, delivery in winter time.
        (152, "Europe/Paris", datetime(2024, 10, 23, 22, 0), datetime(2024, 10, 28, 22, 0)),
        # New York, fall back on 2023-11-05.
        (127, "America/New_York", datetime(2023, 11, 9, 5, 0), datetime(2023, 11, 14, 4, 0)),
        # Sydney, spring forward on 2024-10-06 (southern hemisphere).
        (151, "Australia/Sydney", datetime(2024, 10, 9, 13, 0), datetime(2024, 10, 14, 12, 0)),
        # Year end in UTC.
        (27, "UTC", datetime(2020, 1, 9, 0, 0), datetime(2020, 1, 13, 23, 0)),
    ],
)
def test_deadlines_across_dst(
    number: int, tz: str, internal_review_utc: datetime, delivery_utc: datetime
) -> None:
    s = c.sprint_dates(number, epoch=EPOCH)
    zone = ZoneInfo(tz)
    assert c.internal_review_deadline(s, zone) == internal_review_utc.replace(tzinfo=UTC)
    assert c.delivery_deadline(s, zone) == delivery_utc.replace(tzinfo=UTC)
    # Wall-clock: 23:00 on the sprint's last day, one real hour before the next sprint.
    local = c.delivery_deadline(s, zone).astimezone(zone)
    assert (local.date(), local.hour) == (s.end, 23)
    assert c.next_sprint_start(s, zone) - c.delivery_deadline(s, zone) == timedelta(hours=1)


@pytest.mark.parametrize(
    ("added_on", "cutoff_day", "expected"),
    [
        (None, 11, False),
        (date(2019, 12, 30), 11, False),  # before the sprint
        (date(2020, 1, 10), 11, False),  # on the cutoff day itself
        (date(2020, 1, 11), 11, True),  # the day after
        (date(2020, 1, 13), 11, True),  # last day
        (date(2020, 1, 8), 8, True),  # configurable cutoff: day 8 is Tuesday 2020-01-07
        (date(2020, 1, 7), 8, False),
    ],
)
def test_is_injection(added_on: date | None, cutoff_day: int, expected: bool) -> None:
    s = c.sprint_dates(27, epoch=EPOCH)
    assert c.is_injection(added_on, s, cutoff_day) is expected


def test_injection_cutoff_rejects_bad_day() -> None:
    s = c.sprint_dates(27, epoch=EPOCH)
    with pytest.raises(ValueError, match="between 1 and 14"):
        c.injection_cutoff(s, 15)


def test_week_day_outside_sprint_is_refused() -> None:
    s = c.sprint_dates(27, epoch=EPOCH)
    with pytest.raises(ValueError, match="outside"):
        s.week_day(1, c.MONDAY)  # Monday of W1 belongs to the previous sprint
    with pytest.raises(ValueError, match="W1, W2 and W3"):
        s.week_day(4, c.MONDAY)


@given(
    number=st.integers(min_value=1, max_value=2000),
    tz=st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
)
def test_calendar_invariants(number: int, tz: str) -> None:
    s = c.sprint_dates(number, epoch=EPOCH)
    nxt = c.sprint_dates(number + 1, epoch=EPOCH)
    assert nxt.start == s.end + timedelta(days=1)
    assert s.start.weekday() == c.TUESDAY and s.end.weekday() == c.MONDAY
    assert len(s.working_days) == 10
    assert c.sprint_number_on(c.thursday_w2(s), epoch=EPOCH) == number
    zone = ZoneInfo(tz)
    assert c.next_sprint_start(s, zone) - c.delivery_deadline(s, zone) == timedelta(hours=1)
    assert c.internal_review_deadline(s, zone) < c.delivery_deadline(s, zone)
