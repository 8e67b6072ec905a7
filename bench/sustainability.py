"""Benchmark of the sustainability dashboard over ~1.2 million worklogs.

Generates 100 members x 5 years of worklogs in PostgreSQL (COPY, with a
progress bar; skipped when the data is already there), then prints, for the
company-wide dashboard over a quarter and over the whole reference period
(and, last, the home page's figure: one cell over its entire reference period):

- the page's median render time (full Django stack) and its query count;
- bare GROUP BY: the median time of one bare SQL GROUP BY over the raw worklog
  rows of the period (the aggregate the issue names: "the bare SQL GROUP BY over
  the same rows"), with the ratio page / bare GROUP BY. The issue's target is
  measured against this figure;
- bare page SQL: the median time of the SQL the page actually runs (its own
  queries, captured and replayed on a cursor, as bench/sprint_board.py does;
  mostly the trigger-maintained monthly rollup), with the ratio page / its SQL:
  the like-for-like cost of the ORM, the maths and the template.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ops_sustain .venv/bin/python bench/sustainability.py

Options: --regenerate (drop the bench data and load it again), --runs N,
--members N and --years N (the size; 100 and 5 by default, about 1.2 million
rows; a smaller size only makes sense on a database without the full data).
Targets (issue 7): the page under 250 ms for the whole reference period and
at most 2x the bare GROUP BY. It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup

setup("ops_sustain")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from tqdm import tqdm  # noqa: E402

from roles.models import Cell, Member  # noqa: E402
from sustainability.models import Account, SustainabilityTarget, Worklog  # noqa: E402

MEMBERS = 100
YEARS = 5
PREFIX = "bench-"
END = date(2026, 9, 30)  # the last day of data: the end of Q3 2026
ROWS_PER_MEMBER_YEAR = 1_200_000 // (MEMBERS * YEARS)  # 100 members x 5 years: about 1.2 million rows
COPY_CHUNK = 100_000


@dataclass(frozen=True)
class Size:
    members: int = MEMBERS
    years: int = YEARS

    @property
    def start(self) -> date:
        return date(END.year - self.years, END.month, END.day) + timedelta(days=1)

    @property
    def target_rows(self) -> int:
        return ROWS_PER_MEMBER_YEAR * self.members * self.years


def ensure_org(size: Size) -> tuple[list[Member], list[Account]]:
    cells = []
    for name in ("Bench Alpha", "Bench Beta", "Bench Gamma"):
        cell, _ = Cell.objects.get_or_create(slug=PREFIX + name.split()[1].lower(), defaults={"name": name})
        cells.append(cell)
    user_model = get_user_model()
    members = []
    for i in range(size.members):
        user, _ = user_model.objects.get_or_create(username=f"{PREFIX}{i:03d}")
        member, _ = Member.objects.get_or_create(
            user=user,
            defaults={"cell": cells[i % 3], "joined_on": size.start, "jira_account_id": f"{PREFIX}{i:03d}"},
        )
        members.append(member)
    accounts = []
    for c, cell in enumerate(cells):
        for n in range(8):
            accounts.append(
                Account.objects.get_or_create(
                    key=f"{PREFIX}CLIENT-{c}-{n}",
                    defaults={
                        "name": f"Client {c}-{n}",
                        "category": "client",
                        "billable": n < 7,
                        "cell": cell,
                    },
                )[0]
            )
        for n in range(4):
            accounts.append(
                Account.objects.get_or_create(
                    key=f"{PREFIX}INT-{c}-{n}",
                    defaults={
                        "name": f"Internal {c}-{n}",
                        "category": "internal_cell",
                        "billable": False,
                        "cell": cell,
                    },
                )[0]
            )
    for n in range(4):
        accounts.append(
            Account.objects.get_or_create(
                key=f"{PREFIX}NONCELL-{n}",
                defaults={"name": f"Non-cell {n}", "category": "internal_non_cell", "billable": False},
            )[0]
        )
    SustainabilityTarget.objects.get_or_create(
        cell=None,
        since=size.start,
        defaults={"max_non_billable_percent": Decimal("40"), "reference_start": size.start},
    )
    return members, accounts


def bench_rows() -> int:
    return Worklog.objects.filter(member__user__username__startswith=PREFIX).count()


def generate(members: list[Member], accounts: list[Account], size: Size) -> None:
    rng = random.Random(7)
    by_cell: dict[int | None, list[Account]] = {}
    for account in accounts:
        by_cell.setdefault(account.cell_id, []).append(account)
    non_cell = by_cell[None]
    days = [size.start + timedelta(days=i) for i in range((END - size.start).days + 1)]
    workdays = [d for d in days if d.weekday() < 5]
    per_day = size.target_rows / (len(workdays) * len(members))
    columns = (
        "member_id, account_id, account_key, work_date, seconds, billable_seconds, description, "
        "created_at, updated_at, author_account_id, jira_issue_id"
    )
    total = int(per_day * len(workdays) * len(members))
    buffer = io.StringIO()
    pending = 0
    with tqdm(total=total, unit="worklog", desc="COPY worklogs") as bar, connection.cursor() as cursor:

        def flush() -> None:
            nonlocal buffer, pending
            buffer.seek(0)
            cursor.copy_expert(
                f"COPY sustainability_worklog ({columns}) FROM STDIN WITH (FORMAT text)", buffer
            )
            bar.update(pending)
            buffer, pending = io.StringIO(), 0

        for member in members:
            own = by_cell[member.cell_id]
            for day in workdays:
                count = int(per_day) + (1 if rng.random() < per_day - int(per_day) else 0)
                for _ in range(count):
                    account = rng.choice(non_cell) if rng.random() < 0.05 else rng.choice(own)
                    seconds = rng.choice((900, 1800, 2700, 3600, 5400))
                    billable = seconds if account.billable else 0
                    logged = datetime(day.year, day.month, day.day, 17, tzinfo=UTC) + timedelta(
                        hours=rng.randint(0, 40)
                    )
                    buffer.write(
                        f"{member.pk}\t{account.pk}\t{account.key}\t{day.isoformat()}\t{seconds}\t{billable}\t"
                        f"bench\t{logged.isoformat()}\t{logged.isoformat()}\t{member.jira_account_id}\t\n"
                    )
                    pending += 1
                if pending >= COPY_CHUNK:
                    flush()
        if pending:
            flush()
        cursor.execute("ANALYZE sustainability_worklog")
        cursor.execute("ANALYZE sustainability_worklogmonth")


def median_ms(func, runs: int) -> float:  # type: ignore[no-untyped-def]
    func()  # warm up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


# The bare aggregate over the raw worklog rows of a period (what the issue compares with).
BARE_SQL = """
    SELECT account_id, SUM(seconds), SUM(CASE WHEN billable_seconds > 0 THEN LEAST(billable_seconds, seconds)
                                          ELSE seconds END)
    FROM sustainability_worklog WHERE work_date BETWEEN %s AND %s GROUP BY account_id
