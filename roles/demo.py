"""Demo organisation: the handbook's three cells, about twenty members of
every type across the world's time zones, commitments and time off, and every
role of the catalog held somewhere.

Idempotent: people, cells and assignments are looked up by their natural keys
and only the missing ones are created, so running it again keeps existing data
(and any edits made since). Dates are relative to the day it first runs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TextIO

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from roles import services
from roles.catalog import load_catalog
from roles.models import Cell, CellKind, Member, Role, RoleAssignment, TimeOffKind

SERENITY_RULES = """Serenity serves one client with a 12-hour response promise.
One firefighter per sprint, chosen among the core members who know the client's stack.
Outside the firefighter's working hours, the client's urgent tickets go to the pager rotation.
The client owner joins any incident call and writes the client's follow-up."""

CELLS = [
    {
        "name": "Bebop",
        "slug": "bebop",
        "kind": CellKind.GENERALIST,
        "jira_project_key": "BB",
        "jira_board_id": 1,
        "description": "A generalist cell: Open edX features, upgrades and client work for many clients.",
    },
    {
        "name": "Falcon",
        "slug": "falcon",
        "kind": CellKind.GENERALIST,
        "jira_project_key": "FAL",
        "jira_board_id": 2,
        "description": "A generalist cell: hosting, DevOps-heavy projects and discoveries.",
    },
    {
        "name": "Serenity",
        "slug": "serenity",
        "kind": CellKind.PROJECT,
        "jira_project_key": "SE",
        "jira_board_id": 3,
        "client_sla_hours": Decimal("12"),
        "firefighting_rules": SERENITY_RULES,
        "description": "A project cell dedicated to one university client.",
    },
]


@dataclass
class Person:
    username: str
    first: str
    last: str
    cell: str | None
    tz: str
    # (days before today, type) in order; the first is the joining day
    types: list[tuple[int, str]]
    # (days before today, hours per week) in order
    hours: list[tuple[int, str]] = field(default_factory=lambda: [])
    left_days_ago: int | None = None


PEOPLE = [
    # Bebop
    Person("demo", "Demo", "User", "bebop", "Europe/Berlin", [(900, "newcomer"), (840, "core")]),
    Person("amara", "Amara", "Nwosu", "bebop", "Africa/Lagos", [(1500, "newcomer"), (1440, "core")]),
    Person(
        "kenji", "Kenji", "Watanabe", "bebop", "Asia/Tokyo", [(1200, "core")], [(1200, "40"), (300, "35")]
    ),
    Person(
        "lucia",
        "Lucía",
        "Fernández",
        "bebop",
        "Europe/Madrid",
        [(700, "newcomer"), (640, "core")],
        [(700, "40"), (180, "30")],
    ),
    Person("priya", "Priya", "Raman", "bebop", "Asia/Kolkata", [(25, "newcomer")]),
    Person("tom", "Tom", "Becker", "bebop", "Europe/Berlin", [(120, "short_term")], [(120, "20")]),
    # Falcon
    Person("marta", "Marta", "Kowalska", "falcon", "Europe/Warsaw", [(1100, "newcomer"), (1040, "core")]),
    Person("diego", "Diego", "Álvarez", "falcon", "America/Bogota", [(800, "newcomer"), (740, "core")]),
    Person(
        "hannah",
        "Hannah",
        "Schmidt",
        "falcon",
        "Europe/Vienna",
        [(1600, "core")],
        [(1600, "40"), (400, "32")],
    ),
    Person("olu", "Oluwaseun", "Adeyemi", "falcon", "Africa/Lagos", [(950, "newcomer"), (890, "core")]),
    Person("mei", "Mei", "Lin", "falcon", "Asia/Shanghai", [(40, "newcomer")]),
    Person("sam", "Sam", "Carter", "falcon", "America/New_York", [(90, "short_term")], [(90, "25")]),
    Person("ivan", "Ivan", "Petrov", "falcon", "Europe/Sofia", [(1300, "core")]),
    Person("victor", "Victor", "Novak", "falcon", "Europe/Prague", [(1000, "core")], left_days_ago=6),
    # Serenity
    Person("rosa", "Rosa", "Oliveira", "serenity", "America/Sao_Paulo", [(1000, "newcomer"), (940, "core")]),
    Person("ahmed", "Ahmed", "Hassan", "serenity", "Africa/Cairo", [(600, "newcomer"), (540, "core")]),
    Person(
        "noah",
        "Noah",
        "Williams",
        "serenity",
        "Australia/Sydney",
        [(1400, "core")],
        [(1400, "40"), (60, "36")],
    ),
    Person("elena", "Elena", "Popescu", "serenity", "Europe/Bucharest", [(50, "newcomer")]),
    Person(
        "jake", "Jake", "Morrison", "serenity", "America/Los_Angeles", [(200, "short_term")], [(200, "30")]
    ),
    # Company-wide roles, outside the cells
    Person("claire", "Claire", "Dubois", None, "Europe/Paris", [(2000, "core")]),
    Person("xavier", "Xavier", "Antoine", None, "Europe/Paris", [(3000, "core")]),
    Person("liam", "Liam", "O'Connor", None, "America/Vancouver", [(2500, "core")]),
    Person("gwen", "Gwen", "Taylor", None, "Europe/London", [(1800, "core")], [(1800, "24")]),
    Person("pablo", "Pablo", "Ruiz", None, "America/Mexico_City", [(900, "core")], [(900, "30")]),
]

