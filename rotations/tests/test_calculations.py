"""Pure rotation maths: budgets (table-driven), schedule (properties) and coverage."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roles.calculations import TimeOffPeriod
from rotations.calculations import (
    DISCOVERY_DUTY,
    FIREFIGHTER_1,
    FIREFIGHTER_2,
    OPS_REVIEWER,
    Candidate,
    Duty,
    Service,
    Slot,
    backup_reserved_hours,
    cell_budget,
    coverage,
    duty_weeks,
    generate_schedule,
    off_share,
    pager_shifts,
    sprint_slots,
)

START = date(2026, 1, 6)  # a Tuesday
D = Decimal


def sprint_start(n: int) -> date:
    return START + timedelta(days=14 * n)


def cand(
    mid: int, *, name: str | None = None, kind: str = "core", time_off=(), joined=date(2020, 1, 1), left=None
):
    return Candidate(
        member_id=mid,
        name=name or f"M{mid:02d}",
        joined_on=joined,
        left_on=left,
        type_changes=((date(2020, 1, 1), kind),),
        time_off=tuple(time_off),
    )


# --- Budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "ff_week", "each_week", "each_sprint", "min_applied", "disc", "duty", "planned"),
    [
        # The handbook's example: ten full-time members.
        ([D(40)] * 10, D(30), D(15), D(30), False, D(10), D(5), D(5)),
        # Four full-timers: 12 h/week, 6 h/week each = 12 h/sprint, raised to the 15 h minimum.
        ([D(40)] * 4, D(12), D(6), D(15), True, D(4), D(5), D(0)),
        # Mixed commitments: 300 h/week.
        ([D(40)] * 5 + [D(20)] * 5, D("22.5"), D("11.25"), D("22.5"), False, D("7.5"), D(5), D("2.5")),
        ([], D(0), D(0), D(15), True, D(0), D(5), D(0)),
    ],
)
def test_cell_budget(hours, ff_week, each_week, each_sprint, min_applied, disc, duty, planned) -> None:
    budget = cell_budget(
        weekly_hours=hours,
        firefighting_percent=D("7.5"),
        discovery_percent=D("2.5"),
        discovery_duty_hours_per_week=D(5),
        firefighter_min_hours_per_sprint=D(15),
    )
    assert budget.firefighting_weekly == ff_week
    assert budget.firefighter_weekly_each == each_week
    assert budget.firefighter_sprint_each == each_sprint
    assert budget.firefighter_minimum_applied is min_applied
    assert budget.discovery_weekly == disc
    assert budget.discovery_duty_weekly == duty
    assert budget.planned_discovery_weekly == planned
    assert budget.discovery_duty_over_budget is (duty > disc)


def test_project_cell_budget_has_no_discovery_duty_and_custom_firefighters() -> None:
    budget = cell_budget(
        weekly_hours=[D(40)] * 10,
        firefighting_percent=D(10),
        discovery_percent=D("2.5"),
        discovery_duty_hours_per_week=D(5),
        firefighter_min_hours_per_sprint=D(15),
        has_discovery_duty=False,
        firefighters=1,
    )
    assert budget.firefighting_weekly == D(40)
    assert budget.firefighter_weekly_each == D(40)
    assert budget.firefighter_sprint_each == D(80)
    assert budget.discovery_duty_weekly == D(0)
    assert budget.planned_discovery_weekly == D(10)


@pytest.mark.parametrize(("days", "expected"), [(0, D(0)), (3, D(9)), (10, D(30)), (-1, D(0))])
def test_backup_reserved_hours(days, expected) -> None:
    assert (
        backup_reserved_hours(firefighter_sprint_each=D(30), days_covered=days, sprint_workdays=10)
        == expected
    )


@pytest.mark.parametrize(
    ("periods", "share"),
    [
        ((), D(0)),
        ((TimeOffPeriod(START, START + timedelta(days=13)),), D(1)),
        ((TimeOffPeriod(START, START + timedelta(days=6)),), D("0.5")),
        ((TimeOffPeriod(START, START, D(4)),), D("0.05")),
    ],
)
def test_off_share(periods, share) -> None:
    assert off_share(periods, START, START + timedelta(days=13)) == share


def test_duty_weeks_have_five_working_days_each() -> None:
    first, second = duty_weeks(START)
    assert first == (START, START + timedelta(days=6))
    assert second == (START + timedelta(days=7), START + timedelta(days=13))


# --- Schedule: examples -------------------------------------------------------------------


def ff_slots(n_sprints: int) -> list[Slot]:
    slots = []
    for n in range(n_sprints):
        s = sprint_start(n)
        slots += [Slot(k, s, s + timedelta(days=13), n + 1) for k in (FIREFIGHTER_1, FIREFIGHTER_2)]
    return slots


def test_round_robin_with_explanations() -> None:
    picks = generate_schedule(slots=ff_slots(3), candidates=[cand(1), cand(2), cand(3)])
    assert [p.member_id for p in picks] == [1, 2, 3, 1, 2, 3]
    assert "have not been firefighter yet" in picks[0].reason
    assert "least recently" in picks[3].reason
    assert "M01 (already firefighter in this period)" in picks[1].reason


def test_history_least_recent_then_least_often() -> None:
    history = [
        Service(1, FIREFIGHTER_1, sprint_start(-1), sprint_start(-1) + timedelta(days=13)),
        Service(2, FIREFIGHTER_1, sprint_start(-3), sprint_start(-3) + timedelta(days=13)),
        Service(2, FIREFIGHTER_2, sprint_start(-5), sprint_start(-5) + timedelta(days=13)),
        Service(3, FIREFIGHTER_2, sprint_start(-3), sprint_start(-3) + timedelta(days=13)),
    ]
    picks = generate_schedule(slots=ff_slots(1), candidates=[cand(1), cand(2), cand(3)], history=history)
    # 2 and 3 last served the same sprint; 3 served fewer times.
    assert [p.member_id for p in picks] == [3, 2]


def test_ineligible_and_away_members_are_skipped_with_reason() -> None:
    away = [TimeOffPeriod(sprint_start(0), sprint_start(0) + timedelta(days=9))]
    candidates = [
        cand(1, kind="newcomer"),
        cand(2, time_off=away),
        cand(3),
        cand(4),
        cand(5, left=sprint_start(0)),
    ]
    picks = generate_schedule(slots=ff_slots(1), candidates=candidates)
    assert [p.member_id for p in picks] == [3, 4]
    assert "M01 (not a core member)" in picks[0].reason
    assert "M02 (away 8 of 10 working days)" in picks[0].reason
    assert "M05 (leaves before the end)" in picks[0].reason


def test_ops_reviewer_is_open_to_newcomers_but_discovery_is_not() -> None:
    s = sprint_start(0)
    slots = [
        Slot(DISCOVERY_DUTY, s, s + timedelta(days=6), 1),
        Slot(OPS_REVIEWER, s, s + timedelta(days=13), 1),
    ]
    picks = generate_schedule(slots=slots, candidates=[cand(1, kind="newcomer")])
    assert picks[0].member_id is None
    assert "Nobody eligible" in picks[0].reason
    assert picks[1].member_id == 1


def test_existing_slots_are_kept_and_counted() -> None:
    s = sprint_start(0)
    history = [Service(3, FIREFIGHTER_1, s, s + timedelta(days=13))]
    picks = generate_schedule(slots=ff_slots(2), candidates=[cand(1), cand(2), cand(3)], history=history)
    assert picks[0].kept and picks[0].member_id == 3
    # Sprint 2: 2 never served; then 1 and 3 both served in sprint 1, 3 taking the first
    # turn: 3 is due before 1, so the turn order 3, 1, 2 carries on.
    assert [p.member_id for p in picks] == [3, 1, 2, 3]
    assert "taking that turn before the others who served the same day" in picks[3].reason


def test_sprint_slots_for_generalist_and_project_cells() -> None:
    assert [s.kind for s in sprint_slots(sprint_number=1, sprint_start=START)] == [
        FIREFIGHTER_1,
        FIREFIGHTER_2,
        DISCOVERY_DUTY,
        DISCOVERY_DUTY,
        OPS_REVIEWER,
    ]
    project = sprint_slots(
        sprint_number=1, sprint_start=START, firefighters=1, discovery_duty=False, ops_reviewer=False
    )
    assert [s.kind for s in project] == [FIREFIGHTER_1]


def test_pager_shifts_follow_firefighters_and_time_off() -> None:
    week1 = [TimeOffPeriod(START, START + timedelta(days=6))]
    picks = pager_shifts(
        sprint_number=1,
        sprint_start=START,
        firefighters=[1, 2],
        time_off={1: week1},
        names={1: "Ann", 2: "Bob"},
    )
    assert [p.member_id for p in picks] == [2, 2]
    assert "because Ann is away most of week 1" in picks[0].reason
    assert "firefighter 2 for week 2" in picks[1].reason
    none = pager_shifts(sprint_number=1, sprint_start=START, firefighters=[None, None], time_off={}, names={})
    assert [p.member_id for p in none] == [None, None]


# --- Schedule: properties -------------------------------------------------------------------

member_counts = st.integers(min_value=3, max_value=9)
GROUPS = ({FIREFIGHTER_1, FIREFIGHTER_2}, {DISCOVERY_DUTY}, {OPS_REVIEWER})


@st.composite
def scenarios(draw, *, history: bool = False, churn: bool = False):
    """Members 1..n over ``sprints`` sprints from START, some with time off; optionally the
    slots of up to six earlier sprints already served (``history``) and members who join
    or leave during the period (``churn``)."""
    n = draw(member_counts)
    sprints = draw(st.integers(min_value=1, max_value=8))
    off = []
    for mid in range(1, n + 1):
        if draw(st.booleans()) and draw(st.booleans()):
            first = draw(st.integers(min_value=0, max_value=sprints * 14 - 1))
            length = draw(st.integers(min_value=1, max_value=20))
            off.append((mid, first, length))
    past: list[Service] = []
    if history:
        for back in range(1, draw(st.integers(min_value=1, max_value=6)) + 1):
            s = sprint_start(-back)
            holders = st.none() | st.integers(min_value=1, max_value=n)
            for kind, start, end in (
                (FIREFIGHTER_1, s, s + timedelta(days=13)),
                (FIREFIGHTER_2, s, s + timedelta(days=13)),
                (DISCOVERY_DUTY, s, s + timedelta(days=6)),
                (DISCOVERY_DUTY, s + timedelta(days=7), s + timedelta(days=13)),
                (OPS_REVIEWER, s, s + timedelta(days=13)),
            ):
                holder = draw(holders)
                if holder is not None:
                    past.append(Service(holder, kind, start, end))
    joined: dict[int, date] = {}
    left: dict[int, date] = {}
    if churn:
        for mid in range(1, n + 1):
            change = draw(st.sampled_from(["stays", "stays", "joins", "leaves"]))
            day = START + timedelta(days=draw(st.integers(min_value=0, max_value=sprints * 14)))
            if change == "joins":
                joined[mid] = day
            elif change == "leaves":
                left[mid] = day
    return n, sprints, off, past, joined, left


def _candidates(n, off, joined=None, left=None):
    periods: dict[int, list[TimeOffPeriod]] = {mid: [] for mid in range(1, n + 1)}
    for mid, first, length in off:
        periods[mid].append(
            TimeOffPeriod(START + timedelta(days=first), START + timedelta(days=first + length - 1))
        )
    return [
        cand(
            mid,
            name=f"Member {mid}",
            time_off=periods[mid],
            joined=(joined or {}).get(mid, date(2020, 1, 1)),
            left=(left or {}).get(mid),
        )
        for mid in range(1, n + 1)
    ]


def _all_slots(sprints):
    slots = []
    for i in range(sprints):
        slots += sprint_slots(sprint_number=i + 1, sprint_start=sprint_start(i))
    return slots


def _steady(candidates, slots) -> set[int]:
    """Members available for every one of ``slots``: in the team for each, never away for
    more than half of one. Worked out from the input, not from the scheduler's own notes."""
    return {
        c.member_id
        for c in candidates
        if all(
            c.is_eligible(s.start, s.end, core_only=True) is None
            and off_share(c.time_off, s.start, s.end) <= Decimal("0.5")
            for s in slots
        )
    }


