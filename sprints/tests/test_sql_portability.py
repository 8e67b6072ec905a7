"""The plain-SQL reads of the sprint board give the same figures on PostgreSQL (the tests'
and production's database) and SQLite (the embedded demo's): the same sprint is built on
both and read through the selectors (``sql_probe``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sprints.tests import sql_probe

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_hot_sql_reads_agree_on_postgresql_and_sqlite(settings: Any, tmp_path: Path) -> None:
    settings.TIME_ZONE = sql_probe.TIME_ZONE
    here = sql_probe.figures(sql_probe.build())
    out = tmp_path / "sqlite.json"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}", "DJANGO_DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "sprints.tests.sql_probe", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    there = json.loads(out.read_text())
    for part in here:
        if isinstance(here[part], list):
            for mine, theirs in zip(here[part], there[part], strict=True):
                assert theirs == mine, part
        assert there[part] == here[part], part
    # A few figures worked out by hand, so agreeing on a wrong answer would not pass either:
    # PRB-7 entered 30 minutes after the local-midnight cutoff, PRB-9 exactly at it (accepted
    # by its label); PRB-8 half an hour before it is not an injection.
    assert [(key, accepted) for key, _, _, accepted in here["injections"]] == [
        ("PRB-7", False),
        ("PRB-9", True),
    ]
    # not green, by priority category then key: N3 (category 0), then N2 and N4 (category 1)
    assert [key for key, *_ in here["not_green"]] == ["PRB-N3", "PRB-N2", "PRB-N4"]
    # Ada: PRB-1 (5 h left) and PRB-2 (no remaining estimate: its original 3 h), her review of
    # PRB-2 (2 points: 1 h), PRB-3 (in external review: nothing) and PRB-5 (done: nothing).
    assert sorted(here["member_rows"]) == [
        ["PRB-1", "assignee", "5"],
        ["PRB-2", "assignee", "3"],
        ["PRB-2", "reviewer", "1"],
        ["PRB-3", "reviewer", "0"],
        ["PRB-5", "reviewer", "0"],
    ]
    # Dev joined on the sprint's second day as a newcomer: a newcomer on this sprint's board,
    # with both first weeks' limits (3 + 5 points) in it.
    dev = next(m for m in here["members"] if m[0] == "Dev Probe")
    assert dev[1] == "newcomer"
    dev_row = next(r for r in here["rows"] if r["name"] == "Dev Probe")
    assert (dev_row["member_type"], dev_row["limit"], dev_row["assigned_points"]) == ("newcomer", "8", "8")
