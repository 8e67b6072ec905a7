"""The home page answers "what do I do today?": the member's tickets against the sprint's
deadlines, the reviews waiting on them, their epics, time off, newcomer limits, and one
"Today" list ordered by urgency whose every item links to where it is acted on."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from duties import views
from duties.agenda import LATE, TODAY, AgendaItem, ordered
from duties.models import DutyDefinition
from duties.tests.factories import DutyInstanceFactory, make_member
from epics.models import EpicUpdate
from opencraft_ops import calendar
from opencraft_ops.sprint_dates import monday_w2, wednesday_w2
from roles.tests.factories import TimeOffFactory
from sprints.calculations.deadlines import AT_RISK, MISSED, ON_TRACK, OVER_ESTIMATE, ticket_standing
from sprints.tests.factories import EpicFactory, SprintFactory, TicketFactory


def short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


SPRINT = calendar.sprint_on(date.today())
THURSDAY_W2 = wednesday_w2(SPRINT) + timedelta(days=1)


@pytest.fixture
def on_day(monkeypatch):
    """Pin the member's "today" (the view reads every date from it)."""

    def pin(day: date) -> date:
        monkeypatch.setattr(views, "local_today", lambda member: day)
        return day

    return pin


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _agenda(response) -> list[AgendaItem]:
    return list(response.context["agenda"])


# --- the deadlines, as pure functions ------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "status", "rank"),
    [
        (SPRINT.start, "In Progress", ON_TRACK),  # week 1: no deadline yet
        (monday_w2(SPRINT), "In Progress", AT_RISK),  # internal review due Wednesday
        (wednesday_w2(SPRINT), "To Do", AT_RISK),
        (THURSDAY_W2, "In Progress", MISSED),  # past the end of Wednesday
        (THURSDAY_W2, "Code Review", ON_TRACK),  # ready for review in time; delivery not yet at risk
        (SPRINT.week_day(2, 4), "Code Review", AT_RISK),  # Friday W2: delivery at risk
        (SPRINT.end, "Code Review", MISSED),  # the last day
        (SPRINT.end, "External Review", ON_TRACK),
        (SPRINT.end, "Done", ON_TRACK),
    ],
)
def test_ticket_standing_follows_the_two_deadlines(day, status, rank):
    standing = ticket_standing(
        status=status, as_of=day, sprint=SPRINT, original_seconds=None, spent_seconds=0
    )
    assert standing.rank == rank
    if rank != ON_TRACK:
        assert standing.text.endswith(".")


def test_ticket_over_its_estimate_is_flagged_with_the_figures():
    standing = ticket_standing(
        status="In Progress", as_of=SPRINT.start, sprint=SPRINT, original_seconds=3600, spent_seconds=5400
    )
    assert (standing.rank, standing.label) == (OVER_ESTIMATE, "over estimate")
    assert "1.50 h spent of 1.00 h estimated" in standing.text


def test_agenda_orders_late_before_today_then_by_date():
    a = AgendaItem(TODAY, date(2026, 1, 3), "review", "r", "/r")
    b = AgendaItem(LATE, date(2026, 1, 5), "duty", "d", "/d")
    c = AgendaItem(LATE, date(2026, 1, 1), "ticket", "t", "/t")
    assert ordered([a], [b, c]) == [c, b, a]


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def developer(cell):
    return make_member(cell=cell, user__username="dev", user__first_name="Dana", timezone="Europe/Berlin")


