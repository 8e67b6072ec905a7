"""Benchmark of the duties app: the opener over a large organisation, and the "My work"
home page as a member's duties grow. Prints figures; asserts nothing about time.

    DATABASE_URL=... .venv/bin/python bench/duties.py [--cells 20] [--members 12]

Everything runs inside a transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup

setup("ops_duties")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from duties.models import DutyInstance  # noqa: E402
from duties.services import duty_instances_open  # noqa: E402
from roles.models import Cell, Member, MemberTypePeriod, Role, RoleAssignment, TimeOff  # noqa: E402


class Rollback(Exception):
    pass


def build(cells: int, members: int) -> Member:
    today = timezone.localdate()
    User = get_user_model()
    roles = {r.slug: r for r in Role.objects.all()}
    per_cell = ["sprint-manager", "sprint-planning-manager", "epic-planning-sustainability-manager", "mentor"]
    first: Member | None = None
    for c in range(cells):
        cell = Cell.objects.create(name=f"Bench cell {c}", slug=f"bench-cell-{c}")
        people = []
        for m in range(members):
            user = User.objects.create(username=f"bench-{c}-{m}", email=f"bench-{c}-{m}@example.com")
            member = Member.objects.create(user=user, cell=cell, joined_on=today - timedelta(days=700))
            kind = "newcomer" if m == members - 1 else "core"
            MemberTypePeriod.objects.create(member=member, member_type=kind, since=today - timedelta(days=20))
            people.append(member)
            if m % 3 == 0:
                TimeOff.objects.create(
                    member=member, start=today - timedelta(days=3), end=today + timedelta(days=2)
                )
        for i, slug in enumerate(per_cell):
            RoleAssignment.objects.create(
                member=people[i],
                role=roles[slug],
                cell=cell,
                since=today - timedelta(days=400),
                backup=people[i + 4],
            )
        for m in range(members // 2):
            RoleAssignment.objects.create(
                member=people[m], role=roles["epic-owner"], since=today - timedelta(days=400)
            )
        first = first or people[0]
    assert first is not None
    return first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=20)
    parser.add_argument("--members", type=int, default=12)
    args = parser.parse_args()
    today = timezone.localdate()
    try:
        with transaction.atomic():
            started = time.perf_counter()
            member = build(args.cells, args.members)
            print(
                f"setup: {args.cells} cells x {args.members} members in {time.perf_counter() - started:.1f}s"
            )

            for label in ("first run (42-day catch-up)", "second run (nothing new)"):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    result = duty_instances_open(as_of=today)
                    elapsed = time.perf_counter() - started
                print(
                    f"opener {label}: planned {result.planned}, created {result.created}, "
                    f"items {result.items_created}, {len(ctx.captured_queries)} queries, {elapsed * 1000:.0f} ms"
                )
            print(f"duty instances in the database: {DutyInstance.objects.count()}")

            client = Client()
            client.force_login(member.user)
            for extra in (0, 50, 200):
                if extra:
                    DutyInstance.objects.filter(cell=member.cell, assignee__isnull=False).update(
                        assignee=member
                    )
                    clones = [
                        DutyInstance(
                            definition_id=d.definition_id,
                            period=f"bench-{extra}-{i}",
                            subject_key=d.subject_key,
                            cell_id=d.cell_id,
                            opens_on=d.opens_on,
                            due_on=d.due_on,
                            assignee=member,
                        )
                        for i, d in enumerate(list(DutyInstance.objects.filter(cell=member.cell)[:1]) * extra)
                    ]
                    DutyInstance.objects.bulk_create(clones)
                mine = DutyInstance.objects.filter(assignee=member, done_at__isnull=True).count()
                client.get("/")  # warm up
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get("/")
                    elapsed = time.perf_counter() - started
                print(
                    f"home page with {mine} open duties: HTTP {response.status_code}, "
                    f"{len(ctx.captured_queries)} queries, {elapsed * 1000:.0f} ms"
                )
            raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