def _assert_fair_over_every_window(sequence, members, context) -> None:
    """Over every contiguous run of turns, the members' counts differ by at most one."""
    for lo in range(len(sequence)):
        counts: Counter = Counter()
        for hi in range(lo, len(sequence)):
            counts[sequence[hi]] += 1
            window = [counts.get(mid, 0) for mid in members]
            assert max(window) - min(window) <= 1, (context, sequence, lo, hi)


@settings(max_examples=150, deadline=None)
@given(n=member_counts, sprints=st.integers(min_value=1, max_value=10))
def test_fairness_without_time_off_over_every_window(n, sprints) -> None:
    picks = generate_schedule(slots=_all_slots(sprints), candidates=_candidates(n, []))
    for kinds in GROUPS:
        sequence = [p.member_id for p in picks if p.slot.kind in kinds]
        assert None not in sequence
        _assert_fair_over_every_window(sequence, range(1, n + 1), kinds)


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios(history=True, churn=True))
def test_fairness_time_off_aside(scenario) -> None:
    """Members who were available for every turn of a rotation (never away, never out of
    the team) differ by at most one turn over every window of the schedule, whatever the
    history before it, the time off of others and who joins or leaves."""
    n, sprints, off, past, joined, left = scenario
    candidates = _candidates(n, off, joined, left)
    slots = _all_slots(sprints)
    picks = generate_schedule(slots=slots, candidates=candidates, history=past)
    for kinds in GROUPS:
        steady = _steady(candidates, [s for s in slots if s.kind in kinds])
        if len(steady) < 2:
            continue
        sequence = [p.member_id for p in picks if p.slot.kind in kinds and p.member_id in steady]
        _assert_fair_over_every_window(sequence, sorted(steady), (kinds, off, past, joined, left))


