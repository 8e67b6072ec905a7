"""Benchmark of each person's home page ("My work"): median time and SQL query count.

On PostgreSQL, loads the demo organisation (``demo_data``: 24 members, about two years of
worklogs) and copies its worklogs back until there are ``--years`` years of them. Then, for
each size of ``--sizes`` (24, the demo itself, then 250 and 1,000 members by default), grows
the organisation with new cells of 25 (``bench/_org.py``: each member with tickets in the
current sprint, reviews, an owned epic, duties, rotations, time off and a worklog every
working day for ``--years`` years; the monthly rollup filled by its triggers, as in
production), evaluates the findings (as the Celery beat does) and renders the home page
through the full Django stack for each persona:

- developer (tom), newcomer (priya), sprint manager (demo, Bebop), epic planning and
  sustainability manager (ahmed, Serenity), staff (admin, no member record).

The personas and their cells are the demo's and keep their data as the organisation grows,
so each page shows the same things at every size; its query count should not change.

Prints per size and persona the query count and the median time, each figure as one line
``BENCH {"bench": "home", ...}``, and at the end a summary table (persona x size: queries /
median ms) with the load average. The database (``ops_home`` unless DATABASE_URL is set) is
flushed first. Issue 16's target: under 100 ms at 1,000 members.

    .venv/bin/python bench/home.py [--sizes 24,250,1000] [--years 5] [--repeat 15]

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_line, measure, setup

setup("ops_home")

from _org import build_cells, extend_history, rollup_check  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from findings.services import findings_evaluate  # noqa: E402
from findings.signals import discard_pending  # noqa: E402
from roles.models import Member  # noqa: E402

PERSONAS = [
    ("developer", "tom"),
    ("newcomer", "priya"),
    ("sprint manager", "demo"),
    ("epic planning and sustainability manager", "ahmed"),
    ("staff", "admin"),
]
BENCH = "home"


def run(size_label: str, repeat: int, results: dict[tuple[str, int], tuple[int, float]]) -> None:
    # Timed inside a transaction: the notifications of the findings it opens are queued on
    # commit for their own worker in production, so they run (eagerly) after the timing.
    with transaction.atomic():
        started = time.perf_counter()
        findings_evaluate()
        evaluated_s = time.perf_counter() - started
    members = Member.objects.count()
    print(f"\n{members} members ({size_label}); findings evaluated in {evaluated_s:.1f} s")
    print(f"  {'persona':50} {'queries':>7} {'median ms':>10}")
    User = get_user_model()
    for persona, username in PERSONAS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        queries, median = measure(client, "/", repeat)
        results[(persona, members)] = (queries, median)
        print(f"  {persona + ' (' + username + ')':50} {queries:7d} {median:10.1f}")
        bench_line(BENCH, f"home {persona} median", members, round(median, 1), "ms")
        bench_line(BENCH, f"home {persona} queries", members, queries, "queries")


def summary(results: dict[tuple[str, int], tuple[int, float]], sizes: list[int]) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nSummary: queries / median ms (load average {load})")
    print(f"  {'persona':50}" + "".join(f"{f'{size:,} members':>16}" for size in sizes))
    for persona, username in PERSONAS:
        cells = []
        for size in sizes:
            queries, median = results[(persona, size)]
            cells.append(f"{f'{queries} / {median:.1f}':>16}")
        print(f"  {persona + ' (' + username + ')':50}" + "".join(cells))


def main() -> None:
    # The findings' notifications would print every email of the organisation here.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="24,250,1000", help="members, comma separated (24: the demo)")
    parser.add_argument("--years", type=int, default=5, help="years of worklogs per member")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    if args.years < 1 or args.repeat < 1:
        parser.error("--years and --repeat are at least 1.")
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    call_command("demo_data", stdout=io.StringIO())
    print(f"demo data loaded in {time.perf_counter() - started:.1f} s")
    demo = Member.objects.count()
    if sizes[0] < demo:
        parser.error(f"--sizes start at the demo's {demo} members.")
    today = timezone.localdate()
    started = time.perf_counter()
    added = extend_history(args.years, today)
    print(
        f"demo worklogs copied back to {args.years} years: {added:,} added in {time.perf_counter() - started:.1f} s"
    )
    results: dict[tuple[str, int], tuple[int, float]] = {}
    for size in sizes:
        label = "demo data" if size == demo else f"grown to {size:,}"
        missing = size - Member.objects.count()
        if missing > 0:
            print(f"\ngrowing to {size:,} members")
            started = time.perf_counter()
            with transaction.atomic():
                build_cells(
                    missing, years=args.years, today=today, prefix="scale", label="Scale", sprint_work=True
                )
                # Bulk writes: the evaluation in run() covers them, none is queued per cell.
                discard_pending()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum would have done after the load
            print(f"  built in {time.perf_counter() - started:.1f} s")
        worklogs, rows = rollup_check()
        print(f"  {worklogs:,} worklogs, all folded into {rows:,} rows of the monthly rollup")
        run(label, args.repeat, results)
    summary(results, sizes)


if __name__ == "__main__":
    main()
