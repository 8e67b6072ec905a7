"""Benchmark of the organisation pages and API as the organisation grows.

For growing organisations (cells x members per cell, each member with a role, a
backup and time off; each cell with a rotation schedule over two sprints), renders through the full Django stack the directory page,
a member page and the members and time-off API lists, and prints each one's SQL
query count and median time. The query counts should not move with the size.

    DATABASE_URL=postgres://... .venv/bin/python bench/roles_directory.py [--sizes 3x8,10x25,20x50]

Everything runs inside a transaction that is rolled back, so the database is left
as it was. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import measure, setup

setup("ops_roles")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from roles.catalog import load_catalog  # noqa: E402
from roles.models import (  # noqa: E402
    Cell,
    Member,
    MemberTypePeriod,
    Role,
    RoleAssignment,
    TimeOff,
    WeeklyCommitment,
)
from rotations.models import RotationAssignment  # noqa: E402


class Rollback(Exception):
    pass


def build(cells: int, per_cell: int, today: date) -> Member:
    """Bulk-creates the organisation; returns a member to view pages as."""
    User = get_user_model()
    load_catalog(Role)
    team_roles = list(Role.objects.filter(scope="team").order_by("pk"))
    managers = list(Role.objects.filter(is_cell_management=True).order_by("pk"))
    viewer: Member | None = None
    for c in range(cells):
        cell = Cell.objects.create(name=f"Bench cell {c}", slug=f"bench-cell-{c}")
        users = User.objects.bulk_create(
            [
                User(username=f"bench-{c}-{m}", first_name="Bench", last_name=f"{c}-{m}")
                for m in range(per_cell)
            ]
        )
        members = Member.objects.bulk_create(
            [
                Member(
                    user=u, cell=cell, joined_on=today - timedelta(days=400), jira_account_id=f"bench-{c}-{i}"
                )
                for i, u in enumerate(users)
            ]
        )
        MemberTypePeriod.objects.bulk_create(
            [MemberTypePeriod(member=m, member_type="core", since=m.joined_on) for m in members]
        )
        WeeklyCommitment.objects.bulk_create(
            [WeeklyCommitment(member=m, hours_per_week=Decimal("40"), since=m.joined_on) for m in members]
        )
        assignments = [
            RoleAssignment(
                member=m,
                role=team_roles[i % len(team_roles)],
                cell=cell,
                since=today - timedelta(days=100 + i),
                backup=members[i - 1],
            )
            for i, m in enumerate(members)
        ]
        assignments += [
            RoleAssignment(
                member=members[i % len(members)], role=role, cell=cell, since=today, exclusive=True
            )
            for i, role in enumerate(managers)
        ]
        RoleAssignment.objects.bulk_create(assignments)
        # The rotation schedule of this and the next sprint: the directory and member pages
        # name rotation holders from it (roles.rotation_holders), never from assignments.
        slots = []
        for week in range(4):
            start = today - timedelta(days=7) + timedelta(days=7 * week)
            for k, kind in enumerate(("pager", "discovery_duty", "ops_reviewer")):
                member = members[(week * 3 + k) % len(members)]
                slots.append(
                    RotationAssignment(
                        kind=kind, cell=cell, member=member, start=start, end=start + timedelta(days=6)
                    )
                )
        for sprint in range(2):
            start = today - timedelta(days=7) + timedelta(days=14 * sprint)
            for k, kind in enumerate(("firefighter_1", "firefighter_2")):
                member = members[(sprint * 2 + k + 1) % len(members)]
                slots.append(
                    RotationAssignment(
                        kind=kind, cell=cell, member=member, start=start, end=start + timedelta(days=13)
                    )
                )
        RotationAssignment.objects.bulk_create(slots)
        TimeOff.objects.bulk_create(
            [
                TimeOff(
                    member=m, start=today + timedelta(days=i % 10), end=today + timedelta(days=i % 10 + 1)
                )
                for i, m in enumerate(members)
            ]
        )
        viewer = viewer or members[0]
    assert viewer is not None
    return viewer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--sizes", default="3x8,10x25,20x50", help="cells x members per cell, comma separated"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    today = date.today()
    print(f"{'organisation':>22} | {'page':<22} | {'queries':>7} | {'median ms':>9}")
    for size in args.sizes.split(","):
        cells, per_cell = (int(x) for x in size.split("x"))
        try:
            with transaction.atomic():
                viewer = build(cells, per_cell, today)
                client = Client()
                client.force_login(viewer.user)
                label = f"{cells} cells x {per_cell} = {cells * per_cell}"
                for name, url in [
                    ("directory", "/org/directory/"),
                    ("member page", f"/org/members/{viewer.pk}/"),
                    ("API members (page 1)", "/api/members/"),
                    ("API time off (page 1)", "/api/time-off/"),
                    (
                        "API rotation holders",
                        f"/api/rotation-holders/?start={today}&end={today + timedelta(13)}",
                    ),
                ]:
                    queries, ms = measure(client, url, args.repeat)
                    print(f"{label:>22} | {name:<22} | {queries:>7} | {ms:>9.1f}")
                raise Rollback
        except Rollback:
            pass


if __name__ == "__main__":
    main()
