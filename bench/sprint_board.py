"""Benchmark of the cell sprint board.

Builds (once; reused on later runs) a cell of 30 members and 2,000 tickets spread over
50 sprints ending with the current one and the next, with time off, rotations, role
reservations and epics, in the database of DATABASE_URL. Then it renders the board of the
current sprint through the full Django stack (middleware, view, template) and prints:

- the page's median render time and its number of SQL queries;
- the median time of the bare SQL the page rests on (the same queries, replayed on a
  cursor, without the ORM, the maths or the template);
- the ratio of the two.

Targets: the page at most 3x its bare SQL and under 150 ms. Figures are printed, not asserted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ops_sprints .venv/bin/python bench/sprint_board.py
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup

setup("ops_sprints")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from epics.models import Epic  # noqa: E402
from opencraft_ops import calendar  # noqa: E402
from roles.models import Cell, Member, MemberTypePeriod, Role, RoleAssignment, TimeOff, WeeklyCommitment  # noqa: E402
from rotations.models import RotationAssignment  # noqa: E402
from sprints.models import Ticket  # noqa: E402
from sprints.services import sprint_ensure  # noqa: E402

SLUG = "bench-board"
MEMBERS = 30
TICKETS = 2000
SPRINTS = 50
RUNS = 60


def build() -> Cell:
    cell = Cell.objects.filter(slug=SLUG).first()
    if cell is not None and Ticket.objects.filter(cell=cell).count() == TICKETS:
        return cell
    if cell is not None:
        Ticket.objects.filter(cell=cell).delete()
        RotationAssignment.objects.filter(cell=cell).delete()
        RoleAssignment.objects.filter(member__cell=cell).delete()
        Epic.objects.filter(cell=cell).delete()
        get_user_model().objects.filter(member__cell=cell).delete()
        cell.delete()
    today = timezone.localdate()
    current = calendar.sprint_on(today).number
    numbers = list(range(current - SPRINTS + 2, current + 2))  # 50 sprints, the last is the next one
    sprints = [sprint_ensure(number=n) for n in numbers]
    cell = Cell.objects.create(name="Bench board", slug=SLUG)
    User = get_user_model()
    joined = today - timedelta(days=900)
    members = []
    for i in range(MEMBERS):
        user = User.objects.create_user(
            f"bench-board-{i}", password="bench-password", first_name=f"Bench{i:02d}"
        )
        member = Member.objects.create(user=user, cell=cell, joined_on=joined)
        MemberTypePeriod.objects.create(
            member=member, member_type="newcomer" if i % 10 == 9 else "core", since=joined
        )
        WeeklyCommitment.objects.create(
            member=member, since=joined, hours_per_week=Decimal(40 if i % 3 else 20)
        )
        WeeklyCommitment.objects.create(
            member=member, since=joined + timedelta(days=400), hours_per_week=Decimal(30)
        )
        members.append(member)
    liaison = Role.objects.get(slug="community-liaison")
    RoleAssignment.objects.create(member=members[0], role=liaison, since=joined)
    epics = [
        Epic.objects.create(key=f"BENCH-E{i}", title=f"Epic {i}", cell=cell, owner=members[i])
        for i in range(8)
    ]
    dates = calendar.sprint_dates(current)
    for i, member in enumerate(members[:10]):
        TimeOff.objects.create(
            member=member, start=dates.start + timedelta(days=i), end=dates.start + timedelta(days=i + 2)
        )
    RotationAssignment.objects.bulk_create(
        RotationAssignment(
            kind=kind,
            cell=cell,
            member=members[(s + k) % MEMBERS],
            sprint=sprint,
            start=sprint.start,
            end=sprint.end,
            reserved_hours=Decimal(15),
        )
        for s, sprint in enumerate(sprints)
        for k, kind in enumerate(["firefighter_1", "firefighter_2"])
    )
    statuses = ["To Do", "In Progress", "Code Review", "External Review", "Done", "Merged"]
    Ticket.objects.bulk_create(
        Ticket(
            key=f"BENCH-{i}",
            summary=f"Bench ticket {i}",
            status=statuses[i % len(statuses)],
            cell=cell,
            sprint=sprints[i % SPRINTS],
            assignee=members[i % MEMBERS],
            reviewer=members[(i + 7) % MEMBERS] if i % 9 else None,
            story_points=None if i % 13 == 0 else Decimal([1, 2, 3, 5, 8][i % 5]),
            remaining_estimate_seconds=3600 * (1 + i % 8),
            epic=epics[i % len(epics)],
            added_to_sprint_at=timezone.now() if i % 17 == 0 else None,
        )
        for i in range(TICKETS)
    )
    return cell


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    cell = build()
    client = Client()
    client.force_login(Member.objects.filter(cell=cell).first().user)  # type: ignore[union-attr]
    url = reverse("sprints:board", args=[cell.slug])
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    queries = [q["sql"] for q in captured.captured_queries]
    # Page and bare SQL alternate, so both see the same machine (a shared box's load comes and
    # goes); each figure is the median of its RUNS samples.
    page: list[float] = []
    bare: list[float] = []
    with connection.cursor() as cursor:
        for _ in range(RUNS):
            start = time.perf_counter()
            client.get(url)
            page.append(time.perf_counter() - start)
            start = time.perf_counter()
            for sql in queries:
                cursor.execute(sql)
                cursor.fetchall()
            bare.append(time.perf_counter() - start)
    page_ms, bare_ms = median_ms(page), median_ms(bare)
    rows = Member.objects.filter(cell=cell).count()
    print(f"cell: {rows} members, {Ticket.objects.filter(cell=cell).count()} tickets over {SPRINTS} sprints")
    print(f"board page: median {page_ms:.1f} ms over {RUNS} renders, {len(queries)} SQL queries")
    print(f"bare SQL of the page: median {bare_ms:.1f} ms")
    print(f"ratio page / bare SQL: {page_ms / bare_ms:.2f}x (target <= 3x; page target < 150 ms)")


if __name__ == "__main__":
    main()
