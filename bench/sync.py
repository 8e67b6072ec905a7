"""Benchmark of the Tempo worklog sync against the fake Tempo on loopback.

Prints (never asserts):
  * worklogs/s of a full sync of 250,000 worklogs, and of fetching the same pages
    without storing them; the ratio (target: at least 50 % of fetch-only);
  * the time of an incremental sync with nothing new (target: under 1 s);
  * peak Python memory (tracemalloc) of a full sync of 50,000 and of 250,000
    worklogs (target: flat, since pages are streamed).

The fake servers run in a child process, so their memory and CPU are not counted.
Uses the development database (default postgres://postgres@127.0.0.1:5432/ops_sync);
it deletes the worklogs and sync cursors there. Run: .venv/bin/python bench/sync.py [--worklogs N]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup

setup("ops_sync")  # DEBUG off: with DEBUG on Django would keep every query in memory

from opencraft_ops.integrations.tempo import TempoClient  # noqa: E402
from roles.models import Member  # noqa: E402
from roles.tests.factories import CellFactory, MemberFactory  # noqa: E402
from sustainability.models import Worklog  # noqa: E402
from sync.models import SyncCursor, SyncRun  # noqa: E402
from sync.services import worklogs_sync  # noqa: E402

MEMBERS = [f"bench-{i:03d}" for i in range(100)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeTempoProcess:
    def __init__(self, worklogs: int) -> None:
        port = free_port()
        while True:  # Tempo listens on port + 1: make sure that one is free too
            try:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + 1))
                break
            except OSError:
                port = free_port()
        self.url = f"http://127.0.0.1:{port + 1}/4"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "opencraft_ops.integrations.fakes",
                "--port",
                str(port),
                "--worklogs",
                str(worklogs),
                "--members",
                ",".join(MEMBERS),
                "--boards",
                "901:BENCH",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.proc.stdout is not None
        self.proc.stdout.readline()
        self.proc.stdout.readline()

    def client(self) -> TempoClient:
        return TempoClient(base_url=self.url, token="tempo-token", page_limit=1000)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def reset() -> None:
    Worklog.objects.all().delete()
    SyncCursor.objects.filter(name__startswith="tempo.").delete()


def fetch_only(fake: FakeTempoProcess) -> tuple[int, float]:
    client = fake.client()
    started = time.perf_counter()
    count = sum(page.fetched for page in client.worklog_pages())
    return count, time.perf_counter() - started


def full_sync(fake: FakeTempoProcess, *, trace: bool = False) -> tuple[SyncRun, float, int]:
    reset()
    client = fake.client()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    run = worklogs_sync(client=client, full=True, triggered_by="bench")
    elapsed = time.perf_counter() - started
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return run, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worklogs", type=int, default=250_000)
    parser.add_argument("--small", type=int, default=50_000)
    args = parser.parse_args()
    cell = CellFactory(name="Bench", slug="bench", jira_board_id=901, jira_project_key="BENCH")
    known = set(Member.objects.filter(jira_account_id__in=MEMBERS).values_list("jira_account_id", flat=True))
    for account in MEMBERS:
        if account not in known:
            MemberFactory(cell=cell, jira_account_id=account, user__username=account)
    print(f"database: {os.environ['DATABASE_URL']}")

    big = FakeTempoProcess(args.worklogs)
    try:
        fetched, fetch_seconds = fetch_only(big)
        run, sync_seconds, _ = full_sync(big)
        assert run.created == fetched == args.worklogs, (run.created, fetched)
        fetch_rate, sync_rate = fetched / fetch_seconds, run.created / sync_seconds
        print(
            f"fetch only ({fetched} worklogs, pages of 1000): {fetch_rate:,.0f} worklogs/s ({fetch_seconds:.1f} s)"
        )
        print(
            f"full sync  ({run.created} worklogs stored):      {sync_rate:,.0f} worklogs/s ({sync_seconds:.1f} s)"
        )
        print(f"ratio full sync / fetch only: {sync_rate / fetch_rate:.0%} (target >= 50%)")
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            again = worklogs_sync(client=big.client(), triggered_by="bench")
            timings.append(time.perf_counter() - started)
            assert again.created == again.updated == 0
        print(
            f"incremental sync with nothing new: {min(timings) * 1000:.0f} ms best of 3, "
            f"{max(timings) * 1000:.0f} ms worst (target < 1000 ms); fetched {again.fetched} in the overlap"
        )
        _, _, peak_big = full_sync(big, trace=True)
    finally:
        big.stop()
    small = FakeTempoProcess(args.small)
    try:
        _, _, peak_small = full_sync(small, trace=True)
    finally:
        small.stop()
    print(
        f"peak memory of a full sync (tracemalloc): {args.small:,} worklogs {peak_small / 2**20:.1f} MiB, "
        f"{args.worklogs:,} worklogs {peak_big / 2**20:.1f} MiB (target: flat)"
    )
    reset()


if __name__ == "__main__":
    main()
