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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_line, measure, setup

setup("ops_findings")

from _org import build_cells  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from findings.services import findings_evaluate  # noqa: E402
from findings.signals import discard_pending  # noqa: E402
from findings.tasks import scopes_for  # noqa: E402
from roles.models import TimeOff  # noqa: E402

BENCH = "findings"


class Rollback(Exception):
    pass


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
                built = build_cells(size, years=args.years, today=today, prefix="fb", label="Findings bench")
                viewer, someone = built.sprint_manager, built.members[-1]
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
