"""Benchmark of stored findings: the pages that show them, a full evaluation and the
evaluation after one write, as the organisation grows.

For 24, 250 and 1,000 members (cells of 25, each member with a role, a weekly commitment,
time off and five years of worklogs, every cell with overdue duties), prints per size:

- the directory, a sprint manager's home page, cell health and the handbook's rules page:
  median time and query count;
- a full evaluation of every rule for every cell (``findings_evaluate()``);
- the evaluation after one write (a member's time off: the member's cell and the company);
- one cell's evaluation rule by rule (every rule as a ``BENCH`` line, the slowest five printed).

Each figure is also printed as one line ``BENCH {"bench": "findings", "figure": ..., "size":
..., "value": ..., "unit": ...}``. Everything runs in a transaction that is rolled back.

    DATABASE_URL=postgres://... .venv/bin/python bench/findings.py [--sizes 24,250,1000] [--years 5]

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_line, measure, setup

setup("ops_findings")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from duties.catalog import load_duty_catalog  # noqa: E402
from duties.models import DutyDefinition, DutyInstance  # noqa: E402
from findings.services import findings_evaluate  # noqa: E402
from findings.signals import discard_pending  # noqa: E402
from findings.tasks import scopes_for  # noqa: E402
from roles.catalog import load_catalog  # noqa: E402
from roles.models import Cell, Member, MemberTypePeriod, Role, RoleAssignment, TimeOff, WeeklyCommitment  # noqa: E402
from sustainability.models import Account  # noqa: E402

BENCH = "findings"
PER_CELL = 25


class Rollback(Exception):
    pass


def build(members_total: int, years: int, today: date) -> tuple[Member, Member]:
    """Bulk-creates the organisation and its worklogs; returns (sprint manager, a member)."""
    User = get_user_model()
    if not Role.objects.exists():
        load_catalog(Role)
    if not DutyDefinition.objects.exists():
        load_duty_catalog(DutyDefinition, Role)
    team_roles = list(Role.objects.filter(scope="team").order_by("pk"))
    managers = list(Role.objects.filter(is_cell_management=True).order_by("pk"))
    sprint_manager_role = Role.objects.get(slug="sprint-manager")
    definitions = list(DutyDefinition.objects.filter(role=sprint_manager_role)[:3])
    cells_total = max(1, members_total // PER_CELL)
    viewer: Member | None = None
    everyone: list[Member] = []
    for c in range(cells_total):
        per_cell = PER_CELL if c < cells_total - 1 else members_total - PER_CELL * (cells_total - 1)
        cell = Cell.objects.create(name=f"Findings bench {c}", slug=f"findings-bench-{c}")
        users = User.objects.bulk_create(
            [User(username=f"fb-{c}-{m}", first_name="Bench", last_name=f"{c}-{m}") for m in range(per_cell)]
        )
        members = Member.objects.bulk_create(
            [
                Member(
                    user=u,
                    cell=cell,
                    joined_on=today - timedelta(days=365 * years),
                    jira_account_id=f"fb-{c}-{i}",
                )
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
                    key=f"FB-{c}-BILL",
                    name=f"Bench {c} billable",
                    category="client",
                    billable=True,
                    cell=cell,
                ),
                Account(key=f"FB-{c}-INT", name=f"Bench {c} internal", category="internal_cell", cell=cell),
            ]
        )
        holder = next(a.member for a in assignments if a.role_id == sprint_manager_role.pk)
        DutyInstance.objects.bulk_create(
            [
                DutyInstance(
                    definition=d,
                    period=f"bench-{c}-{k}",
                    subject_key=f"cell:{cell.pk}",
                    cell=cell,
                    assignee=holder,
                    opens_on=today - timedelta(days=20),
                    due_on=today - timedelta(days=2 + k),
                )
                for k, d in enumerate(definitions)
            ]
        )
        viewer = viewer or holder
    assert viewer is not None
    start = today - timedelta(days=365 * years)
    with connection.cursor() as cursor:
        # One worklog per member and working day for ``years`` years, on the cell's accounts.
        cursor.execute(
            """
            INSERT INTO sustainability_worklog (member_id, account_id, account_key, work_date, seconds,
                billable_seconds, description, created_at, updated_at, author_account_id, jira_issue_id)
            SELECT m.id, a.id, a.key, d::date, 27000, CASE WHEN a.billable THEN 27000 ELSE 0 END, 'bench',
                d + interval '18 hours', d + interval '18 hours', m.jira_account_id, ''
            FROM roles_member m
            JOIN sustainability_account a ON a.cell_id = m.cell_id AND a.key LIKE 'FB-%%-BILL'
            CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d
            WHERE m.jira_account_id LIKE 'fb-%%' AND extract(isodow FROM d) < 6
            """,
            [start, today - timedelta(days=1)],
        )
        rows = cursor.rowcount
        cursor.execute("ANALYZE sustainability_worklog")
    print(f"  {members_total} members in {cells_total} cells, {rows:,} worklogs over {years} years")
    return viewer, everyone[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="24,250,1000", help="members, comma separated")
    parser.add_argument("--years", type=int, default=5, help="years of worklogs per member")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    today = date.today()
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"== {size} members")
        try:
            with transaction.atomic():
                started = time.perf_counter()
                viewer, someone = build(size, args.years, today)
                print(f"  built in {time.perf_counter() - started:.1f} s")
                discard_pending()  # bulk writes; the evaluation below covers them

                started = time.perf_counter()
                result = findings_evaluate()
                full_s = time.perf_counter() - started
                print(f"  full evaluation: {full_s:.2f} s, {len(result.opened)} findings opened")
                bench_line(BENCH, "full evaluation", size, round(full_s, 3), "s")

                TimeOff.objects.create(
                    member=someone, start=today + timedelta(days=20), end=today + timedelta(days=21)
                )
                discard_pending()
                started = time.perf_counter()
                findings_evaluate(scopes=scopes_for([("member", someone.pk)]))
                one_s = time.perf_counter() - started
                print(f"  evaluation after one write: {one_s * 1000:.0f} ms")
                bench_line(BENCH, "evaluation after one write", size, round(one_s * 1000, 1), "ms")

                # Where the time of one cell's evaluation goes: each rule, slowest first.
                from opencraft_ops.process_checks import CheckContext, rules

                context = CheckContext(as_of=today, cell_ids=frozenset({someone.cell_id}))
                per_rule = []
                for rule in rules():
                    started = time.perf_counter()
                    list(rule.func(context))
                    per_rule.append(((time.perf_counter() - started) * 1000, rule.slug))
                for ms, slug in sorted(per_rule, reverse=True)[:5]:
                    print(f"    rule {slug:<40} {ms:7.0f} ms")
                for ms, slug in sorted(per_rule, key=lambda row: row[1]):
                    bench_line(BENCH, f"one cell: rule {slug}", size, round(ms, 1), "ms")
                total_ms = sum(ms for ms, _ in per_rule)
                print(
                    f"    every rule for one cell, one after the other: {total_ms:.0f} ms ({len(per_rule)} rules)"
                )
                bench_line(BENCH, "one cell: every rule", size, round(total_ms, 1), "ms")

                client = Client()
                client.force_login(viewer.user)
                assert viewer.cell is not None
                for name, url in [
                    ("directory", "/org/directory/"),
                    ("home (sprint manager)", "/"),
                    ("cell health", f"/duties/health/?cell={viewer.cell.slug}"),
                    ("handbook rules", "/handbook/"),
                ]:
                    queries, ms = measure(client, url, args.repeat)
                    print(f"  {name:<24} {queries:>3} queries  median {ms:7.1f} ms")
                    bench_line(BENCH, f"{name} median", size, round(ms, 1), "ms")
                    bench_line(BENCH, f"{name} queries", size, queries, "queries")
                raise Rollback
        except Rollback:
            pass


if __name__ == "__main__":
    main()
