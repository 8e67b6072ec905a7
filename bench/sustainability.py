"""Benchmark of the sustainability dashboard over ~1.2 million worklogs.

Generates 100 members x 5 years of worklogs in PostgreSQL (COPY, with a
progress bar; skipped when the data is already there), then prints the
company-wide dashboard's median render time for a quarter and for the whole
reference period, its query count, and the median time of the bare SQL
GROUP BY over the same rows, with the ratio page / bare aggregate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ops_sustain .venv/bin/python bench/sustainability.py

Options: --regenerate (drop the bench data and load it again), --runs N.
Targets (issue 7): the page under 250 ms for the whole reference period and
at most 2x the bare aggregate. It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
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
START = date(END.year - YEARS, END.month, END.day) + timedelta(days=1)
TARGET_ROWS = 1_200_000
COPY_CHUNK = 100_000


def ensure_org() -> tuple[list[Member], list[Account]]:
    cells = []
    for name in ("Bench Alpha", "Bench Beta", "Bench Gamma"):
        cell, _ = Cell.objects.get_or_create(slug=PREFIX + name.split()[1].lower(), defaults={"name": name})
        cells.append(cell)
    user_model = get_user_model()
    members = []
    for i in range(MEMBERS):
        user, _ = user_model.objects.get_or_create(username=f"{PREFIX}{i:03d}")
        member, _ = Member.objects.get_or_create(
            user=user,
            defaults={"cell": cells[i % 3], "joined_on": START, "jira_account_id": f"{PREFIX}{i:03d}"},
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
        cell=None, since=START, defaults={"max_non_billable_percent": Decimal("40"), "reference_start": START}
    )
    return members, accounts


def bench_rows() -> int:
    return Worklog.objects.filter(member__user__username__startswith=PREFIX).count()


def generate(members: list[Member], accounts: list[Account]) -> None:
    rng = random.Random(7)
    by_cell: dict[int | None, list[Account]] = {}
    for account in accounts:
        by_cell.setdefault(account.cell_id, []).append(account)
    non_cell = by_cell[None]
    days = [START + timedelta(days=i) for i in range((END - START).days + 1)]
    workdays = [d for d in days if d.weekday() < 5]
    per_day = TARGET_ROWS / (len(workdays) * len(members))
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


BARE_SQL = """
    SELECT account_id, SUM(seconds), SUM(CASE WHEN billable_seconds > 0 THEN LEAST(billable_seconds, seconds)
                                          ELSE seconds END)
    FROM sustainability_worklog WHERE work_date BETWEEN %s AND %s GROUP BY account_id
"""


def bare(start: date, end: date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, [start, end])
        cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL.")
    with transaction.atomic():
        members, accounts = ensure_org()
    rows = bench_rows()
    if args.regenerate and rows:
        with tqdm(total=1, desc="Deleting the old bench worklogs") as bar:
            Worklog.objects.filter(member__user__username__startswith=PREFIX).delete()
            bar.update(1)
        rows = 0
    if rows < TARGET_ROWS * 0.9:
        with transaction.atomic():
            generate(members, accounts)
        rows = bench_rows()
    all_rows = Worklog.objects.count()
    print(f"Worklogs: {rows:,} from the bench ({all_rows:,} in the table), {START} to {END}")

    staff, _ = get_user_model().objects.get_or_create(
        username=f"{PREFIX}staff", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(staff)
    quarter = {"period": "quarter", "quarter": "2026-Q3"}
    reference = {"period": "reference"}  # the company limit's reference start to today
    results = []
    for label, params, (start, end) in (
        ("quarter (Q3 2026)", quarter, (date(2026, 7, 1), END)),
        ("reference period (5 years)", reference, (START, date.today())),
    ):
        response = client.get("/sustainability/company/", params)
        assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get("/sustainability/company/", params)
        page = median_ms(lambda p=params: client.get("/sustainability/company/", p), args.runs)
        sql = median_ms(lambda s=start, e=end: bare(s, e), args.runs)
        results.append((label, page, len(queries), sql))
    print()
    print(f"{'period':<28} {'page median':>12} {'queries':>8} {'bare GROUP BY':>14} {'page/bare':>10}")
    for label, page, count, sql in results:
        print(f"{label:<28} {page:>9.1f} ms {count:>8} {sql:>11.1f} ms {page / sql:>9.2f}x")
    print()
    print("Targets: reference-period page < 250 ms and <= 2x the bare aggregate.")


if __name__ == "__main__":
    main()
