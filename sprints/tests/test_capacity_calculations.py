"""Capacity and commitment with hand-worked numbers.

Sprint 27 runs from Tuesday 2019-12-31 to Monday 2020-01-13 (across the year end):
ten working days, Tue 31 Dec to Fri 3 Jan (4), Mon 6 to Fri 10 Jan (5) and Mon 13 Jan (1).
"""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roles.calculations import CommitmentChange, TimeOffPeriod
from sprints.calculations import sprint_dates
from sprints.calculations.capacity import (
    DEFAULT_REVIEW_TABLE,
    CapacityInput,
    RoleReservation,
    RotationReservation,
    Workload,
    assigned_hours,
    capacity_row,
    capacity_totals,
    parse_review_table,
    review_hours,
)

S27 = sprint_dates(27, epoch=date(2019, 1, 1))
LONG_AGO = date(2018, 1, 1)
FULL_TIME = (CommitmentChange(since=LONG_AGO, hours_per_week=D(40)),)
HALF_TIME = (CommitmentChange(since=LONG_AGO, hours_per_week=D(20)),)


def member(**kwargs: object) -> CapacityInput:
    defaults: dict[str, object] = {
        "member_id": 1,
        "name": "Ann",
        "joined_on": LONG_AGO,
        "left_on": None,
        "commitments": FULL_TIME,
    }
    defaults.update(kwargs)
    return CapacityInput(**defaults)  # type: ignore[arg-type]


