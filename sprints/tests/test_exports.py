"""CSV downloads of the sprint board's capacity rows and the wrap-up's spillovers: the same
figures as the pages, on the same data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opencraft_ops import calendar
from opencraft_ops.tests.html_tables import csv_rows, table_rows
from sprints.tests.factories import SpilloverFactory, SprintFactory
from sprints.tests.test_board import board_url, build_cell

pytestmark = pytest.mark.django_db


def test_capacity_csv_has_the_boards_rows_and_total(client: Client, core_member: Any, sprint: Any) -> None:
    build_cell(core_member.cell, sprint, members=3, tickets=12)
    client.force_login(core_member.user)
    page = client.get(board_url(core_member.cell, sprint.number))
    body = page.content.decode()
    assert f'href="?sprint={sprint.number}&amp;format=csv"' in body
    shown = table_rows(body, testid="capacity")
    rows = csv_rows(client.get(board_url(core_member.cell, sprint.number) + "&format=csv"))
    assert rows[0][:6] == [
        "member",
        "member type",
        "weekly hours",
        "capacity (h)",
        "committed (h)",
        "remaining (h)",
    ]
    members, total = rows[1:-1], rows[-1]
    assert len(members) == len(page.context["board"].rows) == 4
    for row, cells in zip(members, shown[1:], strict=False):
        assert cells[0].startswith(row[0])  # the name, then the muted details
        assert cells[1:4] == row[3:6]  # capacity, committed, remaining
        assert cells[4].startswith(row[6])  # time off, then the days off
        assert cells[6] == row[17].replace("; ", " ") or row[17] == "fits" == cells[6]
    assert total[0] == "Cell total" and shown[-1][1:5] == total[3:7]
    totals = page.context["board"].totals
    assert Decimal(total[3]) == totals.capacity and Decimal(total[4]) == totals.committed
    assert sum(Decimal(r[3]) for r in members) == totals.capacity


def test_capacity_csv_refusals(client: Client, outsider: Any, core_member: Any, sprint: Any) -> None:
    url = board_url(core_member.cell, sprint.number) + "&format=csv"
    assert client.get(url).status_code == 302
    client.force_login(outsider.user)
    assert client.get(url).status_code == 403
    client.force_login(core_member.user)
    assert (
        client.get(
            reverse("sprints:board", args=[core_member.cell.slug]) + "?sprint=x&format=csv"
        ).status_code
        == 400
    )


def test_spillovers_csv_has_the_wrap_ups_rows(client: Client, sprint_manager: Any, core_member: Any) -> None:
    number = calendar.sprint_on(date.today()).number - 1
    sprint: Any = SprintFactory(number=number)
    SpilloverFactory(sprint=sprint, ticket__cell=core_member.cell, ticket__assignee=core_member)
    SpilloverFactory(
        sprint=sprint,
        ticket__cell=core_member.cell,
        ticket__assignee=core_member,
        explanation="Client waited",
        explained_by=sprint_manager.user,
    )
    client.force_login(sprint_manager.user)
    url = reverse("sprints:wrap_up", args=[core_member.cell.slug]) + f"?sprint={number}"
    page = client.get(url)
    assert f'href="?sprint={number}&amp;format=csv"' in page.content.decode()
    shown = table_rows(page.content.decode(), testid="spillovers")[1:]
    rows = csv_rows(client.get(url + "&format=csv"))
    assert rows[0] == [
        "ticket",
        "summary",
        "assignee",
        "status at the end",
        "explanation",
        "explained by",
        "explained at",
    ]
    assert len(rows) - 1 == len(shown) == 2
    for row, cells in zip(rows[1:], shown, strict=True):
        assert cells[0] == f"{row[0]} {row[1]}" and cells[1] == row[2] and cells[2] == row[3]
        assert (row[4] and cells[3].startswith(row[4])) or (not row[4] and cells[3] == "missing")
    assert [r[4] for r in rows[1:]].count("Client waited") == 1
