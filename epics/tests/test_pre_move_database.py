"""A demo database made before epics left ``sprints`` (``fixtures/pre_move_demo.sqlite3.xz``:
``make run``'s SQLite database, migrated and seeded by the code of that time) migrates
forward and shows the same epics, as ``make run`` would on such a database."""

from __future__ import annotations

import json
import lzma
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

FIXTURE = Path(__file__).parent / "fixtures" / "pre_move_demo.sqlite3.xz"

COUNTS = {
    "epics": ("sprints_epic", "epics_epic"),
    "updates": ("sprints_epicupdate", "epics_epicupdate"),
    "milestones": ("sprints_epicmilestone", "epics_epicmilestone"),
    "budget_periods": ("sprints_epicbudgetperiod", "epics_epicbudgetperiod"),
    "status_changes": ("sprints_epicstatuschange", "epics_epicstatuschange"),
    "history": ("sprints_historicalepic", "epics_historicalepic"),
}

# Run inside the migrated demo database: every epic's page as the demo's staff user.
PAGES = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from epics.models import Epic
client = Client()
client.force_login(get_user_model().objects.get(username="admin"))
pages = {}
for epic in Epic.objects.order_by("key"):
    response = client.get(f"/epics/{epic.key}/")
    pages[epic.key] = [response.status_code, epic.key in response.content.decode()]
print("PAGES=" + json.dumps(pages))
"""


def _counts(path: Path, which: int) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {
            name: db.execute(f"SELECT COUNT(*) FROM {tables[which]}").fetchone()[0]
            for name, tables in COUNTS.items()
        }


def _keyed(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return list(db.execute(sql).fetchall())


def test_a_demo_database_from_before_the_move_migrates_and_shows_the_same_epics(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    database.write_bytes(lzma.decompress(FIXTURE.read_bytes()))
    before = _counts(database, 0)
    epics_before = _keyed(database, "SELECT id, key, title, status, owner_id FROM sprints_epic ORDER BY id")
    tickets_before = _keyed(database, "SELECT id, epic_id FROM sprints_ticket ORDER BY id")
    assert before["epics"] > 10 and before["updates"] > 0 and before["milestones"] > 0

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "DJANGO_DEBUG": "1",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input"], env=env, check=True, capture_output=True, timeout=300)

    assert _counts(database, 1) == before
    assert (
        _keyed(database, "SELECT id, key, title, status, owner_id FROM epics_epic ORDER BY id")
        == epics_before
    )
    assert _keyed(database, "SELECT id, epic_id FROM sprints_ticket ORDER BY id") == tickets_before

    shown = subprocess.run(
        [*manage, "shell", "-c", PAGES], env=env, check=True, capture_output=True, text=True, timeout=300
    )
    line = next(line for line in shown.stdout.splitlines() if line.startswith("PAGES="))
    pages = json.loads(line.removeprefix("PAGES="))
    assert sorted(pages) == sorted(str(key) for _, key, *_ in epics_before)
    assert all(page == [200, True] for page in pages.values()), pages