# (role slug, holder, cell or None, days since start, backup or None). No rotation roles:
# who is firefighter, discovery duty, ops reviewer or on the pager comes from the rotation
# schedule (rotations/demo.py), the only answer (roles.rotation_holders).
ASSIGNMENTS: list[tuple[str, str, str | None, int, str | None]] = [
    # Bebop: the demo user holds two of its management roles.
    ("sprint-planning-manager", "amara", "bebop", 500, "kenji"),
    ("sprint-manager", "demo", "bebop", 420, "lucia"),
    ("epic-planning-sustainability-manager", "demo", "bebop", 380, "amara"),
    ("mentor", "kenji", "bebop", 30, "amara"),
    ("newcomer", "priya", "bebop", 25, None),
    ("epic-owner", "lucia", "bebop", 300, "demo"),
    ("epic-owner", "demo", "bebop", 200, "kenji"),
    ("epic-reviewer", "kenji", "bebop", 300, None),
    ("code-reviewer", "amara", "bebop", 900, None),
    ("client-owner", "lucia", "bebop", 250, "demo"),
    ("devops-specialist", "kenji", "bebop", 700, None),
    ("core-contributor", "amara", "bebop", 400, None),
    # Falcon: the cell supporter holds its sprint planning manager role.
    ("sprint-planning-manager", "claire", "falcon", 150, "marta"),
    ("sprint-manager", "marta", "falcon", 600, "ivan"),
    ("mentor", "marta", "falcon", 45, "ivan"),
    ("newcomer", "mei", "falcon", 40, None),
    ("specialist", "ivan", "falcon", 900, None),
    ("devops-specialist", "olu", "falcon", 500, None),
    ("epic-owner", "olu", "falcon", 320, "sam"),
    ("client-owner", "hannah", "falcon", 800, None),
    # Serenity: a project cell (no discovery duty).
    ("sprint-planning-manager", "rosa", "serenity", 520, "ahmed"),
    ("sprint-manager", "claire", "serenity", 200, "noah"),
    ("epic-planning-sustainability-manager", "ahmed", "serenity", 340, "rosa"),
    ("mentor", "noah", "serenity", 55, "rosa"),
    ("newcomer", "elena", "serenity", 50, None),
    ("client-owner", "rosa", "serenity", 700, "noah"),
    ("epic-owner", "jake", "serenity", 150, "rosa"),
    ("cell-creation-manager", "claire", "serenity", 240, None),
    # Company-wide roles.
    ("recruitment-manager", "hannah", None, 700, "marta"),
    ("community-liaison", "kenji", None, 450, None),
    ("technical-security-manager", "ivan", None, 800, None),
    ("cell-supporter", "claire", None, 1200, None),
    ("ceo", "xavier", None, 3000, None),
    ("cto", "liam", None, 2500, None),
    ("business-development-specialist", "gwen", None, 1500, None),
    ("marketing-specialist", "gwen", None, 1000, None),
    ("administrative-specialist", "gwen", None, 1700, None),
    ("sales-mentor", "xavier", None, 900, None),
    ("ux-designer", "pablo", None, 900, None),
    ("product-manager", "pablo", None, 600, None),
    ("developer-advocate", "lucia", None, 200, None),
]

