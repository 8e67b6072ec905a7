"""The same small sprint, built and read on any database: the figures of the hot plain-SQL
reads (``sprints.selectors.sql``) as plain JSON-able values.

``test_sql_portability`` builds it on PostgreSQL inside the test and runs this module as a
script on a fresh SQLite database (the demo's), then compares the two answers.

    DATABASE_URL=sqlite:////tmp/probe.sqlite3 python -m sprints.tests.sql_probe OUT.json
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

TIME_ZONE = "Europe/Berlin"  # the injection cutoff is a local midnight: not UTC on purpose
SPRINT_DAY = date(2026, 11, 10)  # any fixed day: nothing here depends on today


def build() -> Any:
    """A cell with six members of every kind and a sprint's tickets; returns the cell."""
    from django.contrib.auth import get_user_model

    from epics.models import Epic
    from opencraft_ops import calendar
    from roles.models import Cell, Member, MemberTypePeriod, Role, RoleAssignment, TimeOff, WeeklyCommitment
    from rotations.models import RotationAssignment
    from sprints.models import Ticket
    from sprints.selectors import injection_threshold
    from sprints.services import sprint_ensure

    dates = calendar.sprint_on(SPRINT_DAY)
    sprint = sprint_ensure(number=dates.number)
    following = sprint_ensure(number=dates.number + 1)
    cell = Cell.objects.create(name="Probe", slug="probe")
    users = get_user_model().objects
    people: dict[str, Member] = {}
    for name, hours, kind, joined in [
        ("Ada", 40, "core", date(2024, 1, 8)),
        ("Ben", 30, "core", date(2024, 1, 8)),
        ("Cleo", 20, "short_term", date(2025, 6, 2)),
        ("Dev", 40, "newcomer", dates.start + timedelta(days=1)),
        ("Eve", 40, "core", date(2024, 1, 8)),
        ("Finn", 35, "core", date(2023, 3, 1)),
    ]:
        user = users.create_user(name.lower(), password="probe-password", first_name=name, last_name="Probe")
        member = Member.objects.create(user=user, cell=cell, joined_on=joined)
        MemberTypePeriod.objects.create(member=member, member_type=kind, since=joined)
        WeeklyCommitment.objects.create(member=member, since=joined, hours_per_week=Decimal(hours))
        people[name] = member
    # Ben changed his commitment during the sprint; Cleo works part-time days.
    WeeklyCommitment.objects.create(
        member=people["Ben"], since=dates.start + timedelta(days=7), hours_per_week=40
    )
    TimeOff.objects.create(
        member=people["Ada"], start=dates.start + timedelta(days=2), end=dates.start + timedelta(days=3)
    )
    TimeOff.objects.create(
        member=people["Cleo"],
        start=dates.start,
        end=dates.start + timedelta(days=6),
        hours_per_day=Decimal("1.5"),
    )
    # Eve's time off runs past the sprint's end.
    TimeOff.objects.create(
        member=people["Eve"], start=dates.end - timedelta(days=1), end=dates.end + timedelta(days=5)
    )
    RotationAssignment.objects.create(
        kind="firefighter_1",
        cell=cell,
        member=people["Ada"],
        sprint=sprint,
        start=dates.start,
        end=dates.end,
        reserved_hours=Decimal("15.38"),
    )
    RotationAssignment.objects.create(
        kind="discovery_duty",
        cell=cell,
        member=people["Ben"],
        sprint=sprint,
        start=dates.start,
        end=dates.start + timedelta(days=6),
        reserved_hours=Decimal(5),
    )
    liaison = Role.objects.get(slug="community-liaison")
    RoleAssignment.objects.create(member=people["Finn"], role=liaison, since=date(2025, 1, 1))
    epic = Epic.objects.create(key="PRB-E1", title="Probe epic", cell=cell, owner=people["Eve"])
    Epic.objects.create(key="PRB-E2", title="Done epic", cell=cell, owner=people["Eve"], status="done")
    cutoff = injection_threshold(dates)
    hour = 3600
    rows: list[dict[str, Any]] = [
        dict(assignee="Ada", reviewer="Ben", story_points=Decimal(3), remaining=5 * hour),
        dict(assignee="Ada", reviewer="Ada", story_points=Decimal(2), remaining=None, original=3 * hour),
        dict(assignee="Ben", reviewer="Ada", story_points=Decimal("1.5"), status="External Review"),
        dict(assignee="Ben", reviewer="Eve", story_points=None, remaining=None, original=None),
        dict(assignee="Cleo", reviewer="Ada", story_points=Decimal(8), status="Done"),
        dict(assignee="Cleo", reviewer=None, story_points=Decimal(5), status="Stretch Goals"),
        dict(assignee="Dev", reviewer="Finn", story_points=Decimal(5), added=cutoff + timedelta(minutes=30)),
        dict(assignee="Dev", reviewer="Finn", story_points=Decimal(3), added=cutoff - timedelta(minutes=30)),
        dict(
            assignee="Eve",
            reviewer="Finn",
            story_points=Decimal(13),
            labels=["injection-accepted"],
            added=cutoff,
        ),
        dict(assignee="Finn", reviewer="Dev", story_points=Decimal(2), recurring=Decimal("1.25")),
        dict(assignee=None, reviewer="Ben", story_points=Decimal(1), status="In Progress"),
    ]
    for i, row in enumerate(rows):
        Ticket.objects.create(
            key=f"PRB-{i + 1}",
            summary=f"Probe ticket {i + 1} with a 'quote'",
            status=row.get("status", "To Do"),
            cell=cell,
            sprint=sprint,
            epic=epic,
            assignee=people.get(row["assignee"] or ""),
            reviewer=people.get(row["reviewer"] or ""),
            story_points=row["story_points"],
            remaining_estimate_seconds=row.get("remaining", 2 * hour),
            original_estimate_seconds=row.get("original", 4 * hour),
            is_recurring="recurring" in row,
            recurring_hours_per_sprint=row.get("recurring", Decimal(0)),
            labels=row.get("labels", []),
            added_to_sprint_at=row.get("added"),
        )
    # Next sprint: one green ticket, three that are not.
    for i, (assignee, reviewer, points) in enumerate(
        [
            ("Ada", "Ben", Decimal(3)),
            ("Ben", None, Decimal(2)),
            (None, "Ada", Decimal(1)),
            ("Eve", "Finn", None),
        ]
    ):
        Ticket.objects.create(
            key=f"PRB-N{i + 1}",
            summary=f"Next {i + 1}",
            status="To Do",
            cell=cell,
            sprint=following,
            epic=epic if i != 1 else None,
            assignee=people.get(assignee or ""),
            reviewer=people.get(reviewer or ""),
            story_points=points,
            priority_category=i % 2,
        )
    return cell


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 40.00 and 40 alike, never "4E+1"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def figures(cell: Any) -> dict[str, Any]:
    """What the board, a member's board and the ticket lists read, by name (no database ids)."""
    from opencraft_ops import calendar
    from roles.models import Member
    from sprints import selectors

    number = calendar.sprint_on(SPRINT_DAY).number
    board = selectors.board(cell=cell, sprint_number=number)
    fields = [
        "name",
        "member_type",
        "weekly_hours",
        "contract_hours",
        "time_off_hours",
        "rotation_hours",
        "role_hours",
        "capacity",
        "ticket_hours",
        "recurring_hours",
        "review_hours",
        "committed",
        "remaining",
        "assigned_tickets",
        "assigned_points",
        "unestimated_tickets",
        "rotation_kinds",
        "days_off",
    ]
    ada = Member.objects.get(user__username="ada")
    return {
        "rows": [
            {f: _plain(getattr(r.row, f)) for f in fields} | {"limit": _plain(r.point_limit)}
            for r in board.rows
        ],
        "totals": {k: _plain(v) for k, v in vars(board.totals).items()},
        "injections": [
            [t.key, t.assignee_name, _plain(t.added_to_sprint_at), t.accepted] for t in board.injections
        ],
        "not_green": [
            [t.key, t.assignee_name, t.epic_owner_name, t.epic_key, t.is_green] for t in board.not_green
        ],
        "members": [
            [m.name, m.current_type, _plain(m.newcomer_start)]
            for m in selectors.cell_members(cell=cell, dates=calendar.sprint_dates(number))
        ],
        "member_rows": [
            [r.ticket.key, r.role, _plain(r.hours)]
            for r in selectors.member_ticket_rows(member=ada, sprint_number=number)
        ],
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencraft_ops.settings")
    os.environ["DJANGO_TIME_ZONE"] = TIME_ZONE
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(sys.argv[1], "w") as out:
        json.dump(figures(build()), out)


if __name__ == "__main__":
    main()
