"""Capacity and commitment of a member in a sprint (SPEC "Sprints, tickets and capacity")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from opencraft_ops.sprint_dates import SprintDates
from roles.calculations import (
    WORKDAYS_PER_WEEK,
    CommitmentChange,
    TimeOffPeriod,
    available_hours,
    is_off,
    weekly_hours_on,
    workdays,
)

# --- Capacity and commitment ---------------------------------------------------------------
# Inputs are plain frozen dataclasses filled by ``sprints.selectors`` (aggregated in SQL);
# everything here is pure so it can be tested with hand-worked numbers.

HOURS = Decimal("0.01")
MEETING_HOURS = Decimal("2")  # per member and sprint
EPIC_MANAGEMENT_HOURS = Decimal("2")  # per owned epic and sprint
MONTHS_PER_YEAR = Decimal(12)
WORKDAYS_PER_YEAR = Decimal(260)  # 52 weeks x 5 days: turns a monthly reservation into a daily one


def hours(value: Decimal) -> Decimal:
    return value.quantize(HOURS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ReviewTable:
    """Review hours a reviewer keeps for a ticket, by its story points.

    ``bands`` are (highest points, hours) in ascending order: a ticket takes the
    first band whose bound it does not exceed; above the last bound it takes ``above``.
    """

    unestimated: Decimal
    bands: tuple[tuple[Decimal, Decimal], ...]
    above: Decimal

    def hours_for(self, points: Decimal | None) -> Decimal:
        if points is None:
            return self.unestimated
        for bound, band_hours in self.bands:
            if points <= bound:
                return band_hours
        return self.above


DEFAULT_REVIEW_TABLE_TEXT = "none=2,1.9=0.5,2=1,3=2,5=3,more=5"


def parse_review_table(text: str) -> ReviewTable:
    """Parses ``none=H,P1=H1,P2=H2,...,more=H`` (points ascending) into a ReviewTable."""
    unestimated: Decimal | None = None
    above: Decimal | None = None
    bands: list[tuple[Decimal, Decimal]] = []
    for pair in text.split(","):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        key = key.strip().lower()
        try:
            band_hours = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{pair.strip()!r}: {value.strip()!r} is not a number of hours.") from None
        if not sep or not band_hours.is_finite() or band_hours < 0:
            raise ValueError(f"{pair.strip()!r} is not points=hours with hours >= 0.")
        if key == "none":
            unestimated = band_hours
        elif key == "more":
            above = band_hours
        else:
            try:
                bound = Decimal(key)
            except InvalidOperation:
                raise ValueError(f"{key!r} is not a number of story points, 'none' or 'more'.") from None
            if not bound.is_finite():
                raise ValueError(f"{key!r} is not a number of story points, 'none' or 'more'.")
            if bands and bound <= bands[-1][0]:
                raise ValueError("Review table bands must list story points in ascending order.")
            bands.append((bound, band_hours))
    if unestimated is None or above is None or not bands:
        raise ValueError("The review table needs 'none=H', at least one 'points=H' and 'more=H'.")
    return ReviewTable(unestimated=unestimated, bands=tuple(bands), above=above)


DEFAULT_REVIEW_TABLE = parse_review_table(DEFAULT_REVIEW_TABLE_TEXT)
# Tickets past these statuses need no more review (or work) time.
NO_REVIEW_STATUSES = frozenset({"External Review", "Merged", "Deployed & Delivered", "Done"})
FINISHED_STATUSES = frozenset({"Deployed & Delivered", "Done"})
NOT_COMMITTED_STATUSES = frozenset({"Stretch Goals"})
_BY_FOLDED = {s.casefold(): s for s in NO_REVIEW_STATUSES | FINISHED_STATUSES | NOT_COMMITTED_STATUSES}


def canonical_status(status: str) -> str:
    """``status`` spelt as the status sets spell it when it names one of them whatever
    its case and spacing ("external  review" is External Review), else unchanged."""
    return _BY_FOLDED.get(" ".join(status.split()).casefold(), status)


# The handbook's code reviewer of someone new "will reserve extra time to provide additional
# mentoring and support": a newcomer's ticket takes half as much review time again.
NEWCOMER_REVIEW_FACTOR = Decimal("1.5")


def review_hours(
    points: Decimal | None, status: str, table: ReviewTable = DEFAULT_REVIEW_TABLE, *, newcomer: bool = False
) -> Decimal:
    """The hours a reviewer keeps for a ticket: the table's by its points, times
    ``NEWCOMER_REVIEW_FACTOR`` when its assignee is a newcomer; none once past review or
    when not committed."""
    status = canonical_status(status)
    if status in NO_REVIEW_STATUSES or status in NOT_COMMITTED_STATUSES:
        return Decimal(0)
    base = table.hours_for(points)
    return base * NEWCOMER_REVIEW_FACTOR if newcomer else base


def assigned_hours(
    *,
    status: str,
    is_recurring: bool,
    remaining_seconds: int | None,
    original_seconds: int | None,
    recurring_hours: Decimal | None,
) -> Decimal:
    """The hours one assigned ticket adds to its assignee's commitment (the SQL sum of
    ``sprints.selectors.sql`` ticket by ticket): nothing for Stretch Goals and finished
    tickets; a recurring ticket's per-sprint hours; else the remaining estimate, or the
    original one when there is no remaining estimate."""
    status = canonical_status(status)
    if status in NOT_COMMITTED_STATUSES or status in FINISHED_STATUSES:
        return Decimal(0)
    if is_recurring:
        return recurring_hours or Decimal(0)
    seconds = remaining_seconds if remaining_seconds is not None else original_seconds
    return Decimal(seconds or 0) / 3600


@dataclass(frozen=True)
class RotationReservation:
    kind: str
    start: date
    end: date
    hours: Decimal


@dataclass(frozen=True)
class RoleReservation:
    role: str
    since: date
    until: date | None
    hours_per_week: Decimal
    hours_per_month: Decimal


@dataclass(frozen=True)
class Workload:
    """One member's sprint tickets, summed in SQL."""

    ticket_hours: Decimal = Decimal(0)  # remaining estimates of assigned open tickets
    recurring_hours: Decimal = Decimal(0)  # per-sprint hours of assigned recurring tickets
    review_hours: Decimal = Decimal(0)
    epics_owned: int = 0
    assigned_tickets: int = 0
    assigned_points: Decimal = Decimal(0)
    unestimated_tickets: int = 0


