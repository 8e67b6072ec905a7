"""Hand-worked cases of the business-hours clock (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roles.calculations import TimeOffPeriod
from roles.clock import (
    Window,
    add_business_time,
    business_time_between,
    is_late,
    reply_due,
    window_duration,
)

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")
LA = ZoneInfo("America/Los_Angeles")  # UTC-8 in winter
KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+5:30


def at(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)  # type: ignore[misc,arg-type]


# 2026-11-20 is a Friday; 2026-11-23 a Monday.
@pytest.mark.parametrize(
    ("case", "pinged", "tz", "time_off", "expected"),
    [
        # Friday 15:00 in Paris: 9 h run on Friday, the weekend does not count, 15 h on Monday.
        ("friday afternoon", at(PARIS, 2026, 11, 20, 15, 0), PARIS, [], at(PARIS, 2026, 11, 23, 15, 0)),
        # Same ping, Monday off: Monday is skipped like the weekend.
        (
            "off on monday",
            at(PARIS, 2026, 11, 20, 15, 0),
            PARIS,
            [TimeOffPeriod(date(2026, 11, 23), date(2026, 11, 23))],
            at(PARIS, 2026, 11, 24, 15, 0),
        ),
        # Midweek: exactly 24 h later.
        ("tuesday", at(UTC, 2026, 11, 17, 9, 30), UTC, [], at(UTC, 2026, 11, 18, 9, 30)),
        # Saturday ping: counting starts at Monday's midnight, due at Tuesday's midnight.
        ("saturday", at(UTC, 2026, 11, 21, 11, 0), UTC, [], at(UTC, 2026, 11, 24, 0, 0)),
        # UTC-8: Saturday 02:00 UTC is still Friday 18:00 in Los Angeles, so 6 h run on Friday
        # and 18 h on Monday: Monday 18:00 PST = Tuesday 02:00 UTC.
        ("utc-8 friday evening", at(UTC, 2026, 11, 21, 2, 0), LA, [], at(UTC, 2026, 11, 24, 2, 0)),
        # The same instant for a UTC member is already Saturday: due Tuesday 00:00 UTC.
        ("utc same instant", at(UTC, 2026, 11, 21, 2, 0), UTC, [], at(UTC, 2026, 11, 24, 0, 0)),
        # UTC-8 Friday 15:30 local (23:30 UTC): Monday 15:30 local.
        ("utc-8 friday afternoon", at(UTC, 2026, 11, 20, 23, 30), LA, [], at(LA, 2026, 11, 23, 15, 30)),
        # UTC+5:30: Friday 20:00 UTC is Saturday 01:30 in Kolkata, already the weekend:
        # due Tuesday 00:00 IST = Monday 18:30 UTC.
        ("utc+5:30 friday night", at(UTC, 2026, 11, 20, 20, 0), KOLKATA, [], at(UTC, 2026, 11, 23, 18, 30)),
        # UTC+5:30 Thursday 17:30 local: Friday 17:30 local = Friday 12:00 UTC.
        ("utc+5:30 thursday", at(UTC, 2026, 11, 19, 12, 0), KOLKATA, [], at(UTC, 2026, 11, 20, 12, 0)),
        # Year end: New Year's Day is a Friday and (no public holidays here) counts.
        ("new year's eve", at(UTC, 2026, 12, 31, 10, 0), UTC, [], at(UTC, 2027, 1, 1, 10, 0)),
        # Friday 31 December 2027 16:00 in Los Angeles: Monday 3 January 2028 16:00.
        ("year end friday", at(LA, 2027, 12, 31, 16, 0), LA, [], at(LA, 2028, 1, 3, 16, 0)),
        # Holidays across the year end: off 24 Dec - 1 Jan; 12 h on Wed 23, the rest on Mon 4 Jan.
        (
            "holidays across year end",
            at(UTC, 2026, 12, 23, 12, 0),
            UTC,
            [TimeOffPeriod(date(2026, 12, 24), date(2027, 1, 1))],
            at(UTC, 2027, 1, 4, 12, 0),
        ),
    ],
)
def test_business_day_window(case, pinged, tz, time_off, expected):
    due = reply_due(pinged, window=Window.BUSINESS_DAY, tz=tz, time_off=time_off)
    assert due == expected, case
    assert due.tzinfo == tz  # expressed in the member's own zone


def test_partial_day_off_does_not_stop_the_clock():
    monday_whole_day = [TimeOffPeriod(date(2026, 11, 23), date(2026, 11, 23), hours_per_day=None)]
    partial = [TimeOffPeriod(date(2026, 11, 23), date(2026, 11, 23), hours_per_day=Decimal(2))]
    pinged = at(PARIS, 2026, 11, 20, 15, 0)
    assert reply_due(pinged, window=Window.BUSINESS_DAY, tz=PARIS, time_off=partial) == at(
        PARIS, 2026, 11, 23, 15, 0
    )
    assert reply_due(pinged, window=Window.BUSINESS_DAY, tz=PARIS, time_off=monday_whole_day) == at(
        PARIS, 2026, 11, 24, 15, 0
    )


@pytest.mark.parametrize(
    ("window", "pinged", "tz", "expected"),
    [
        # The pager escalates after 30 minutes, weekend or not.
        (Window.PAGER, at(UTC, 2026, 11, 21, 23, 50), UTC, at(UTC, 2026, 11, 22, 0, 20)),
        # 12 hours of plain time, in the member's zone.
        (Window.TWELVE_HOURS, at(UTC, 2026, 11, 20, 20, 0), KOLKATA, at(KOLKATA, 2026, 11, 21, 13, 30)),
        # 2 weeks: the same wall-clock time 14 days later, across the spring DST change in Paris.
        (Window.TWO_WEEKS, at(PARIS, 2026, 3, 20, 10, 0), PARIS, at(PARIS, 2026, 4, 3, 10, 0)),
        # ... and across a year end.
        (Window.TWO_WEEKS, at(LA, 2026, 12, 25, 9, 0), LA, at(LA, 2027, 1, 8, 9, 0)),
    ],
)
def test_plain_windows(window, pinged, tz, expected):
    # Plain windows ignore weekends and time off alike.
    away = [TimeOffPeriod(date(2026, 1, 1), date(2027, 12, 31))]
    due = reply_due(pinged, window=window, tz=tz, time_off=away)
    assert due == expected
    assert due.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("window", "sla_hours", "hours"),
    [
        # A project cell's stricter client SLA replaces the 24 hours for client emails ...
        (Window.CLIENT, Decimal("8"), Decimal("8")),
        (Window.CLIENT, Decimal("4.5"), Decimal("4.5")),
        # ... the default holds without one, with a 24 h one, and never loosens past 24 hours.
        (Window.CLIENT, None, Decimal("24")),
        (Window.CLIENT, Decimal("24"), Decimal("24")),
        (Window.CLIENT, Decimal("48"), Decimal("24")),
        (Window.CLIENT, Decimal("0"), Decimal("24")),
        # Team pings and reviews keep the handbook's 24 hours whatever the cell promises clients.
        (Window.BUSINESS_DAY, Decimal("8"), Decimal("24")),
        (Window.TWO_WEEKS, Decimal("8"), Decimal("336")),
    ],
)
def test_client_window_runs_on_the_cells_stricter_sla(window, sla_hours, hours):
    assert window_duration(window, sla_hours=sla_hours) == timedelta(seconds=int(hours * 3600))


def test_client_email_reply_due_on_a_project_cells_sla():
    friday = at(UTC, 2026, 11, 20, 10, 0)
    # 8 business hours: Friday 18:00; without the SLA, the weekend passes: Monday 10:00.
    assert reply_due(friday, window=Window.CLIENT, tz=UTC, sla_hours=Decimal("8")) == at(
        UTC, 2026, 11, 20, 18, 0
    )
    assert reply_due(friday, window=Window.CLIENT, tz=UTC) == at(UTC, 2026, 11, 23, 10, 0)
    # Late on Friday, the SLA's hours still skip the weekend (and the member's day off).
    late = at(UTC, 2026, 11, 20, 20, 0)
    monday_off = [TimeOffPeriod(date(2026, 11, 23), date(2026, 11, 23))]
    assert reply_due(late, window=Window.CLIENT, tz=UTC, sla_hours=Decimal("8"), time_off=monday_off) == at(
        UTC, 2026, 11, 24, 4, 0
    )


def test_zone_given_by_name():
    assert reply_due(
        at(UTC, 2026, 11, 20, 23, 30), window=Window.BUSINESS_DAY, tz="America/Los_Angeles"
    ) == at(LA, 2026, 11, 23, 15, 30)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pinged_at": datetime(2026, 11, 20, 15, 0), "tz": "UTC"}, "timezone-aware"),
        ({"pinged_at": at(UTC, 2026, 11, 20, 15, 0), "tz": "Mars/Olympus"}, "not a known time zone"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        reply_due(window=Window.BUSINESS_DAY, **kwargs)


def test_negative_duration_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(at(UTC, 2026, 11, 20), timedelta(hours=-1), tz=UTC)


def test_member_away_for_ever_is_refused_not_looped():
    with pytest.raises(ValueError, match="three years"):
        reply_due(
            at(UTC, 2026, 1, 5),
            window=Window.BUSINESS_DAY,
            tz=UTC,
            time_off=[TimeOffPeriod(date(2026, 1, 1), date(2040, 1, 1))],
        )


def test_business_time_between_excludes_weekend_and_time_off():
    # Friday 12:00 to Tuesday 12:00 UTC, Monday off: 12 h on Friday + 12 h on Tuesday.
    off = [TimeOffPeriod(date(2026, 11, 23), date(2026, 11, 23))]
    assert business_time_between(
        at(UTC, 2026, 11, 20, 12), at(UTC, 2026, 11, 24, 12), tz=UTC, time_off=off
    ) == timedelta(hours=24)
    assert business_time_between(at(UTC, 2026, 11, 24), at(UTC, 2026, 11, 20), tz=UTC) == timedelta(0)


def test_is_late_for_a_worklog():
    # Work on Friday 17:00; logged Monday 16:00 is on time, Monday 18:00 is late (UTC member).
    work = at(UTC, 2026, 11, 20, 17, 0)
    assert not is_late(work, at(UTC, 2026, 11, 23, 16, 0), window=Window.BUSINESS_DAY, tz=UTC)
    assert is_late(work, at(UTC, 2026, 11, 23, 18, 0), window=Window.BUSINESS_DAY, tz=UTC)


ZONES = [UTC, PARIS, LA, KOLKATA, ZoneInfo("Pacific/Auckland"), ZoneInfo("America/Sao_Paulo")]


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    hours=st.integers(min_value=0, max_value=24 * 30),
    tz=st.sampled_from(ZONES),
    off_start=st.integers(min_value=0, max_value=40),
    off_len=st.integers(min_value=0, max_value=10),
)
def test_business_time_round_trip(start, hours, tz, off_start, off_len):
    begin = start.replace(tzinfo=UTC)
    first = begin.date() + timedelta(days=off_start)
    off = [TimeOffPeriod(first, first + timedelta(days=off_len))]
    duration = timedelta(hours=hours)
    due = add_business_time(begin, duration, tz=tz, time_off=off)
    # The window never closes sooner than the plain duration, and exactly ``duration``
    # of counting time lies between the ping and the due instant.
    assert due - begin >= duration
    assert business_time_between(begin, due, tz=tz, time_off=off) == duration
