from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

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