@dataclass(frozen=True)
class CapacityInput:
    member_id: int
    name: str
    joined_on: date
    left_on: date | None
    commitments: tuple[CommitmentChange, ...]
    time_off: tuple[TimeOffPeriod, ...] = ()
    rotations: tuple[RotationReservation, ...] = ()
    roles: tuple[RoleReservation, ...] = ()
    workload: Workload = Workload()
    member_type: str = ""


@dataclass(frozen=True)
class CapacityRow:
    member_id: int
    name: str
    member_type: str
    weekly_hours: Decimal  # in force on the sprint's first day
    contract_hours: Decimal  # weekly commitment x working days, before time off
    time_off_hours: Decimal
    rotation_hours: Decimal
    role_hours: Decimal
    capacity: Decimal
    ticket_hours: Decimal
    recurring_hours: Decimal
    review_hours: Decimal
    meeting_hours: Decimal
    epic_hours: Decimal
    committed: Decimal
    remaining: Decimal
    assigned_tickets: int
    assigned_points: Decimal
    unestimated_tickets: int
    rotation_kinds: tuple[str, ...]
    days_off: tuple[date, ...]

    @property
    def over_committed(self) -> bool:
        return self.committed > self.capacity

    @property
    def load_percent(self) -> int:
        if self.capacity <= 0:
            return 100 if self.committed > 0 else 0
        return int(self.committed * 100 / self.capacity)


def _active_range(s: SprintDates, joined_on: date, left_on: date | None) -> tuple[date, date]:
    start = max(s.start, joined_on)
    end = s.end if left_on is None else min(s.end, left_on)
    return start, end


