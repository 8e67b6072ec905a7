"""Benchmark of the rotations.

1. Pure schedule generation: a cell of N core members (a third with some time off),
   12 sprints of firefighters, discovery duty and ops reviewer, on top of two years of
   history. Prints the median time per generation.
2. The cell grid page (4 sprints, coverage, swaps, history) through the full Django
   stack for a cell of 30 members with a year of rotations: median render time and
   SQL queries. Builds its data once in the database of DATABASE_URL.

Figures are printed, not asserted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ops_rotations .venv/bin/python bench/rotations.py
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup

setup("ops_rotations")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from roles.calculations import TimeOffPeriod  # noqa: E402
from rotations import calculations  # noqa: E402

RUNS = 15


def median_ms(fn, runs: int = RUNS) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_generation(members: int, sprints: int = 12) -> None:
    start = date(2026, 1, 6)
    candidates = [
        calculations.Candidate(
            member_id=i,
            name=f"Member {i:03d}",
            joined_on=date(2020, 1, 1),
            left_on=None,
            type_changes=((date(2020, 1, 1), "core"),),
            time_off=(
                (
                    TimeOffPeriod(
                        start + timedelta(days=14 * (i % sprints)),
                        start + timedelta(days=14 * (i % sprints) + 8),
                    ),
                )
                if i % 3 == 0
                else ()
            ),
        )
        for i in range(members)
    ]
    history = [
        calculations.Service(
            i % members,
            calculations.FIREFIGHTER_1,
            start - timedelta(days=14 * k),
            start - timedelta(days=14 * k - 13),
        )
        for k, i in enumerate(range(1, 53))
    ]
    slots = []
    for n in range(sprints):
        slots += calculations.sprint_slots(sprint_number=n + 1, sprint_start=start + timedelta(days=14 * n))
    ms = median_ms(
        lambda: calculations.generate_schedule(slots=slots, candidates=candidates, history=history)
    )
    print(
        f"generate_schedule: {members:>3} members x {sprints} sprints ({len(slots)} slots): {ms:7.2f} ms median"
    )


def bench_grid() -> None:
    from opencraft_ops import calendar
    from roles.tests.factories import CellFactory, MemberFactory, TimeOffFactory, UserFactory
    from rotations.services.schedule import schedule_apply

    cell = CellFactory(name="Bench", slug="bench-rotations")
    if not cell.members.exists():
        today = timezone.localdate()
        for i in range(30):
            m = MemberFactory(cell=cell, user__username=f"bench-rot-{i}")
            if i % 4 == 0:
                TimeOffFactory(member=m, start=today + timedelta(days=i), end=today + timedelta(days=i + 3))
    current = calendar.sprint_on(timezone.localdate()).number
    schedule_apply(cell=cell, first_sprint=current - 26, sprints=12)
    schedule_apply(cell=cell, first_sprint=current - 14, sprints=12)
    schedule_apply(cell=cell, first_sprint=current - 2, sprints=8)
    staff = UserFactory(username="bench-rot-staff", is_staff=True)
    client = Client()
    client.force_login(staff)
    url = f"/rotations/{cell.slug}/"
    assert client.get(url).status_code == 200
    # request_started resets connection.queries, so count through an execute wrapper.
    executed: list[str] = []
    with connection.execute_wrapper(lambda execute, sql, *a: (executed.append(sql), execute(sql, *a))[1]):
        client.get(url)
    ms = median_ms(lambda: client.get(url))
    print(
        f"grid page: 30 members, {cell.rotations.count()} rotations: {ms:7.2f} ms median, {len(executed)} queries"
    )
    api_ms = median_ms(lambda: client.get("/api/rotations/coverage/", {"cell": cell.slug}))
    print(f"coverage API: {api_ms:7.2f} ms median")


if __name__ == "__main__":
    for n in (6, 12, 30, 100):
        bench_generation(n)
    bench_grid()