"""


def bare(start: date, end: date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, [start, end])
        cursor.fetchall()


def replay(queries: list[str]) -> None:
    """The page's own SQL, as captured, on a bare cursor: no ORM, maths or template."""
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql)
            cursor.fetchall()


@dataclass(frozen=True)
class Result:
    label: str
    page_ms: float
    queries: int
    group_by_ms: float
    page_sql_ms: float


def measure(client: Client, label: str, params: dict[str, str], start: date, end: date, runs: int) -> Result:
    url = "/sustainability/company/"
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    queries = [q["sql"] for q in captured.captured_queries]
    return Result(
        label=label,
        page_ms=median_ms(lambda: client.get(url, params), runs),
        queries=len(queries),
        group_by_ms=median_ms(lambda: bare(start, end), runs),
        page_sql_ms=median_ms(lambda: replay(queries), runs),
    )


def report(results: list[Result]) -> None:
    print()
    print(
        f"{'period':<28} {'page median':>12} {'queries':>8} "
        f"{'bare GROUP BY':>14} {'page/GROUP BY':>14} {'bare page SQL':>14} {'page/its SQL':>13}"
    )
    for r in results:
        print(
            f"{r.label:<28} {r.page_ms:>9.1f} ms {r.queries:>8} {r.group_by_ms:>11.1f} ms "
            f"{r.page_ms / r.group_by_ms:>13.2f}x {r.page_sql_ms:>11.1f} ms {r.page_ms / r.page_sql_ms:>12.2f}x"
        )
    print()
    print(
        "bare GROUP BY: one GROUP BY over the raw worklog rows of the period (the issue's measure).\n"
        "bare page SQL: the page's own queries (rollup, edges, accounts, budgets, session...) replayed on a cursor."
    )
    print("Targets (issue 7): reference-period page < 250 ms and <= 2x the bare GROUP BY over the worklogs.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--members", type=int, default=MEMBERS, help="members logging time (default 100)")
    parser.add_argument(
        "--years", type=int, default=YEARS, help="years of worklogs up to 2026-09-30 (default 5)"
    )
    args = parser.parse_args()
    if args.members < 3 or args.years < 1 or args.runs < 1:
        parser.error("--members is at least 3 (one per cell), --years and --runs at least 1.")
    size = Size(members=args.members, years=args.years)
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL.")
    with transaction.atomic():
        members, accounts = ensure_org(size)
    rows = bench_rows()
    if args.regenerate and rows:
        with tqdm(total=1, desc="Deleting the old bench worklogs") as bar:
            Worklog.objects.filter(member__user__username__startswith=PREFIX).delete()
            bar.update(1)
        rows = 0
    if rows < size.target_rows * 0.9:
        with transaction.atomic():
            generate(members, accounts, size)
        rows = bench_rows()
    all_rows = Worklog.objects.count()
    print(f"Worklogs: {rows:,} from the bench ({all_rows:,} in the table), {size.start} to {END}")

    staff, _ = get_user_model().objects.get_or_create(
        username=f"{PREFIX}staff", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(staff)
    quarter = {"period": "quarter", "quarter": "2026-Q3"}
    reference = {"period": "reference"}  # the company limit's reference start to today
    results = [
        measure(client, "quarter (Q3 2026)", quarter, date(2026, 7, 1), END, args.runs),
        measure(
            client,
            f"reference period ({size.years} year{'s' if size.years != 1 else ''})",
            reference,
            size.start,
            date.today(),
            args.runs,
        ),
    ]
    report(results)
    home_figure(members[0].cell, args.runs)


def home_figure(cell: Cell | None, runs: int) -> None:
    """The home page's sustainability figure: one cell over its entire reference period,
    read by the selector the dashboard uses (``sustainability.dashboard.headline``)."""
    from sustainability.dashboard import headline

    assert cell is not None
    with CaptureQueriesContext(connection) as captured:
        figure = headline(cell=cell, as_of=date.today())
    ms = median_ms(lambda: headline(cell=cell, as_of=date.today()), runs)
    print(
        f"home figure ({cell.name}, {figure.figures.period.label.lower()}, "
        f"{figure.figures.ratio_percent}%): {ms:.1f} ms median, {len(captured.captured_queries)} queries"
    )


if __name__ == "__main__":
    main()
