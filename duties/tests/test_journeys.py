"""Journeys through the home page in a real Chromium, one per persona it serves: a developer
planning their day, a newcomer checking their limits, and staff without a member record.
(The sprint manager's completion and the managers' dashboard and epic-update journeys live
with the sprints, sustainability and epics apps.) Each asserts what the pages say."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils.formats import date_format

from conftest import PASSWORD, login
from duties import views
from opencraft_ops import calendar
from opencraft_ops.sprint_dates import wednesday_w2
from roles.tests.factories import MemberFactory
from sprints.tests.factories import EpicFactory, SprintFactory, TicketFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


SPRINT = calendar.sprint_on(date.today())
THURSDAY_W2 = wednesday_w2(SPRINT) + timedelta(days=1)


@pytest.fixture
def pinned(monkeypatch: Any) -> Any:
    """Pins the home page's "today" (the live server runs in this process)."""

    def pin(day: date) -> date:
        monkeypatch.setattr(views, "local_today", lambda member: day)
        return day

    return pin


def _agenda(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid=agenda] li").all_inner_texts()]


def test_developer_plans_the_day_from_home(page: Any, cell: Any, pinned: Any, artifacts_dir: Any) -> None:
    pinned(THURSDAY_W2)
    sprint: Any = SprintFactory(number=SPRINT.number)
    dev = MemberFactory(
        cell=cell,
        user__username="dev",
        user__password=PASSWORD,
        user__first_name="Dana",
        timezone="Europe/Berlin",
    )
    author = MemberFactory(cell=cell, user__first_name="Ari", user__last_name="Author")
    TicketFactory(
        key="BB-1", summary="Fix the login", status="In Progress", cell=cell, sprint=sprint, assignee=dev
    )
    TicketFactory(
        key="BB-2", summary="Ship the theme", status="External Review", cell=cell, sprint=sprint, assignee=dev
    )
    TicketFactory(
        key="BB-3",
        summary="Add SSO",
        status="Code Review",
        cell=cell,
        sprint=sprint,
        assignee=author,
        reviewer=dev,
    )
    EpicFactory(key="EP-1", title="Theming", cell=cell, owner=dev)

    login(page, "dev")
    assert page.locator("h1").inner_text() == "My work"
    today = _agenda(page)
    # Most urgent first: the ticket past the internal review deadline, then the review.
    assert (
        today[0].startswith("Late") and "BB-1 Fix the login: Missed the internal review deadline" in today[0]
    )
    assert any("Review BB-3 Add SSO (assigned to Ari Author)" in line for line in today)
    tickets = page.locator("[data-testid=my-tickets] tbody tr").all_inner_texts()
    assert [row.split()[0] for row in tickets] == ["BB-1", "BB-2"]
    assert "missed" in tickets[0] and "on track" in tickets[1]
    assert "Reviews waiting on me" in page.inner_text("#my-reviews") and "BB-3" in page.inner_text(
        "#my-reviews"
    )
    assert "EP-1 Theming · owner update" in " ".join(page.inner_text("#my-epics").split())
    page.screenshot(path=str(artifacts_dir / "journey-developer-home.png"), full_page=True)

    # One click from "Today" to the ticket's row on their sprint board.
    page.locator("[data-testid=agenda] a", has_text="BB-1 Fix the login").click()
    page.wait_for_load_state()
    assert page.locator("#ticket-BB-1").is_visible()
    assert "In Progress" in page.inner_text("#ticket-BB-1")

    # Record time off from home, and see it there.
    page.goto("/")
    page.get_by_role("link", name="Record time off").click()
    page.wait_for_load_state()
    start = THURSDAY_W2 + timedelta(days=7)
    page.fill("#id_start", start.isoformat())
    page.fill("#id_end", (start + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Record time off").click()
    page.wait_for_load_state()
    assert "Recorded vacation" in page.inner_text("body")
    page.goto("/")
    assert f"Next: vacation from {short(start)}" in " ".join(page.inner_text("#my-time-off").split())


def test_newcomer_sees_limits_and_goals_and_reaches_their_page(
    page: Any, cell: Any, pinned: Any, artifacts_dir: Any
) -> None:
    today = pinned(SPRINT.start + timedelta(days=1))
    sprint: Any = SprintFactory(number=SPRINT.number)
    mentor = MemberFactory(cell=cell, user__first_name="Mia", user__last_name="Mentor")
    from roles.models import Role
    from roles.tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(
        member=mentor, role=Role.objects.get(slug="mentor"), cell=cell, since=today - timedelta(days=90)
    )
    newbie = MemberFactory(
        cell=cell,
        member_type="newcomer",
        joined_on=today - timedelta(days=1),
        user__username="newbie",
        user__password=PASSWORD,
    )
    TicketFactory(
        key="NC-1",
        summary="Big first task",
        status="To Do",
        cell=cell,
        sprint=sprint,
        assignee=newbie,
        story_points=Decimal(13),
    )

    login(page, "newbie")
    card = " ".join(page.inner_text("#newcomer").split())
    assert "My first months" in card and "Mentor: Mia Mentor" in card
    assert f"Sprint {SPRINT.number}: 13 of at most" in card and "over the limit" in card
    assert "A 2-3 point task in the first sprint" in card
    first = _agenda(page)[0]
    assert "over your limit" in first and "ask your mentor" in first
    page.screenshot(path=str(artifacts_dir / "journey-newcomer-home.png"), full_page=True)
    page.locator("[data-testid=agenda] a", has_text="over your limit").click()
    page.wait_for_load_state()
    assert "NC-1" in page.inner_text("body")


def test_staff_without_a_member_record_gets_where_to_start(page: Any, staff_user: Any) -> None:
    login(page, "staff")
    body = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert "not linked to a team member" in body
    start = page.locator("#staff-start")
    assert "Where to start" in start.inner_text()
    start.get_by_role("link", name="JIRA and Tempo sync").click()
    page.wait_for_load_state()
    assert page.url.endswith("/sync/")
    page.goto("/")
    page.locator("#staff-start").get_by_role("link", name="Admin").click()
    page.wait_for_load_state()
    assert "/admin/" in page.url and page.locator("#content").count() == 1
