"""The sprint calendar as pure functions.

Sprints are two weeks long, numbered, and shared by every cell. Sprint 1
starts on ``epoch`` (a Tuesday); sprint N starts 14 * (N - 1) days later and
ends on the Monday 13 days after its start. W1, W2 and W3 are the Monday-based
calendar weeks the sprint touches: it starts on Tuesday of W1 and ends on
Monday of W3. No function here reads the clock or the database: pass ``as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SPRINT_DAYS = 14
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


@dataclass(frozen=True)
class SprintDates:
    number: int
    start: date  # Tuesday of W1
    end: date  # Monday of W3

    def week_day(self, week: int, weekday: int) -> date:
        """The date of ``weekday`` (0 = Monday) in calendar week ``week`` (1, 2 or 3)."""
        if week not in (1, 2, 3):
            raise ValueError("A sprint has weeks W1, W2 and W3 only.")
        monday_w1 = self.start - timedelta(days=self.start.weekday())
        day = monday_w1 + timedelta(weeks=week - 1, days=weekday)
        if not self.start <= day <= self.end:
            raise ValueError(f"W{week} day {weekday} is outside sprint {self.number}.")
        return day

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(SPRINT_DAYS)]

    @property
    def working_days(self) -> list[date]:
        """Monday to Friday within the sprint: ten days."""
        return [d for d in self.days if d.weekday() < SATURDAY]

    def day_number(self, day: date) -> int:
        """1 for the first day (Tuesday of W1) up to 14 (Monday of W3)."""
        return (day - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _check_epoch(epoch: date) -> None:
    if epoch.weekday() != TUESDAY:
        raise ValueError(f"The sprint epoch {epoch} must be a Tuesday.")


# About 380 years of two-week sprints: far beyond any real plan, well inside ``date``'s range,
# so a sprint number typed into a form or an API call can be refused instead of overflowing.
MAX_SPRINT_NUMBER = 9999


def sprint_dates(number: int, *, epoch: date) -> SprintDates:
    _check_epoch(epoch)
    if number < 1:
        raise ValueError("Sprint numbers start at 1.")
    if number > MAX_SPRINT_NUMBER:
        raise ValueError(f"Sprint numbers go up to {MAX_SPRINT_NUMBER}.")
    start = epoch + timedelta(days=SPRINT_DAYS * (number - 1))
    return SprintDates(number=number, start=start, end=start + timedelta(days=SPRINT_DAYS - 1))


def sprint_number_on(day: date, *, epoch: date) -> int:
    """The number of the sprint that contains ``day``."""
    _check_epoch(epoch)
    if day < epoch:
        raise ValueError(f"{day} is before the first sprint ({epoch}).")
    return (day - epoch).days // SPRINT_DAYS + 1


def sprint_on(day: date, *, epoch: date) -> SprintDates:
    return sprint_dates(sprint_number_on(day, epoch=epoch), epoch=epoch)


# Named days of a sprint used by the handbook's deadlines.
def monday_w3(s: SprintDates) -> date:
    """Sustainability preview and sprint preparation day (the sprint's last day)."""
    return s.week_day(3, MONDAY)


def thursday_w2(s: SprintDates) -> date:
    """Epic updates are due."""
    return s.week_day(2, THURSDAY)


def wednesday_w2(s: SprintDates) -> date:
    return s.week_day(2, WEDNESDAY)


def friday_w1(s: SprintDates) -> date:
    return s.week_day(1, FRIDAY)


def monday_w2(s: SprintDates) -> date:
    return s.week_day(2, MONDAY)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last instant of ``day`` in ``tz`` (the first instant of the next day)."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)


def internal_review_deadline(s: SprintDates, tz: ZoneInfo) -> datetime:
    """Tasks must be ready for internal review by the end of Wednesday of W2."""
    return end_of_day(wednesday_w2(s), tz)


def next_sprint_start(s: SprintDates, tz: ZoneInfo) -> datetime:
    """The moment the next sprint starts: midnight at the start of its Tuesday in ``tz``."""
    return datetime.combine(s.end + timedelta(days=1), time(0, 0), tzinfo=tz)


def delivery_deadline(s: SprintDates, tz: ZoneInfo) -> datetime:
    """Tasks reach external review or delivery one hour before the next sprint starts.

    Computed in wall-clock time, then resolved in ``tz`` so DST shifts are honoured.
    """
    start = next_sprint_start(s, tz)
    return (start.astimezone(ZoneInfo("UTC")) - timedelta(hours=1)).astimezone(tz)


def injection_cutoff(s: SprintDates, cutoff_day: int) -> date:
    """Tickets added to the sprint after this day (1-based, default 11) are injections."""
    if not 1 <= cutoff_day <= SPRINT_DAYS:
        raise ValueError("The cutoff day must be between 1 and 14.")
    return s.start + timedelta(days=cutoff_day - 1)


def is_injection(added_on: date | None, s: SprintDates, cutoff_day: int) -> bool:
    """A ticket that entered sprint ``s`` after its cutoff day is an injection.

    ``added_on`` is the date it entered the sprint; unknown (None) is not an injection.
    """
    return added_on is not None and added_on > injection_cutoff(s, cutoff_day)


def injection_cutoff_instant(s: SprintDates, cutoff_day: int, tz: ZoneInfo) -> datetime:
    """The first instant after the cutoff day in ``tz``: tickets added from then on are injections."""
    return end_of_day(injection_cutoff(s, cutoff_day), tz)


@dataclass(frozen=True)
class NamedDays:
    """Every dated deadline of one sprint, for one time zone."""

    start: date  # Tuesday of W1, day 1
    monday_w2: date
    wednesday_w2: date
    thursday_w2: date  # epic updates due
    monday_w3: date  # last day: sprint preparation, sustainability preview
    injection_cutoff: date
    internal_review_deadline: datetime  # end of Wednesday of W2
    delivery_deadline: datetime  # one hour before the next sprint starts
    next_sprint_start: datetime


def named_days(s: SprintDates, *, tz: ZoneInfo, cutoff_day: int) -> NamedDays:
    return NamedDays(
        start=s.start,
        monday_w2=monday_w2(s),
        wednesday_w2=wednesday_w2(s),
        thursday_w2=thursday_w2(s),
        monday_w3=monday_w3(s),
        injection_cutoff=injection_cutoff(s, cutoff_day),
        internal_review_deadline=internal_review_deadline(s, tz),
        delivery_deadline=delivery_deadline(s, tz),
        next_sprint_start=next_sprint_start(s, tz),
    )
