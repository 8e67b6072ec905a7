"""Serve the fake JIRA (on --port) and the fake Tempo (on --port + 1) until interrupted.

    python -m opencraft_ops.integrations.fakes --port 8090 --worklogs 250000 \
        --members acc-1,acc-2 --boards 1:BB,2:FAL

Then: JIRA_BASE_URL=http://127.0.0.1:8090 JIRA_USER=bot@example.com JIRA_API_TOKEN=jira-token
      TEMPO_BASE_URL=http://127.0.0.1:8091/4 TEMPO_API_TOKEN=tempo-token
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from opencraft_ops.integrations.fakes import BoardSpec, DatasetSpec, FakeServers, MemberSpec


def parse_boards(value: str) -> tuple[BoardSpec, ...]:
    boards = []
    for item in filter(None, (v.strip() for v in value.split(","))):
        board_id, _, key = item.partition(":")
        boards.append(BoardSpec(board_id=int(board_id), project_key=key or f"P{board_id}"))
    return tuple(boards)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m opencraft_ops.integrations.fakes",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=8090, help="JIRA port; Tempo listens on port + 1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--members", default="", help="comma-separated JIRA account ids (default: 20 generated)"
    )
    parser.add_argument("--boards", default="1:BB,2:FAL,3:SER", help="board_id:PROJECTKEY,...")
    parser.add_argument("--worklogs", type=int, default=None, help="exact number of worklogs")
    parser.add_argument(
        "--history-days", type=int, default=60, help="working days of worklogs (without --worklogs)"
    )
    parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    boards = parse_boards(args.boards)
    accounts = [m for m in args.members.split(",") if m] or [f"acc-{i:03d}" for i in range(1, 21)]
    members = tuple(
        MemberSpec(account_id=a, board_id=boards[i % len(boards)].board_id if boards else None)
        for i, a in enumerate(accounts)
    )
    spec = DatasetSpec(
        members=members,
        boards=boards,
        today=date.fromisoformat(args.today) if args.today else date.today(),
        seed=args.seed,
        history_days=args.history_days,
        worklogs=args.worklogs,
    )
    fakes = FakeServers.start(spec, jira_port=args.port, tempo_port=args.port + 1)
    print(
        f"fake JIRA  {fakes.jira.url}  (user {fakes.jira.app.user}, token {fakes.jira.app.token}), "
        f"{len(fakes.dataset.issues)} issues\n"
        f"fake Tempo {fakes.tempo.url}  (token {fakes.tempo.app.token}), {len(fakes.dataset.worklogs)} worklogs",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fakes.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