@pytest.mark.parametrize("history", [False, True])
def test_fairness_example_with_uneven_history(history) -> None:
    """Member 1 served often but long ago, 2 and 3 more recently: the first round follows
    the history, then the turn order holds (before the fix, 2 served twice while 1 waited)."""
    past = [
        Service(1, FIREFIGHTER_1, sprint_start(-9), sprint_start(-9) + timedelta(days=13)),
        Service(1, FIREFIGHTER_1, sprint_start(-8), sprint_start(-8) + timedelta(days=13)),
        Service(1, FIREFIGHTER_1, sprint_start(-5), sprint_start(-5) + timedelta(days=13)),
        Service(2, FIREFIGHTER_1, sprint_start(-3), sprint_start(-3) + timedelta(days=13)),
        Service(3, FIREFIGHTER_1, sprint_start(-2), sprint_start(-2) + timedelta(days=13)),
    ]
    picks = generate_schedule(
        slots=ff_slots(4), candidates=[cand(1), cand(2), cand(3)], history=past if history else ()
    )
    assert [p.member_id for p in picks] == [1, 2, 3, 1, 2, 3, 1, 2]


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios(history=True, churn=True))
def test_no_double_booking_and_time_off_respected(scenario) -> None:
    n, sprints, off, past, joined, left = scenario
    candidates = _candidates(n, off, joined, left)
    picks = generate_schedule(slots=_all_slots(sprints), candidates=candidates, history=past)
    by_id = {c.member_id: c for c in candidates}
    for p in picks:
        if p.member_id is None:
            continue
        # Time off: nobody is picked for a slot they are away for more than half of.
        assert off_share(by_id[p.member_id].time_off, p.slot.start, p.slot.end) <= Decimal("0.5")
        # Nobody holds a slot outside their time in the team.
        assert by_id[p.member_id].is_eligible(p.slot.start, p.slot.end, core_only=True) is None
        # No double booking: nobody holds two overlapping slots of the same rotation.
        for q in picks:
            if q is not p and q.member_id == p.member_id and q.slot.group == p.slot.group:
                assert q.slot.end < p.slot.start or p.slot.end < q.slot.start
    for i in range(sprints):
        sprint_picks = {p.slot.kind: p.member_id for p in picks if p.slot.sprint_number == i + 1}
        if sprint_picks[FIREFIGHTER_1] is not None:
            assert sprint_picks[FIREFIGHTER_1] != sprint_picks[FIREFIGHTER_2]