def rotation_hours_in(s: SprintDates, rotation: RotationReservation) -> Decimal:
    """The share of a rotation's reserved hours that falls in sprint ``s``: pro rata by
    the working days of the rotation period inside the sprint (calendar days when the
    period has no working day)."""
    total = len(workdays(rotation.start, rotation.end))
    inside = len(workdays(max(rotation.start, s.start), min(rotation.end, s.end)))
    if total == 0:
        total = (rotation.end - rotation.start).days + 1
        inside = max((min(rotation.end, s.end) - max(rotation.start, s.start)).days + 1, 0)
    return rotation.hours * inside / total


def role_hours_in(start: date, end: date, role: RoleReservation) -> Decimal:
    """Hours a role keeps aside over the working days of [start, end] it is held:
    the weekly reservation a fifth per day, the monthly one 12/260 per day."""
    first = max(start, role.since)
    last = end if role.until is None else min(end, role.until)
    days = len(workdays(first, last))
    daily = (
        role.hours_per_week / WORKDAYS_PER_WEEK + role.hours_per_month * MONTHS_PER_YEAR / WORKDAYS_PER_YEAR
    )
    return daily * days


def capacity_row(s: SprintDates, data: CapacityInput) -> CapacityRow:
    start, end = _active_range(s, data.joined_on, data.left_on)
    contract = available_hours(changes=data.commitments, periods=(), start=start, end=end)
    available = available_hours(changes=data.commitments, periods=data.time_off, start=start, end=end)
    rotation = sum((rotation_hours_in(s, r) for r in data.rotations), Decimal(0))
    role = sum((role_hours_in(start, end, r) for r in data.roles), Decimal(0))
    capacity = max(available - rotation - role, Decimal(0))
    load = data.workload
    active = start <= end
    meetings = MEETING_HOURS if active else Decimal(0)
    epics = EPIC_MANAGEMENT_HOURS * load.epics_owned
    committed = load.ticket_hours + load.recurring_hours + load.review_hours + meetings + epics
    return CapacityRow(
        member_id=data.member_id,
        name=data.name,
        member_type=data.member_type,
        weekly_hours=weekly_hours_on(data.commitments, max(s.start, data.joined_on)),
        contract_hours=hours(contract),
        time_off_hours=hours(contract - available),
        rotation_hours=hours(rotation),
        role_hours=hours(role),
        capacity=hours(capacity),
        ticket_hours=hours(load.ticket_hours),
        recurring_hours=hours(load.recurring_hours),
        review_hours=hours(load.review_hours),
        meeting_hours=meetings,
        epic_hours=epics,
        committed=hours(committed),
        remaining=hours(capacity) - hours(committed),
        assigned_tickets=load.assigned_tickets,
        assigned_points=load.assigned_points,
        unestimated_tickets=load.unestimated_tickets,
        rotation_kinds=tuple(sorted({r.kind for r in data.rotations})),
        days_off=tuple(d for d in workdays(start, end) if is_off(data.time_off, d)),
    )


@dataclass(frozen=True)
class CapacityTotals:
    capacity: Decimal
    committed: Decimal
    remaining: Decimal
    time_off_hours: Decimal
    over_committed_members: int
    unestimated_tickets: int

    @property
    def over_committed(self) -> bool:
        """The cell as a whole has more work planned than hours."""
        return self.committed > self.capacity


def capacity_totals(rows: Sequence[CapacityRow]) -> CapacityTotals:
    capacity = sum((r.capacity for r in rows), Decimal(0))
    committed = sum((r.committed for r in rows), Decimal(0))
    return CapacityTotals(
        capacity=capacity,
        committed=committed,
        remaining=capacity - committed,
        time_off_hours=sum((r.time_off_hours for r in rows), Decimal(0)),
        over_committed_members=sum(1 for r in rows if r.over_committed),
        unestimated_tickets=sum(r.unestimated_tickets for r in rows),
    )
