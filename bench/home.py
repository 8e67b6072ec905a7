"""Benchmark of each person's home page ("My work"): median time and SQL query count.

On PostgreSQL, loads the demo organisation (``demo_data``), evaluates the findings (as the
Celery beat does), and renders the home page through the full Django stack for each persona:

- developer (tom), newcomer (priya), sprint manager (demo, Bebop), epic planning and
  sustainability manager (ahmed, Serenity), staff (admin, no member record);

then grows the organisation to 250 members (new cells whose members each have tickets in
the current sprint, reviews, an owned epic, duties, rotations, time off and worklogs),
evaluates the findings again and renders the same pages. The query count of each persona's
page should be the same at both sizes.

Each figure is also printed as one line ``BENCH {"bench": "home", ...}``. The database
(``ops_home`` unless DATABASE_URL is set) is flushed first; the target is < 150 ms a page.

    .venv/bin/python bench/home.py [--repeat 15] [--members 250]

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_line, measure, setup

setup("ops_home")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from duties.models import DutyDefinition, DutyInstance  # noqa: E402
from epics.models import Epic  # noqa: E402
from findings.services import findings_evaluate  # noqa: E402
from opencraft_ops import calendar  # noqa: E402
from roles.models import Cell, Member, MemberTypePeriod, Role, RoleAssignment, TimeOff, WeeklyCommitment  # noqa: E402
from rotations.models import RotationAssignment  # noqa: E402
from sprints.models import Sprint, Ticket  # noqa: E402
from sustainability.models import Worklog  # noqa: E402

PERSONAS = [
    ("developer", "tom"),
    ("newcomer", "priya"),
    ("sprint manager", "demo"),
    ("epic planning and sustainability manager", "ahmed"),
    ("staff", "admin"),
]
BENCH = "home"
PER_CELL = 25


def grow(total: int) -> None:
    """Adds cells of ``PER_CELL`` members until the organisation has ``total`` members."""
    User = get_user_model()
    today = timezone.localdate()
    now = timezone.now()
    s = calendar.sprint_on(today)
    sprint, _ = Sprint.objects.get_or_create(number=s.number, defaults={"start": s.start, "end": s.end})
    definitions = list(DutyDefinition.objects.filter(role__slug="sprint-manager")[:3])
    manager = Role.objects.get(slug="sprint-manager")
    missing = total - Member.objects.count()
    c = 0
    while missing > 0:
        n = min(PER_CELL, missing)
        cell = Cell.objects.create(
            name=f"Scale {c}", slug=f"scale-{c}", created_on=today - timedelta(days=900)
        )
        users = User.objects.bulk_create(
            [User(username=f"scale-{c}-{i}", first_name="Scale", last_name=f"{c}-{i}") for i in range(n)]
        )
        joined = today - timedelta(days=800)
        members = Member.objects.bulk_create(
            [Member(user=u, cell=cell, joined_on=joined, timezone="Europe/Berlin") for u in users]
        )
        MemberTypePeriod.objects.bulk_create(
            [MemberTypePeriod(member=m, member_type="core", since=joined) for m in members]
        )
        WeeklyCommitment.objects.bulk_create(
            [WeeklyCommitment(member=m, hours_per_week=Decimal(40), since=joined) for m in members]
        )
        RoleAssignment.objects.create(member=members[0], role=manager, cell=cell, since=joined)
        TimeOff.objects.bulk_create(
            [
                TimeOff(member=m, start=today + timedelta(days=10), end=today + timedelta(days=12))
                for m in members
            ]
        )
        epics = Epic.objects.bulk_create(
            [
                Epic(key=f"SC{c}-E{i}", title=f"Scale epic {i}", cell=cell, owner=m, status="in_development")
                for i, m in enumerate(members)
            ]
        )
        tickets = []
        for i, m in enumerate(members):
            for k in range(4):
                tickets.append(
                    Ticket(
                        key=f"SC{c}-{i}-{k}",
                        summary=f"Scale ticket {k}",
                        status=("In Progress", "Code Review", "To Do", "External Review")[k],
                        cell=cell,
                        assignee=m,
                        reviewer=members[(i + 1) % n],
                        sprint=sprint,
                        epic=epics[i],
                        story_points=Decimal(3),
                        original_estimate_seconds=5 * 3600,
                        remaining_estimate_seconds=2 * 3600,
                        time_spent_seconds=(3 + k) * 3600,
                    )
                )
        created = Ticket.objects.bulk_create(tickets)
        Worklog.objects.bulk_create(
            [
                Worklog(
                    tempo_id=10_000_000 + t.pk * 10 + d,
                    ticket=t,
                    member=t.assignee,
                    work_date=today - timedelta(days=d),
                    seconds=2 * 3600,
                    created_at=now,
                    updated_at=now,
                )
                for t in created
                for d in range(1, 6)
            ]
        )
        RotationAssignment.objects.bulk_create(
            [
                RotationAssignment(
                    kind="firefighter_1",
                    cell=cell,
                    member=members[i % n],
                    start=s.start,
                    end=s.end,
                    reserved_hours=Decimal(15),
                )
                for i in range(1)
            ]
        )
        DutyInstance.objects.bulk_create(
            [
                DutyInstance(
                    definition=d,
                    cell=cell,
                    assignee=members[0],
                    period=f"scale-{c}-{j}",
                    opens_on=today - timedelta(days=10),
                    due_on=today - timedelta(days=j),
                )
                for j, d in enumerate(definitions)
            ]
        )
        missing -= n
        c += 1


def run(size_label: str, repeat: int) -> None:
    started = time.perf_counter()
    findings_evaluate()
    members = Member.objects.count()
    print(f"\n{members} members ({size_label}); findings evaluated in {time.perf_counter() - started:.1f} s")
    print(f"  {'persona':44} {'queries':>7} {'median ms':>10}")
    User = get_user_model()
    for persona, username in PERSONAS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        queries, median = measure(client, "/", repeat)
        print(f"  {persona + ' (' + username + ')':44} {queries:7d} {median:10.1f}")
        bench_line(BENCH, f"home {persona} median", members, round(median, 1), "ms")
        bench_line(BENCH, f"home {persona} queries", members, queries, "queries")


def main() -> None:
    # The findings' notifications would print every email of the organisation here.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--members", type=int, default=250)
    args = parser.parse_args()
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    call_command("demo_data", stdout=io.StringIO())
    print(f"demo data loaded in {time.perf_counter() - started:.1f} s")
    run("demo data", args.repeat)
    grow(args.members)
    run(f"grown to {args.members}", args.repeat)


if __name__ == "__main__":
    main()