def test_developer_sees_their_tickets_at_risk_first_with_figures(client, developer, cell, on_day):
    sprint = SprintFactory(number=SPRINT.number)
    on_day(THURSDAY_W2)
    TicketFactory(
        key="BB-1", summary="Done already", status="Code Review", cell=cell, sprint=sprint, assignee=developer
    )
    TicketFactory(
        key="BB-2",
        summary="Late one",
        status="In Progress",
        cell=cell,
        sprint=sprint,
        assignee=developer,
        original_estimate_seconds=4 * 3600,
        time_spent_seconds=3 * 3600,
        remaining_estimate_seconds=2 * 3600,
    )
    TicketFactory(key="BB-3", summary="Someone else's", status="In Progress", cell=cell, sprint=sprint)
    client.force_login(developer.user)
    response = client.get(reverse("home"))
    mine = response.context["my_sprint"]
    assert [t.ticket.key for t in mine.tickets] == ["BB-2", "BB-1"]
    assert [t.standing.label for t in mine.tickets] == ["missed", "on track"]
    body = _text(response.content.decode())
    assert "BB-2 Late one In Progress 4.00 h 3.00 h 2.00 h missed Missed the internal review deadline" in body
    # The deadlines, in the member's zone: delivery one hour before the next sprint (Berlin).
    assert f"Ready for internal review by the end of {short(wednesday_w2(SPRINT))}" in body
    assert (
        f"delivered by {short(SPRINT.end)}, 23:00 (one hour before sprint {SPRINT.number + 1} starts)" in body
    )
    # The late ticket heads "Today", linking to its row on the member's board (no JIRA here).
    first = _agenda(response)[0]
    assert (first.rank, first.kind) == (LATE, "ticket") and first.text.startswith("BB-2 Late one")
    assert first.url == (
        reverse("sprints:member_board", args=[cell.slug, developer.pk])
        + f"?sprint={SPRINT.number}#ticket-BB-2"
    )
    assert client.get(first.url.split("#")[0]).status_code == 200


def test_ticket_links_go_to_jira_when_it_is_configured(client, developer, cell, on_day, settings):
    settings.JIRA_BASE_URL = "https://tasks.example.com/"
    sprint = SprintFactory(number=SPRINT.number)
    on_day(THURSDAY_W2)
    TicketFactory(key="BB-9", status="To Do", cell=cell, sprint=sprint, assignee=developer)
    client.force_login(developer.user)
    (item,) = client.get(reverse("home")).context["my_sprint"].tickets
    assert item.url == "https://tasks.example.com/browse/BB-9"


def test_reviews_waiting_are_the_code_review_tickets_the_member_reviews(client, developer, cell, on_day):
    sprint = SprintFactory(number=SPRINT.number)
    author = make_member(cell=cell, user__first_name="Ari", user__last_name="Author")
    on_day(monday_w2(SPRINT))
    TicketFactory(
        key="BB-5",
        summary="Please review",
        status="Code Review",
        cell=cell,
        sprint=sprint,
        assignee=author,
        reviewer=developer,
    )
    TicketFactory(
        key="BB-6",
        summary="Not ready",
        status="In Progress",
        cell=cell,
        sprint=sprint,
        assignee=author,
        reviewer=developer,
    )
    client.force_login(developer.user)
    response = client.get(reverse("home"))
    assert [r.ticket.key for r in response.context["my_sprint"].reviews] == ["BB-5"]
    review = next(i for i in _agenda(response) if i.kind == "review")
    assert review.rank == TODAY and "Review BB-5 Please review (assigned to Ari Author)" in review.text
    assert "Reviews waiting on me" in response.content.decode()


def test_epics_owned_and_reviewed_with_the_update_due(client, developer, cell, on_day):
    sprint: Any = SprintFactory(number=SPRINT.number)
    on_day(SPRINT.week_day(2, 4))  # Friday W2: Thursday's update deadline has passed
    EpicFactory(key="EP-OWN", title="Owned", cell=cell, owner=developer)
    updated: Any = EpicFactory(key="EP-UPD", title="Updated", cell=cell, owner=developer)
    EpicUpdate.objects.create(epic=updated, sprint=sprint, author=developer, budget_kind="fixed")
    EpicFactory(key="EP-REV", title="Reviewed", cell=cell, reviewer=developer)
    client.force_login(developer.user)
    response = client.get(reverse("home"))
    body = _text(response.content.decode())
    assert "EP-OWN Owned · owner update late Write the update" in body
    assert "EP-UPD Updated · owner updated" in body
    assert "EP-REV Reviewed · reviewer awaiting the owner's update" in body
    item = next(i for i in _agenda(response) if i.kind == "epic update")
    assert item.rank == LATE and item.url == reverse("epics:epic-update-form", args=["EP-OWN"])
    # Owning an epic is not "no role at all".
    assert "your epics are listed above" in body


