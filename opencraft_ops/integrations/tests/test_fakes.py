"""The fake servers' data sets and their standalone mode."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

from opencraft_ops.integrations.fakes import BoardSpec, DatasetSpec, MemberSpec, generate
from opencraft_ops.integrations.jira import JiraClient
from opencraft_ops.integrations.tempo import TempoClient
from opencraft_ops.integrations.tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[3]


def test_same_seed_same_data(spec):
    assert generate(spec) == generate(spec)
    other = generate(DatasetSpec(**{**spec.__dict__, "seed": 8}))
    assert other.worklogs != generate(spec).worklogs


def test_exact_worklog_count_and_every_member_logs(spec):
    data = generate(DatasetSpec(**{**spec.__dict__, "worklogs": 5000}))
    assert len(data.worklogs) == 5000
    assert len({w[0] for w in data.worklogs}) == 5000
    authors = Counter(w[2] for w in data.worklogs)
    assert set(authors) == {m.account_id for m in spec.members}
    assert all(w[5] < TODAY for w in data.worklogs)


def test_accounts_epics_and_sprints_per_board(spec):
    data = generate(spec)
    categories = Counter(a["category"][0] for a in data.accounts)
    assert categories == {"CLIENT": 4, "CELL": 2, "NONCELL": 3}
    assert "Community Relations" in {a["name"] for a in data.accounts}
    epics = [i for i in data.issues if i["issuetype"] == "Epic"]
    assert len(epics) == 8 and len({e["status"] for e in epics}) >= 4
    states = Counter((s["originBoardId"], s["state"]) for s in data.sprints)
    assert states[(1, "active")] == 1 and states[(1, "future")] == 1 and states[(1, "closed")] == 4
    current = [
        i for i in data.issues if i["sprint_ids"] and i["status"] not in ("Done", "Deployed & Delivered")
    ]
    assert any(i["story_points"] is None for i in current)
    assert any(i["reviewer"] is None for i in current)


def test_unknown_authors_are_generated_when_asked():
    spec = DatasetSpec(
        members=(MemberSpec("m1", 1),),
        boards=(BoardSpec(1, "BB"),),
        today=TODAY,
        history_days=5,
        unknown_authors=("ghost",),
    )
    assert "ghost" in {w[2] for w in generate(spec).worklogs}


def _free_port() -> int:
    """A port P such that P and P + 1 are both free (the standalone server uses
    P for JIRA and P + 1 for Tempo): both are bound together before release, so
    another process holding P + 1 cannot make the server fail to start."""
    for _ in range(50):
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise RuntimeError("No two consecutive free ports on 127.0.0.1.")


def test_standalone_server():
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "opencraft_ops.integrations.fakes",
            "--port",
            str(port),
            "--worklogs",
            "300",
            "--members",
            "a,b,c",
            "--boards",
            "1:BB",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline() + proc.stdout.readline()
        assert f"http://127.0.0.1:{port + 1}/4" in banner and "300 worklogs" in banner
        tempo = TempoClient(base_url=f"http://127.0.0.1:{port + 1}/4", token="tempo-token")
        assert sum(len(p.worklogs) for p in tempo.worklog_pages(limit=100)) == 300
        jira = JiraClient(server=f"http://127.0.0.1:{port}", user="bot@example.com", token="jira-token")
        assert [b.project_key for b in jira.boards()] == ["BB"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