# (holder, days from today to start, length in days, kind, hours per day or None, note)
TIME_OFF: list[tuple[str, int, int, str, str | None, str]] = [
    ("kenji", -70, 7, TimeOffKind.VACATION, None, "Golden Week trip"),
    ("amara", -30, 2, TimeOffKind.SICK, None, ""),
    ("marta", -1, 5, TimeOffKind.VACATION, None, "Family visit"),
    ("olu", 0, 1, TimeOffKind.SICK, None, ""),
    ("diego", 3, 3, TimeOffKind.OTHER, "4", "Mornings off: moving house"),
    ("demo", 14, 5, TimeOffKind.VACATION, None, "Holiday"),
    ("rosa", 30, 10, TimeOffKind.VACATION, None, "Carnival"),
    ("noah", 2, 1, TimeOffKind.OTHER, "3", "Conference talk"),
    ("lucia", 45, 14, TimeOffKind.VACATION, None, "Summer holiday"),
    ("hannah", -200, 10, TimeOffKind.VACATION, None, "Skiing"),
    ("elena", 8, 2, TimeOffKind.OTHER, None, "University exams"),
]

# The handover in transition: Falcon's epic planning and sustainability manager
# moved from Hannah to Diego a few days ago; Hannah helps until the transition ends.
HANDOVER = ("epic-planning-sustainability-manager", "falcon", "hannah", "diego", 420, 3, 11)


def jira_account_id(username: str) -> str:
    """A stable Atlassian-style account id for a demo member."""
    return f"557058:{uuid.uuid5(uuid.NAMESPACE_DNS, f'{username}.demo.opencraft-ops')}"


class _Counts:
    def __init__(self) -> None:
        self.created: dict[str, int] = {}
        self.skipped: list[str] = []

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def seed(stdout: TextIO) -> None:
    today = timezone.localdate()
    counts = _Counts()
    counts.add("roles in the catalog", load_catalog(Role))
    _ensure_logins(counts)
    cells = _ensure_cells(counts)
    members = _ensure_members(today, cells, counts)
    _ensure_assignments(today, cells, members, counts)
    _ensure_handover(today, cells, members, counts)
    created = ", ".join(f"{n} {what}" for what, n in counts.created.items() if n) or "nothing (all present)"
    stdout.write(
        f"  roles: {Cell.objects.count()} cells, {Member.objects.count()} members, "
        f"{RoleAssignment.objects.count()} assignments; created {created}.\n"
    )
    for reason in counts.skipped:
        stdout.write(f"  roles: skipped {reason}\n")


def _ensure_logins(counts: _Counts) -> None:
    User = get_user_model()
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.com", "admin-password")
        counts.add("logins")
    demo = User.objects.filter(username="demo").first()
    if demo is None:
        User.objects.create_user(
            "demo", "demo@example.com", "demo-password", first_name="Demo", last_name="User"
        )
        counts.add("logins")


def _ensure_cells(counts: _Counts) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for spec in CELLS:
        cell = Cell.objects.filter(slug=spec["slug"]).first()
        if cell is None:
            cell = Cell(**spec, created_on=date(2019, 1, 1))
            cell.full_clean()
            cell.save()
            counts.add("cells")
        cells[cell.slug] = cell
    return cells