@settings(max_examples=100, deadline=None)
@given(scenario=scenarios(history=True, churn=True), shuffle=st.randoms(use_true_random=False))
def test_deterministic_whatever_the_input_order(scenario, shuffle) -> None:
    n, sprints, off, past, joined, left = scenario
    candidates = _candidates(n, off, joined, left)
    slots = _all_slots(sprints)
    first = generate_schedule(slots=slots, candidates=candidates, history=past)
    shuffled_c, shuffled_s, shuffled_h = list(candidates), list(slots), list(past)
    shuffle.shuffle(shuffled_c)
    shuffle.shuffle(shuffled_s)
    shuffle.shuffle(shuffled_h)
    second = generate_schedule(slots=shuffled_s, candidates=shuffled_c, history=shuffled_h)
    assert [(p.slot, p.member_id, p.reason) for p in first] == [
        (p.slot, p.member_id, p.reason) for p in second
    ]


# --- Coverage ------------------------------------------------------------------------------


def test_coverage_flags_days_without_firefighter_and_suggests_backup() -> None:
    days = [START + timedelta(days=i) for i in range(14)]
    end = START + timedelta(days=13)
    duties = [Duty(10, 1, FIREFIGHTER_1, START, end), Duty(11, 2, FIREFIGHTER_2, START, end)]
    off = {
        1: [TimeOffPeriod(START, START + timedelta(days=2))],  # Tue-Thu of W1
        2: [TimeOffPeriod(START + timedelta(days=1), START + timedelta(days=3), None)],  # Wed-Fri
        3: [TimeOffPeriod(START + timedelta(days=2), START + timedelta(days=2))],  # Thu
    }
    pool = [cand(1), cand(2), cand(3), cand(4), cand(5, kind="newcomer")]
    history = [Service(4, FIREFIGHTER_1, sprint_start(-1), sprint_start(-1) + timedelta(days=13))]
    rows = coverage(days=days, duties=duties, time_off=off, backup_pool=pool, history=history)
    assert len(rows) == 10
    uncovered = [r.day for r in rows if not r.covered]
    assert uncovered == [START + timedelta(days=1), START + timedelta(days=2)]
    wed, thu = rows[1], rows[2]
    assert wed.firefighters_away == (1, 2)
    assert wed.suggested_backup == 3  # never firefighter, present Wednesday
    assert thu.suggested_backup == 4  # 3 is off on Thursday; the newcomer is not eligible
    assert "least recently" in thu.suggestion_reason
    assert rows[0].covered and rows[0].firefighters_present == (2,)
    assert rows[0].suggested_backup is None


