"""Shared organisation builder of the benchmarks: new cells of 25 members with years of worklogs.

Import it after ``_setup.setup()`` (it imports models). Everything is bulk-written: a few
``bulk_create`` per cell and one ``INSERT ... SELECT`` for all the worklogs, so 1,000 members
with five years of worklogs (about 1.3 million rows) take well under a minute. The monthly
rollup ``sustainability_worklogmonth`` is filled the way production fills it: by the
statement triggers on the worklog table (sustainability migrations 0003 and 0005), which
fold every INSERT, bulk or not; ``rollup_check()`` confirms it holds every worklog.

Bulk writes send no signal, so no findings evaluation runs while building; call
``findings.signals.discard_pending()`` after the few ``create()`` calls and evaluate once.

- ``build_cells()``: new cells, each member with a role, a weekly commitment, time off and a
  worklog every working day for ``years`` years; the last two of each cell newcomers, the first
  leaving in five days; every management role of a cell but the last held; overdue duties for
  the cell's sprint manager. With ``sprint_work=True``, also what a member's home page reads:
  an epic owned by each member, four tickets each in the current sprint (reviewed by the next
  member), worklogs of the current sprint on the member's ticket in progress, firefighters for
  this and the next sprint, weekly discovery duty and ops reviewer, and Fridays logged on the
  cell's internal account (a non-billable share of 20 %).
- ``extend_history()``: copies the existing worklogs back in steps of whole weeks until there
  are ``years`` years of them (never before a member joined).
- ``rollup_check()``: the rollup's totals against the worklog table's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.text import slugify

from duties.catalog import load_duty_catalog
from duties.models import DutyDefinition, DutyInstance
from epics.models import Epic
from opencraft_ops import calendar
from roles.catalog import load_catalog
from roles.models import Cell, Member, MemberTypePeriod, Role, RoleAssignment, TimeOff, WeeklyCommitment
from rotations.models import RotationAssignment
from sprints.models import Sprint, Ticket
from sustainability.models import Account

PER_CELL = 25
WORKDAY_SECONDS = 27_000  # 7.5 hours


@dataclass(frozen=True)
class Built:
    cells: list[Cell]
    members: list[Member]
    sprint_manager: Member  # the first new cell's sprint manager
    worklogs: int


def build_cells(
    members_total: int,
    *,
    years: int,
    today: date,
    prefix: str,
    label: str,
    sprint_work: bool = False,
) -> Built:
    """Bulk-creates ``members_total`` members in new cells of ``PER_CELL`` (the last cell takes
    the remainder). Names: users ``<prefix>-<cell>-<n>``, cells ``<label> <cell>``; the cells
    are numbered on from those a previous call made with the same label."""
    User = get_user_model()
    if not Role.objects.exists():
        load_catalog(Role)
    if not DutyDefinition.objects.exists():
        load_duty_catalog(DutyDefinition, Role)
    team_roles = list(Role.objects.filter(scope="team").order_by("pk"))
    managers = list(Role.objects.filter(is_cell_management=True).order_by("pk"))
    sprint_manager_role = Role.objects.get(slug="sprint-manager")
    definitions = list(DutyDefinition.objects.filter(role=sprint_manager_role)[:3])
    slug = slugify(label)
    first = Cell.objects.filter(slug__startswith=f"{slug}-").count()
    cells_total = max(1, members_total // PER_CELL)
    key = prefix.upper()
    joined = today - timedelta(days=365 * years)
    sprint = _current_sprint(today) if sprint_work else None
    built_cells: list[Cell] = []
    everyone: list[Member] = []
    sprint_manager: Member | None = None
    for n in range(cells_total):
        c = first + n
        per_cell = PER_CELL if n < cells_total - 1 else members_total - PER_CELL * (cells_total - 1)
        cell = Cell.objects.create(
            name=f"{label} {c}", slug=f"{slug}-{c}", **({"created_on": joined} if sprint_work else {})
        )
        built_cells.append(cell)
        users = User.objects.bulk_create(
            [
                User(username=f"{prefix}-{c}-{m}", first_name="Bench", last_name=f"{c}-{m}")
                for m in range(per_cell)
            ]
        )
        members = Member.objects.bulk_create(
            [
                Member(user=u, cell=cell, joined_on=joined, jira_account_id=f"{prefix}-{c}-{i}")
                for i, u in enumerate(users)
            ]
        )
        everyone += members
        MemberTypePeriod.objects.bulk_create(
            [MemberTypePeriod(member=m, member_type="core", since=m.joined_on) for m in members]
            # The last two of each cell became newcomers ten days ago (their worklogs' "bench"
            # descriptions are vague), and one member leaves in five days: the newcomer and
            # leaver checks have rows to read.
            + [
                MemberTypePeriod(member=m, member_type="newcomer", since=today - timedelta(days=10))
                for m in members[-2:]
            ]
        )
        Member.objects.filter(pk=members[0].pk).update(left_on=today + timedelta(days=5))
        WeeklyCommitment.objects.bulk_create(
            [WeeklyCommitment(member=m, hours_per_week=Decimal("40"), since=m.joined_on) for m in members]
        )
        assignments = [
            RoleAssignment(
                member=m,
                role=team_roles[i % len(team_roles)],
                cell=cell,
                since=today - timedelta(days=100 + i),
            )
            for i, m in enumerate(members)
        ]
        # Every management role but the last is held: one "missing role" finding per cell.
        assignments += [
            RoleAssignment(
                member=members[i % len(members)], role=role, cell=cell, since=today - timedelta(days=30)
            )
            for i, role in enumerate(managers[:-1])
        ]
        RoleAssignment.objects.bulk_create(assignments)
        TimeOff.objects.bulk_create(
            [
                TimeOff(
                    member=m, start=today + timedelta(days=i % 10), end=today + timedelta(days=i % 10 + 1)
                )
                for i, m in enumerate(members)
            ]
        )
        Account.objects.bulk_create(
            [
                Account(
                    key=f"{key}-{c}-BILL",
                    name=f"{label} {c} billable",
                    category="client",
                    billable=True,
                    cell=cell,
                ),
                Account(
                    key=f"{key}-{c}-INT", name=f"{label} {c} internal", category="internal_cell", cell=cell
                ),
            ]
        )
        holder = next(a.member for a in assignments if a.role_id == sprint_manager_role.pk)
        DutyInstance.objects.bulk_create(
            [
                DutyInstance(
                    definition=d,
                    period=f"{prefix}-{c}-{k}",
                    subject_key=f"cell:{cell.pk}",
                    cell=cell,
                    assignee=holder,
                    opens_on=today - timedelta(days=20),
                    due_on=today - timedelta(days=2 + k),
                )
                for k, d in enumerate(definitions)
            ]
        )
        if sprint is not None:
            _sprint_work(cell, members, key=f"{key}{c}", sprint=sprint)
        sprint_manager = sprint_manager or holder
    assert sprint_manager is not None
    worklogs = _worklogs(
        everyone, start=joined, end=today - timedelta(days=1), sprint=sprint, internal_fridays=sprint_work
    )
    print(f"  {members_total} members in {cells_total} cells, {worklogs:,} worklogs over {years} years")
    return Built(cells=built_cells, members=everyone, sprint_manager=sprint_manager, worklogs=worklogs)


def _current_sprint(today: date) -> Sprint:
    s = calendar.sprint_on(today)
    sprint, _ = Sprint.objects.get_or_create(number=s.number, defaults={"start": s.start, "end": s.end})
    return sprint


def _sprint_work(cell: Cell, members: list[Member], *, key: str, sprint: Sprint) -> None:
    """A cell's epics, tickets of the current sprint and rotations of this and the next sprint."""
    n = len(members)
    epics = Epic.objects.bulk_create(
        [
            Epic(
                key=f"{key}-E{i}",
                title=f"Epic {i} of {cell.name}",
                cell=cell,
                owner=m,
                reviewer=members[(i + 1) % n],
                status="in_development",
                budget_hours=Decimal(200),
            )
            for i, m in enumerate(members)
        ]
    )
    statuses = ("In Progress", "Code Review", "To Do", "External Review")
    Ticket.objects.bulk_create(
        [
            Ticket(
                key=f"{key}-{i * len(statuses) + k}",
                jira_id=f"{key}-{i}-{k}",
                summary=f"Ticket {k} of {m.jira_account_id}",
                status=status,
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
            for i, m in enumerate(members)
            for k, status in enumerate(statuses)
        ]
    )
    slots = []
    length = sprint.end - sprint.start + timedelta(days=1)
    for s in range(2):
        start = sprint.start + length * s
        for k, kind in enumerate(("firefighter_1", "firefighter_2")):
            slots.append(
                RotationAssignment(
                    kind=kind,
                    cell=cell,
                    member=members[(2 * s + k + 1) % n],
                    start=start,
                    end=start + length - timedelta(days=1),
                    reserved_hours=Decimal(15),
                )
            )
        for week in range(length.days // 7):
            begins = start + timedelta(days=7 * week)
            for k, kind in enumerate(("discovery_duty", "ops_reviewer")):
                slots.append(
                    RotationAssignment(
                        kind=kind,
                        cell=cell,
                        member=members[(5 + 4 * s + 2 * week + k) % n],
                        start=begins,
                        end=begins + timedelta(days=6),
                        reserved_hours=Decimal(5) if kind == "discovery_duty" else Decimal(0),
                    )
                )
    RotationAssignment.objects.bulk_create(slots)


def _worklogs(
    members: list[Member], *, start: date, end: date, sprint: Sprint | None, internal_fridays: bool
) -> int:
    """One worklog per member and working day from ``start`` to ``end`` on the cell's accounts,
    in one statement (the rollup trigger folds it in one go). In the current sprint a member's
    worklogs are on their ticket in progress, when they have one."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sustainability_worklog (member_id, account_id, account_key, work_date, seconds,
                billable_seconds, description, created_at, updated_at, author_account_id, jira_issue_id,
                ticket_id)
            SELECT m.id, a.id, a.key, d::date, %(seconds)s, CASE WHEN a.billable THEN %(seconds)s ELSE 0 END,
                'bench', d + interval '18 hours', d + interval '18 hours', m.jira_account_id,
                COALESCE(t.jira_id, ''), t.id
            FROM roles_member m
            CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 day') d
            JOIN sustainability_account a ON a.cell_id = m.cell_id AND a.billable = NOT (
                %(internal_fridays)s AND extract(isodow FROM d) = 5)
            LEFT JOIN sprints_ticket t ON t.assignee_id = m.id AND t.sprint_id = %(sprint)s
                AND t.status = 'In Progress' AND d >= %(sprint_start)s
            WHERE m.id = ANY(%(members)s) AND extract(isodow FROM d) < 6
            """,
            {
                "seconds": WORKDAY_SECONDS,
                "start": start,
                "end": end,
                "internal_fridays": internal_fridays,
                "sprint": sprint.pk if sprint else None,
                "sprint_start": sprint.start if sprint else end + timedelta(days=1),
                "members": [m.pk for m in members],
            },
        )
        rows = cursor.rowcount
        cursor.execute("ANALYZE sustainability_worklog")
        cursor.execute("ANALYZE sustainability_worklogmonth")
    return rows


def extend_history(years: int, today: date) -> int:
    """Copies the worklogs back in time until there are ``years`` years of them: each copy is
    shifted by the whole weeks the existing history spans (weekdays stay weekdays), never to
    before the member joined, and linked to no ticket (the tickets of years ago are not in the
    data). Returns the worklogs added."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(work_date) FROM sustainability_worklog")
        (first,) = cursor.fetchone()
        if first is None:
            return 0
        start = today - timedelta(days=365 * years)
        step = 7 * math.ceil(((today - first).days + 1) / 7)
        added = 0
        k = 1
        while first - timedelta(days=step * (k - 1)) > start:
            cursor.execute(
                """
                INSERT INTO sustainability_worklog (tempo_id, member_id, author_account_id, ticket_id,
                    jira_issue_id, account_id, account_key, work_date, start_time, seconds,
                    billable_seconds, description, created_at, updated_at)
                SELECT w.tempo_id + %(k)s * 1000000000000, w.member_id, w.author_account_id, NULL, '',
                    w.account_id, w.account_key, w.work_date - %(days)s, w.start_time, w.seconds,
                    w.billable_seconds, w.description, w.created_at - %(days)s * interval '1 day',
                    w.updated_at - %(days)s * interval '1 day'
                FROM sustainability_worklog w LEFT JOIN roles_member m ON m.id = w.member_id
                WHERE w.work_date >= %(first)s
                    AND w.work_date - %(days)s >= GREATEST(%(start)s, COALESCE(m.joined_on, %(start)s))
                """,
                {"k": k, "days": step * k, "first": first, "start": start},
            )
            added += cursor.rowcount
            k += 1
        cursor.execute("ANALYZE sustainability_worklog")
        cursor.execute("ANALYZE sustainability_worklogmonth")
    return added


def rollup_check() -> tuple[int, int]:
    """(worklogs, rollup rows) once the rollup's totals equal the worklog table's; stops the
    benchmark otherwise: the pages would read figures production never shows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(seconds), 0) FROM sustainability_worklog")
        worklogs, seconds = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(worklogs), 0), COALESCE(SUM(seconds), 0)"
            " FROM sustainability_worklogmonth"
        )
        rows, folded, folded_seconds = cursor.fetchone()
    if (folded, folded_seconds) != (worklogs, seconds):
        raise SystemExit(
            f"The monthly rollup holds {folded:,} worklogs ({folded_seconds:,} s), the worklog table"
            f" {worklogs:,} ({seconds:,} s): are the triggers of sustainability migration 0005 there?"
        )
    return worklogs, rows
