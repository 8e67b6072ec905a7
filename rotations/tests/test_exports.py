"""The rotation schedule's CSV download: the grid's slots and holders, as on the page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from opencraft_ops import calendar
from opencraft_ops.tests.html_tables import csv_rows, table_rows
from rotations.models import RotationKind
from rotations.tests.factories import make_slot
from rotations.tests.test_grid import grid_url

pytestmark = pytest.mark.django_db


def test_schedule_csv_has_the_grids_slots_and_holders(client, crew, current_sprint) -> None:
    cell = crew[0].cell
    make_slot(member=crew[2], sprint_number=current_sprint)
    make_slot(member=crew[3], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    make_slot(member=crew[4], sprint_number=current_sprint + 1)
    client.force_login(crew[1].user)
    page = client.get(grid_url(cell))
    html = page.content.decode()
    assert 'href="?format=csv"' in html
    rows = csv_rows(client.get(grid_url(cell, format="csv")))
    assert rows[0] == ["sprint", "rotation", "start", "end", "member", "reserved hours", "set by hand"]
    held = [r for r in rows[1:] if r[4]]
    holders_on_page = re.findall(r'<span class="holder">([^<]+)</span>', html)
    assert (
        sorted(r[4] for r in held)
        == sorted(holders_on_page)
        == sorted([crew[2].name, crew[3].name, crew[4].name])
    )
    current = calendar.sprint_dates(current_sprint)
    first = next(r for r in held if r[4] == crew[2].name)
    assert first[:4] == [str(current_sprint), "Firefighter 1", str(current.start), str(current.end)]
    # Every sprint of the page is in the CSV, with a line per slot of the shown columns.
    shown = table_rows(html, cls="rotation-grid")[1:]
    page_sprints = [int(re.match(r"Sprint (\d+)", cells[0]).group(1)) for cells in shown]  # type: ignore[union-attr]
    assert sorted({int(r[0]) for r in rows[1:]}) == page_sprints
    kinds = {r[1] for r in rows[1:]}
    assert {"Firefighter 1", "Firefighter 2"} <= kinds
    assert all(date.fromisoformat(r[2]) <= date.fromisoformat(r[3]) for r in rows[1:])


def test_schedule_csv_refusals(client, cell, outsider) -> None:
    assert client.get(grid_url(cell, format="csv")).status_code == 302
    client.force_login(outsider.user)
    assert client.get(grid_url(cell, format="csv")).status_code == 403
