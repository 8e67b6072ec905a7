"""Benchmark of the epics board: one cell with 100 epics, 5,000 tickets and
20,000 worklogs (and a second cell of the same size around it). Prints the
query count and the time of the board page, the planning view, the epics API
and the budget-used aggregate. Asserts nothing about time.

    DATABASE_URL=... .venv/bin/python bench/epics_board.py [--epics 100] [--tickets 5000] [--worklogs 20000]

Everything runs inside a transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup

setup("ops_epics")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from epics import selectors as epic_selectors  # noqa: E402
from epics.models import Epic, EpicBudgetPeriod, EpicMilestone  # noqa: E402
from roles.models import Cell, Member  # noqa: E402
from sprints.models import Ticket  # noqa: E402
from sustainability.models import Worklog  # noqa: E402

STATUSES = ["prospect", "offer", "accepted", "in_development", "delivered", "done"]
KINDS = ["fixed", "monthly", "none"]


class Rollback(Exception):
    pass


def build(prefix: str, epics: int, tickets: int, worklogs: int) -> tuple[Cell, Member]:
    today = timezone.localdate()
    cell = Cell.objects.create(name=f"Bench {prefix}", slug=f"bench-{prefix}")
    user = get_user_model().objects.create(username=f"bench-{prefix}")
    member = Member.objects.create(user=user, cell=cell, joined_on=today - timedelta(days=700))
    epic_rows = Epic.objects.bulk_create(
        Epic(
            key=f"{prefix.upper()}-{i}",
            title=f"Epic {i}",
            cell=cell,
            owner=member,
            reviewer=member,
            status=STATUSES[i % 6],
            budget_kind=KINDS[i % 3],
            budget_hours=Decimal("200") if i % 3 == 0 else None,
        )
        for i in range(epics)
    )
    EpicMilestone.objects.bulk_create(
        EpicMilestone(epic=e, title="Milestone", deadline=today + timedelta(days=d))
        for e in epic_rows
        for d in (-5, 10, 40)
    )
    EpicBudgetPeriod.objects.bulk_create(
        EpicBudgetPeriod(epic=e, hours_per_month=Decimal("40"), since=today.replace(day=1))
        for e in epic_rows
        if e.budget_kind == "monthly"
    )
    ticket_rows = Ticket.objects.bulk_create(
        Ticket(
            key=f"{prefix.upper()}T-{i}",
            summary=f"Ticket {i}",
            cell=cell,
            epic=epic_rows[i % epics],
            remaining_estimate_seconds=3600,
        )
        for i in range(tickets)
    )
    now = datetime.now(UTC)
    Worklog.objects.bulk_create(
        (
            Worklog(
                ticket=ticket_rows[i % tickets],
                work_date=today - timedelta(days=i % 60),
                seconds=1800,
                billable_seconds=1800 if i % 4 else 900,
                created_at=now,
                updated_at=now,
            )
            for i in range(worklogs)
        ),
        batch_size=5000,
    )
    return cell, member


def measure(label: str, fn: object) -> None:
    best = float("inf")
    queries = 0
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            best = min(best, time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    print(f"  {label:<46} {queries:>3} queries   {best * 1000:8.1f} ms (best of 3)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epics", type=int, default=100)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--worklogs", type=int, default=20000)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            cell, member = build("a", args.epics, args.tickets, args.worklogs)
            build("b", args.epics, args.tickets, args.worklogs)  # another cell's data around it
            print(
                f"Built 2 cells x {args.epics} epics, {args.tickets} tickets, {args.worklogs} worklogs "
                f"in {time.perf_counter() - t0:.1f} s"
            )
            client = Client()
            client.force_login(member.user)
            today = timezone.localdate()
            measure(
                "budget-used aggregate (epic_figures, 1 cell)",
                lambda: epic_selectors.epic_figures(as_of=today, cell_id=cell.pk),
            )
            measure("epic rows (selector)", lambda: epic_selectors.epic_rows(as_of=today, cell=cell))
            measure("GET board page", lambda: client.get(f"/epics/cell/{cell.slug}/"))
            measure("GET planning view", lambda: client.get(f"/epics/cell/{cell.slug}/planning/"))
            measure("GET /api/epics/ (page of 50)", lambda: client.get("/api/epics/"))
            measure("GET epic page (50 tickets)", lambda: client.get("/epics/A-3/"))
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