def test_time_off_next_period_and_a_link_to_record_one(client, developer, on_day):
    today = on_day(SPRINT.start)
    TimeOffFactory(member=developer, start=today + timedelta(days=3), end=today + timedelta(days=5))
    client.force_login(developer.user)
    response = client.get(reverse("home"))
    body = _text(response.content.decode())
    assert f"Next: vacation from {short(today + timedelta(days=3))}" in body
    record = reverse("roles:member", args=[developer.pk]) + "#record-title"
    assert f'href="{record}"' in response.content.decode()
    item = next(i for i in _agenda(response) if i.kind == "time off")
    assert "hand over your tickets" in item.text
    assert client.get(record.split("#")[0]).status_code == 200


def test_newcomer_sees_point_limit_and_trial_goals(client, cell, on_day):
    today = on_day(SPRINT.start + timedelta(days=1))
    sprint = SprintFactory(number=SPRINT.number)
    newcomer = make_member(cell=cell, member_type="newcomer", joined_on=today - timedelta(days=1))
    TicketFactory(
        key="NC-1", status="To Do", cell=cell, sprint=sprint, assignee=newcomer, story_points=Decimal(13)
    )
    client.force_login(newcomer.user)
    response = client.get(reverse("home"))
    body = _text(response.content.decode())
    assert "My first months" in body and "Trial period until" in body
    limit = response.context["newcomer"].limits[0]
    assert limit.over
    assert f"Sprint {SPRINT.number}: 13 of at most {limit.limit:g} points over the limit" in body
    assert "A 2-3 point task in the first sprint" in body
    item = next(i for i in _agenda(response) if i.kind == "newcomer")
    assert item.url == reverse("sprints:newcomer", args=[newcomer.pk])


def test_a_core_member_has_no_newcomer_card(client, developer):
    client.force_login(developer.user)
    response = client.get(reverse("home"))
    assert response.context["newcomer"] is None and "My first months" not in response.content.decode()


def test_today_puts_overdue_duties_first_and_links_each_item(client, sprint_manager, on_day):
    today = on_day(THURSDAY_W2)
    definition = DutyDefinition.objects.filter(role__slug="sprint-manager").first()
    late: Any = DutyInstanceFactory(
        definition=definition,
        cell=sprint_manager.cell,
        assignee=sprint_manager,
        period="L",
        opens_on=today - timedelta(days=9),
        due_on=today - timedelta(days=2),
    )
    DutyInstanceFactory(
        definition=definition,
        cell=sprint_manager.cell,
        assignee=sprint_manager,
        period="U",
        opens_on=today,
        due_on=today + timedelta(days=3),
    )
    client.force_login(sprint_manager.user)
    response = client.get(reverse("home"))
    items = _agenda(response)
    assert items[0].kind == "duty" and items[0].rank == LATE
    assert items[0].url == reverse("duties:detail", args=[late.pk])
    # Upcoming duties stay in the duty list, not in "Today".
    assert sum(1 for i in items if i.kind == "duty") == 1
    for item in items:
        assert client.get(item.url.split("#")[0]).status_code == 200


def test_sprint_manager_is_called_to_complete_the_sprint_on_its_last_days(client, sprint_manager, on_day):
    on_day(SPRINT.end)
    client.force_login(sprint_manager.user)
    item = next(i for i in _agenda(client.get(reverse("home"))) if i.kind == "sprint")
    assert item.rank == TODAY and item.text.startswith(f"Complete sprint {SPRINT.number} for Bebop")
    assert item.url == reverse("sprints:complete", args=["bebop"]) + f"?sprint={SPRINT.number}"
    page = client.get(item.url)
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="plan"' in body and f"Sprint {SPRINT.number}" in body
    # In the first week the previous sprint, never completed, is late; in week 2 before
    # Wednesday nothing is due.
    on_day(SPRINT.start + timedelta(days=3))
    (late,) = [i for i in _agenda(client.get(reverse("home"))) if i.kind == "sprint"]
    assert late.rank == LATE and late.text.startswith(f"Complete sprint {SPRINT.number - 1} for Bebop")
    on_day(monday_w2(SPRINT))
    assert not [i for i in _agenda(client.get(reverse("home"))) if i.kind == "sprint"]