def _ensure_members(today: date, cells: dict[str, Cell], counts: _Counts) -> dict[str, Member]:
    User = get_user_model()
    members: dict[str, Member] = {}
    for person in PEOPLE:
        member = Member.objects.filter(user__username=person.username).select_related("user").first()
        if member is None:
            joined = today - timedelta(days=person.types[0][0])
            hours = person.hours or [(person.types[0][0], "40")]
            user = User.objects.filter(username=person.username).first()
            if user is None:
                member = services.member_create(
                    username=person.username,
                    first_name=person.first,
                    last_name=person.last,
                    email=f"{person.username}@example.com",
                    password=f"{person.username}-password",
                    cell=cells[person.cell] if person.cell else None,
                    member_type=person.types[0][1],
                    weekly_hours=Decimal(hours[0][1]),
                    timezone=person.tz,
                    jira_account_id=jira_account_id(person.username),
                    joined_on=joined,
                )
            else:  # the login exists (e.g. "demo"): attach its member record
                member = Member.objects.create(
                    user=user,
                    cell=cells[person.cell] if person.cell else None,
                    timezone=person.tz,
                    jira_account_id=jira_account_id(person.username),
                    joined_on=joined,
                )
                services.member_type_change(member=member, member_type=person.types[0][1], since=joined)
                services.commitment_change(member=member, hours_per_week=Decimal(hours[0][1]), since=joined)
            for days_ago, member_type in person.types[1:]:
                services.member_type_change(
                    member=member,
                    member_type=member_type,
                    since=today - timedelta(days=days_ago),
                    note="Trial passed" if member_type == "core" else "",
                )
            for days_ago, per_week in hours[1:]:
                services.commitment_change(
                    member=member,
                    hours_per_week=Decimal(per_week),
                    since=today - timedelta(days=days_ago),
                    note="Asked for fewer hours",
                )
            if person.left_days_ago is not None:
                services.member_update(member=member, left_on=today - timedelta(days=person.left_days_ago))
            _add_time_off(today, member, counts)
            counts.add("members")
        members[person.username] = member
    return members


def _add_time_off(today: date, member: Member, counts: _Counts) -> None:
    for username, start_in, length, kind, hours, note in TIME_OFF:
        if username != member.user.username:
            continue
        start = today + timedelta(days=start_in)
        services.time_off_record(
            member=member,
            start=start,
            end=start + timedelta(days=length - 1),
            kind=kind,
            hours_per_day=Decimal(hours) if hours else None,
            note=note,
        )
        counts.add("time off periods")


def _ensure_assignments(
    today: date, cells: dict[str, Cell], members: dict[str, Member], counts: _Counts
) -> None:
    roles = {role.slug: role for role in Role.objects.all()}
    for slug, holder, cell_slug, days, backup in ASSIGNMENTS:
        member, role = members[holder], roles[slug]
        cell = cells[cell_slug] if cell_slug else None
        if RoleAssignment.objects.filter(member=member, role=role, cell=cell).exists():
            continue
        try:
            services.role_assign(
                member=member,
                role=role,
                cell=cell,
                since=today - timedelta(days=days),
                backup=members[backup] if backup else None,
            )
        except ValidationError as exc:  # e.g. someone took the role in the admin meanwhile
            counts.skipped.append(f"{role.name} for {member}: {'; '.join(exc.messages)}")
        else:
            counts.add("assignments")


def _ensure_handover(
    today: date, cells: dict[str, Cell], members: dict[str, Member], counts: _Counts
) -> None:
    slug, cell_slug, old, new, held_days, ago, transition_days = HANDOVER
    role, cell = Role.objects.get(slug=slug), cells[cell_slug]
    if RoleAssignment.objects.filter(role=role, cell=cell).exists():
        return
    outgoing = services.role_assign(
        member=members[old],
        role=role,
        cell=cell,
        since=today - timedelta(days=held_days),
        backup=members["ivan"],
    )
    starts = today - timedelta(days=ago)
    services.role_assignment_handover(
        assignment=outgoing,
        to_member=members[new],
        starts_on=starts,
        transition_until=starts + timedelta(days=transition_days),
    )
    counts.add("assignments", 2)