CASES = [
    # id, input, (contract, time off, rotations, roles, capacity)
    ("full time, nothing else: 40/5 x 10 days", member(), (D(80), D(0), D(0), D(0), D(80))),
    ("part time 20 h/week: 4 h x 10 days", member(commitments=HALF_TIME), (D(40), D(0), D(0), D(0), D(40))),
    (
        "part time with two days off (Thu 2, Fri 3 Jan): 40 - 2 x 4",
        member(commitments=HALF_TIME, time_off=(TimeOffPeriod(date(2020, 1, 2), date(2020, 1, 3)),)),
        (D(40), D(8), D(0), D(0), D(32)),
    ),
    (
        "time off across the sprint start (Fri 27 Dec - Wed 1 Jan): only Tue 31 and Wed 1 count",
        member(time_off=(TimeOffPeriod(date(2019, 12, 27), date(2020, 1, 1)),)),
        (D(80), D(16), D(0), D(0), D(64)),
    ),
    (
        "time off across the sprint end (Fri 10 - Fri 17 Jan): Fri 10 and Mon 13",
        member(time_off=(TimeOffPeriod(date(2020, 1, 10), date(2020, 1, 17)),)),
        (D(80), D(16), D(0), D(0), D(64)),
    ),
    (
        "half a day off (4 h on Tue 31 Dec)",
        member(time_off=(TimeOffPeriod(date(2019, 12, 31), date(2019, 12, 31), D(4)),)),
        (D(80), D(4), D(0), D(0), D(76)),
    ),
    (
        "two rotations: firefighter 15 h + discovery duty week Mon 30 Dec - Fri 3 Jan (4 of 5 days of 5 h)",
        member(
            rotations=(
                RotationReservation("firefighter_1", date(2019, 12, 31), date(2020, 1, 13), D(15)),
                RotationReservation("discovery_duty", date(2019, 12, 30), date(2020, 1, 3), D(5)),
            )
        ),
        (D(80), D(0), D(19), D(0), D(61)),
    ),
    (
        "community liaison 8 h/week: 1.6 h x 10 days",
        member(roles=(RoleReservation("Community liaison", LONG_AGO, None, D(8), D(0)),)),
        (D(80), D(0), D(0), D(16), D(64)),
    ),
    (
        "core contributor 20 h/month pro rata: 20 x 12 / 260 x 10 = 9.23",
        member(roles=(RoleReservation("Core contributor", LONG_AGO, None, D(0), D(20)),)),
        (D(80), D(0), D(0), D("9.23"), D("70.77")),
    ),
    (
        "role taken up mid-sprint (from Mon 6 Jan): 6 days x 1.6",
        member(roles=(RoleReservation("Community liaison", date(2020, 1, 6), None, D(8), D(0)),)),
        (D(80), D(0), D(0), D("9.60"), D("70.40")),
    ),
    (
        "commitment drops from 40 to 20 on Mon 6 Jan: 4 days x 8 + 6 days x 4",
        member(commitments=(*FULL_TIME, CommitmentChange(since=date(2020, 1, 6), hours_per_week=D(20)))),
        (D(56), D(0), D(0), D(0), D(56)),
    ),
    (
        "joined on Wed 8 Jan: Wed, Thu, Fri, Mon x 8",
        member(
            joined_on=date(2020, 1, 8),
            commitments=(CommitmentChange(since=date(2020, 1, 8), hours_per_week=D(40)),),
        ),
        (D(32), D(0), D(0), D(0), D(32)),
    ),
    (
        "left on Fri 3 Jan: 4 days x 8",
        member(left_on=date(2020, 1, 3)),
        (D(32), D(0), D(0), D(0), D(32)),
    ),
    (
        "reservations larger than the time left: capacity floors at 0",
        member(
            commitments=HALF_TIME,
            time_off=(TimeOffPeriod(date(2019, 12, 31), date(2020, 1, 10)),),
            rotations=(RotationReservation("firefighter_2", date(2019, 12, 31), date(2020, 1, 13), D(15)),),
        ),
        (D(40), D(36), D(15), D(0), D(0)),
    ),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_capacity(data: CapacityInput, expected: tuple[D, D, D, D, D]) -> None:
    row = capacity_row(S27, data)
    assert (
        row.contract_hours,
        row.time_off_hours,
        row.rotation_hours,
        row.role_hours,
        row.capacity,
    ) == expected


COMMITMENT_CASES = [
    # workload, capacity input, committed, remaining, over-committed
    ("meetings only", Workload(), member(), D(2), D(78), False),
    (
        "tickets 10 + recurring 3 + review 2.5 + meetings 2 + two epics 4",
        Workload(ticket_hours=D(10), recurring_hours=D(3), review_hours=D("2.5"), epics_owned=2),
        member(),
        D("21.5"),
        D("58.5"),
        False,
    ),
    (
        "part-time member over-committed: 36 h of tickets on 40 h, minus 4 h off",
        Workload(ticket_hours=D(36)),
        member(commitments=HALF_TIME, time_off=(TimeOffPeriod(date(2020, 1, 13), date(2020, 1, 13)),)),
        D(38),
        D(-2),
        True,
    ),
]


@pytest.mark.parametrize(
    ("workload", "data", "committed", "remaining", "over"),
    [c[1:] for c in COMMITMENT_CASES],
    ids=[c[0] for c in COMMITMENT_CASES],
)
def test_commitment(workload: Workload, data: CapacityInput, committed: D, remaining: D, over: bool) -> None:
    row = capacity_row(S27, CapacityInput(**{**data.__dict__, "workload": workload}))
    assert (row.committed, row.remaining, row.over_committed) == (committed, remaining, over)


def test_totals_flag_cell_over_commitment() -> None:
    rows = [
        capacity_row(S27, member(member_id=1, workload=Workload(ticket_hours=D(90)))),
        capacity_row(
            S27, member(member_id=2, commitments=HALF_TIME, workload=Workload(unestimated_tickets=2))
        ),
    ]
    totals = capacity_totals(rows)
    assert (totals.capacity, totals.committed, totals.remaining) == (D(120), D(94), D(26))
    assert totals.over_committed_members == 1 and totals.unestimated_tickets == 2
    assert not totals.over_committed


@pytest.mark.parametrize(
    ("points", "status", "expected"),
    [
        (None, "In Progress", D(2)),
        (D("0.5"), "To Do", D("0.5")),
        (D("1.9"), "To Do", D("0.5")),
        (D(2), "Code Review", D(1)),
        (D(3), "To Do", D(2)),
        (D(4), "To Do", D(3)),  # between 3 and 5 takes the 5-point band
        (D(5), "To Do", D(3)),
        (D(8), "To Do", D(5)),
        (D(13), "In Progress", D(5)),
        (D(8), "External Review", D(0)),  # past review
        (D(8), "Merged", D(0)),
        (None, "Done", D(0)),
        (D(3), "Stretch Goals", D(0)),
    ],
)
def test_review_table(points: D | None, status: str, expected: D) -> None:
    assert review_hours(points, status, DEFAULT_REVIEW_TABLE) == expected


@pytest.mark.parametrize(
    ("points", "status", "expected"),
    [
        (D(3), "To Do", D(3)),  # 2 h, half as much again
        (D(1), "In Progress", D("0.75")),
        (None, "Code Review", D(3)),
        (D(8), "To Do", D("7.5")),
        (D(8), "External Review", D(0)),  # past review: no extra either
        (D(3), "Stretch Goals", D(0)),
    ],
)
def test_a_newcomers_ticket_takes_extra_review_time(points: D | None, status: str, expected: D) -> None:
    assert review_hours(points, status, DEFAULT_REVIEW_TABLE, newcomer=True) == expected
    assert review_hours(points, status, DEFAULT_REVIEW_TABLE, newcomer=False) == expected / D("1.5")


H = 3600


@pytest.mark.parametrize(
    ("status", "recurring", "remaining", "original", "per_sprint", "expected"),
    [
        ("In Progress", False, 5 * H, 8 * H, None, D(5)),  # the remaining estimate
        ("To Do", False, None, 8 * H, None, D(8)),  # no remaining one: the original
        ("To Do", False, 0, 8 * H, None, D(0)),  # a remaining 0 is an estimate
        ("To Do", False, None, None, None, D(0)),  # unestimated
        ("In Progress", True, 5 * H, None, D("1.5"), D("1.5")),  # recurring: per-sprint hours
        ("Done", False, 5 * H, None, None, D(0)),
        ("Deployed & Delivered", True, None, None, D(2), D(0)),
        ("Stretch Goals", False, 5 * H, None, None, D(0)),  # not committed
        ("External Review", False, 2 * H, None, None, D(2)),  # still the assignee's work
    ],
)
def test_assigned_hours(
    status: str,
    recurring: bool,
    remaining: int | None,
    original: int | None,
    per_sprint: D | None,
    expected: D,
) -> None:
    hours = assigned_hours(
        status=status,
        is_recurring=recurring,
        remaining_seconds=remaining,
        original_seconds=original,
        recurring_hours=per_sprint,
    )
    assert hours == expected


def test_review_table_is_configurable() -> None:
    table = parse_review_table("none=4, 3=1, more=2")
    assert [table.hours_for(p) for p in (None, D(1), D(3), D(5))] == [D(4), D(1), D(1), D(2)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "none=2,more=5",
        "none=2,3=1",
        "none=x,3=1,more=2",
        "none=2,3=1,2=1,more=5",
        "none=2,abc=1,more=5",
        "none=inf,3=1,more=2",  # not finite: the hours go into SQL as literals
        "none=2,3=NaN,more=2",
        "none=2,inf=1,more=2",
        "none=2,3=1,more=-inf",
    ],
)
def test_review_table_rejects_bad_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_review_table(text)


@given(
    weekly=st.decimals(min_value=0, max_value=80, places=2),
    off_days=st.integers(min_value=0, max_value=20),
    reserved=st.decimals(min_value=0, max_value=200, places=2),
)
def test_capacity_never_negative_nor_above_contract(weekly: D, off_days: int, reserved: D) -> None:
    data = member(
        commitments=(CommitmentChange(since=LONG_AGO, hours_per_week=weekly),),
        time_off=(TimeOffPeriod(date(2019, 12, 31), date(2020, 1, 1 + off_days % 13)),),
        rotations=(RotationReservation("pager", date(2019, 12, 31), date(2020, 1, 13), reserved),),
    )
    row = capacity_row(S27, data)
    assert D(0) <= row.capacity <= row.contract_hours
    assert row.remaining == row.capacity - row.committed