def test_partial_day_off_counts_as_present_and_backup_covers() -> None:
    end = START + timedelta(days=13)
    duties = [
        Duty(10, 1, FIREFIGHTER_1, START, end),
        Duty(12, 3, "firefighter_backup", START, START),
        Duty(13, 4, DISCOVERY_DUTY, START, START + timedelta(days=6)),
    ]
    rows = coverage(
        days=[START, START + timedelta(days=1)],
        duties=duties,
        time_off={
            1: [TimeOffPeriod(START, START + timedelta(days=1), None), TimeOffPeriod(START, START, D(2))]
        },
    )
    assert rows[0].firefighters_present == (3,)
    assert rows[0].others_present == ((DISCOVERY_DUTY, 4),)
    assert not rows[1].covered
    assert rows[1].suggestion_reason == "No eligible member is present that day."


@settings(max_examples=100, deadline=None)
@given(
    scenario=scenarios(),
    ff=st.lists(st.integers(min_value=1, max_value=9), min_size=0, max_size=2, unique=True),
)
def test_coverage_suggestions_are_present_eligible_non_firefighters(scenario, ff) -> None:
    n, _, off, _, _, _ = scenario
    candidates = _candidates(n, off)
    end = START + timedelta(days=13)
    duties = [
        Duty(i, mid, kind, START, end)
        for i, (mid, kind) in enumerate(zip(ff, (FIREFIGHTER_1, FIREFIGHTER_2), strict=False))
    ]
    time_off = {c.member_id: list(c.time_off) for c in candidates}
    rows = coverage(
        days=[START + timedelta(days=i) for i in range(14)],
        duties=duties,
        time_off=time_off,
        backup_pool=candidates,
    )
    assert len(rows) == 10
    for row in rows:
        away = {m for m, periods in time_off.items() if any(p.covers(row.day) for p in periods)}
        assert row.covered == bool(set(ff) - away)
        if row.suggested_backup is not None:
            assert not row.covered
            assert row.suggested_backup not in away and row.suggested_backup not in ff
