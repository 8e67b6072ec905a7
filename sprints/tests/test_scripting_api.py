"""Scripting a sprint through the API alone, as another internal tool would: a
staff token, a fresh database, then the same capacity figures as the board."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import PASSWORD
from opencraft_ops import calendar
from roles.auth import token_issue
from sprints.models import Sprint

DAY = date(2027, 3, 10)


@pytest.fixture
def tool(staff_user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(staff_user)[0]}")
    return client


def _ok(response: Any, code: int = 201) -> Any:
    assert response.status_code == code, response.content
    return response.json()


def test_sprints_come_from_the_calendar(tool: APIClient) -> None:
    dates = calendar.sprint_on(DAY)
    created = _ok(tool.post("/api/sprints/", {"date": DAY.isoformat()}, format="json"))
    assert (created["number"], created["start"], created["end"]) == (
        dates.number,
        dates.start.isoformat(),
        dates.end.isoformat(),
    )
    again = _ok(tool.post("/api/sprints/", {"number": dates.number}, format="json"), 200)
    assert again["id"] == created["id"]
    looked_up = _ok(tool.get(f"/api/sprints/on/?date={(DAY + timedelta(days=1)).isoformat()}"), 200)
    assert looked_up["id"] == created["id"]
    next_one = _ok(tool.get(f"/api/sprints/on/?number={dates.number + 1}"), 200)
    assert next_one["start"] == (dates.end + timedelta(days=1)).isoformat()
    assert Sprint.objects.count() == 2
    for bad in ({}, {"number": 1, "date": DAY.isoformat()}, {"number": 0}, {"date": "0001-01-01"}):
        assert tool.post("/api/sprints/", bad, format="json").status_code == 400


def test_admin_sprint_form_refuses_dates_that_disagree_with_the_number(staff_user: Any) -> None:
    client = Client()
    client.login(username="staff", password=PASSWORD)
    dates = calendar.sprint_on(DAY)
    form = {
        "number": dates.number,
        "name": "",
        "start": (dates.start + timedelta(days=14)).isoformat(),
        "end": (dates.end + timedelta(days=14)).isoformat(),
        "board_sprints-TOTAL_FORMS": "0",
        "board_sprints-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/sprints/sprint/add/", form)
    assert response.status_code == 200
    assert f"Sprint {dates.number} runs from {dates.start.isoformat()}" in response.content.decode()
    assert not Sprint.objects.exists()


def test_a_sprint_scripted_through_the_api_shows_the_boards_figures(tool: APIClient, staff_user: Any) -> None:
    cell = _ok(tool.post("/api/cells/", {"name": "Serenity", "slug": "serenity"}, format="json"))
    people = {}
    for username, kind in (("mal", "core"), ("kaylee", "core"), ("river", "newcomer")):
        people[username] = _ok(
            tool.post(
                "/api/members/",
                {
                    "username": username,
                    "cell": cell["id"],
                    "member_type": kind,
                    "weekly_hours": "40",
                    "joined_on": "2026-06-01",
                },
                format="json",
            )
        )["id"]
    sprint = _ok(tool.get(f"/api/sprints/on/?date={DAY.isoformat()}"), 200)
    start = date.fromisoformat(sprint["start"])
    _ok(
        tool.post(
            "/api/commitments/",
            {"member": people["kaylee"], "hours_per_week": "20", "since": "2027-01-01"},
            format="json",
        )
    )
    _ok(
        tool.post(
            "/api/time-off/",
            {
                "member": people["mal"],
                "start": (start + timedelta(days=1)).isoformat(),
                "end": (start + timedelta(days=2)).isoformat(),
            },
            format="json",
        )
    )
    epic = _ok(
        tool.post(
            "/api/epics/",
            {
                "key": "SER-1",
                "title": "Engine",
                "cell": "serenity",
                "owner": people["mal"],
                "budget_kind": "fixed",
                "budget_hours": "100",
            },
            format="json",
        )
    )
    assert epic["owner"] == people["mal"] and epic["cell"] == "serenity"
    _ok(
        tool.post(
            "/api/epic-milestones/",
            {"epic": "SER-1", "title": "Launch", "deadline": "2027-04-01"},
            format="json",
        )
    )
    tickets = [
        ("SER-2", "In Progress", "mal", "kaylee", 7200, "3"),
        ("SER-3", "external review", "kaylee", "mal", 3600, "5"),  # normalised: no review time
        ("SER-4", "To Do", "river", "kaylee", None, None),
    ]
    for key, status, assignee, reviewer, seconds, points in tickets:
        body = {
            "key": key,
            "summary": key,
            "status": status,
            "cell": "serenity",
            "sprint": sprint["number"],
            "epic": "SER-1",
            "assignee": people[assignee],
            "reviewer": people[reviewer],
            "remaining_estimate_seconds": seconds,
            "story_points": points,
        }
        created = _ok(tool.post("/api/tickets/", body, format="json"))
        assert created["sprint"] == sprint["number"]
    assert _ok(tool.get("/api/tickets/SER-3/"), 200)["status"] == "External Review"
    assert (
        tool.post("/api/tickets/", {**body, "key": "SER-9", "status": "Reviewing"}, format="json").status_code
        == 400
    )

    rows = _ok(tool.get(f"/api/capacity/?cell=serenity&sprint={sprint['number']}"), 200)
    totals = _ok(tool.get(f"/api/capacity/totals/?cell=serenity&sprint={sprint['number']}"), 200)
    for row in rows:
        alone = _ok(tool.get(f"/api/capacity/members/{row['member_id']}/?sprint={sprint['number']}"), 200)
        assert alone == row  # same field, same value (member_type included)
    assert {r["member_type"] for r in rows} == {"core", "newcomer"}

    page = Client()
    page.login(username="staff", password=PASSWORD)
    board = page.get(f"/sprints/serenity/board/?sprint={sprint['number']}").context["board"]
    by_member = {r["member_id"]: r for r in rows}
    for board_row in board.rows:
        api_row = by_member[board_row.row.member_id]
        for name in ("capacity", "committed", "remaining", "time_off_hours", "review_hours", "ticket_hours"):
            assert Decimal(api_row[name]) == getattr(board_row.row, name), name
    for name in ("capacity", "committed", "remaining", "time_off_hours"):
        assert Decimal(totals[name]) == getattr(board.totals, name), name
    assert totals["over_committed_members"] == board.totals.over_committed_members
    assert totals["unestimated_tickets"] == board.totals.unestimated_tickets == 1
    # The ticket in (lower-case) external review charges its reviewer no review time.
    mal = by_member[people["mal"]]
    assert Decimal(mal["review_hours"]) == 0
    assert Decimal(by_member[people["kaylee"]]["review_hours"]) > 0
    assert Decimal(by_member[people["mal"]]["time_off_hours"]) == 16


@pytest.mark.parametrize(
    ("status", "charged"), [("External Review", False), ("EXTERNAL REVIEW", False), ("code review", True)]
)
def test_review_time_follows_the_status_whatever_its_case(
    tool: APIClient, core_member: Any, newcomer: Any, status: str, charged: bool
) -> None:
    """A status stored in another case (as an older sync wrote it) counts as the status it names."""
    from sprints.services import sprint_ensure
    from sprints.tests.factories import TicketFactory

    sprint = sprint_ensure(number=calendar.sprint_on(DAY).number)
    TicketFactory(
        cell=core_member.cell, sprint=sprint, assignee=newcomer, reviewer=core_member, status=status
    )
    row = _ok(tool.get(f"/api/capacity/members/{core_member.pk}/?sprint={sprint.number}"), 200)
    assert (Decimal(row["review_hours"]) > 0) is charged
    assigned = _ok(tool.get(f"/api/capacity/members/{newcomer.pk}/?sprint={sprint.number}"), 200)
    assert Decimal(assigned["ticket_hours"]) == 5
