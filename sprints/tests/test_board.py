"""The cell sprint board, a member's board and injections, through HTTP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opencraft_ops import calendar
from roles.tests.factories import MemberFactory, TimeOffFactory
from rotations.models import RotationAssignment
from sprints.models import Ticket
from sprints.tests.factories import EpicFactory, SprintFactory, TicketFactory, sprint_added_at

pytestmark = pytest.mark.django_db


def board_url(cell: Any, sprint: int | None = None) -> str:
    url = reverse("sprints:board", args=[cell.slug])
    return url if sprint is None else f"{url}?sprint={sprint}"


def build_cell(cell: Any, sprint: Any, members: int, tickets: int) -> list[Any]:
    """``members`` more members and ``tickets`` tickets in ``sprint`` and the next one."""
    people: list[Any] = [MemberFactory(cell=cell) for _ in range(members)]
    nxt = SprintFactory(number=sprint.number + 1)
    epic = EpicFactory(cell=cell, owner=people[0])
    dates = calendar.sprint_dates(sprint.number)
    for i in range(tickets):
        TicketFactory(
            cell=cell,
            sprint=sprint if i % 3 else nxt,
            assignee=people[i % members],
            reviewer=people[(i + 1) % members] if i % 5 else None,
            story_points=None if i % 7 == 0 else Decimal(i % 6),
            epic=epic,
            added_to_sprint_at=sprint_added_at(sprint, 12) if i % 11 == 0 else None,
        )
    # One slot per kind: a cell has one firefighter 1 (and one firefighter 2) per sprint.
    for person, kind in zip(
        people[:3], ["firefighter_1", "firefighter_2", "firefighter_backup"], strict=True
    ):
        TimeOffFactory(member=person, start=dates.start, end=dates.start)
        RotationAssignment.objects.create(
            kind=kind,
            cell=cell,
            member=person,
            start=dates.start,
            end=dates.end,
            reserved_hours=15,
        )
    return people


def test_board_shows_capacity_rows_and_totals(client: Client, core_member: Any, sprint: Any) -> None:
    people = build_cell(core_member.cell, sprint, members=3, tickets=12)
    client.force_login(core_member.user)
    response = client.get(board_url(core_member.cell))
    assert response.status_code == 200
    board = response.context["board"]
    assert {r.row.member_id for r in board.rows} == {core_member.pk, *(p.pk for p in people)}
    assert board.totals.capacity == sum(r.row.capacity for r in board.rows)
    # the next sprint's tickets without a reviewer or estimate are listed with their epic owner
    assert board.not_green and all(not t.is_green for t in board.not_green)
    assert people[0].name in response.content.decode()
    assert "Firefighter 1" in response.content.decode()


def test_board_figures_for_one_member(client: Client, core_member: Any, sprint: Any) -> None:
    """40 h/week: 80 h; one day off: -8; firefighter: -15 -> capacity 57.
    Committed: 5 h remaining + review of a 3-point ticket 2 h + meetings 2 + one epic 2 = 11."""
    dates = calendar.sprint_dates(sprint.number)
    TimeOffFactory(member=core_member, start=dates.start, end=dates.start)
    RotationAssignment.objects.create(
        kind="firefighter_1", member=core_member, start=dates.start, end=dates.end, reserved_hours=15
    )
    other = MemberFactory(cell=core_member.cell)
    TicketFactory(cell=core_member.cell, sprint=sprint, assignee=core_member, reviewer=other)
    TicketFactory(cell=core_member.cell, sprint=sprint, assignee=other, reviewer=core_member, story_points=3)
    TicketFactory(
        cell=core_member.cell, sprint=sprint, assignee=other, reviewer=core_member, status="External Review"
    )
    EpicFactory(cell=core_member.cell, owner=core_member)
    EpicFactory(cell=core_member.cell, owner=core_member, status="done")
    client.force_login(core_member.user)
    response = client.get(board_url(core_member.cell, sprint.number))
    (row,) = [r.row for r in response.context["board"].rows if r.row.member_id == core_member.pk]
    assert (row.capacity, row.committed, row.remaining) == (Decimal(57), Decimal(11), Decimal(46))
    assert row.days_off == (dates.start,)


@pytest.mark.parametrize(("members", "tickets"), [(3, 20), (12, 300)])
def test_board_query_count_is_constant(
    client: Client,
    django_assert_num_queries: Any,
    clock: Any,
    core_member: Any,
    sprint: Any,
    members: int,
    tickets: int,
) -> None:
    clock(sprint.start + timedelta(days=6))  # no completion due: Monday of week 2
    build_cell(core_member.cell, sprint, members=members, tickets=tickets)
    client.force_login(core_member.user)
    # session, user (with the viewer's member), cell, board (members, commitments, time off,
    # rotations, role reservations, assigned and reviewed tickets (one), owned epics, injections,
    # next sprint's non-green tickets), the members' written updates, the completions of the
    # previous and current sprint, viewer's roles for the accept buttons (the data has injections)
    with django_assert_num_queries(15):
        response = client.get(board_url(core_member.cell))
    assert response.status_code == 200
    assert len(response.context["board"].rows) == members + 1
    assert response.context["board"].injections


def test_board_without_injections_skips_the_role_lookup(
    client: Client, django_assert_num_queries: Any, clock: Any, core_member: Any, sprint: Any
) -> None:
    clock(sprint.start + timedelta(days=6))  # no completion due: Monday of week 2
    TicketFactory.create_batch(5, cell=core_member.cell, sprint=sprint, assignee=core_member)
    client.force_login(core_member.user)
    # as above, without the viewer's roles: no Accept button or completion link to show
    with django_assert_num_queries(14):
        response = client.get(board_url(core_member.cell))
    assert response.status_code == 200
    assert not response.context["board"].injections


def test_switch_to_next_sprint(client: Client, core_member: Any, sprint: Any) -> None:
    client.force_login(core_member.user)
    response = client.get(board_url(core_member.cell, sprint.number + 1))
    assert response.status_code == 200
    assert response.context["board"].dates.number == sprint.number + 1
    assert f"Sprint {sprint.number + 1}" in response.content.decode()


@pytest.mark.parametrize("bad", ["abc", "0", "-3", "10000", "1000000000"])
def test_bad_sprint_number_is_a_400(client: Client, core_member: Any, bad: str) -> None:
    client.force_login(core_member.user)
    response = client.get(f"{board_url(core_member.cell)}?sprint={bad}")
    assert response.status_code == 400
    assert "from 1 to 9999" in response.content.decode()
    assert response["Content-Type"].startswith("text/plain")


def test_board_refusals(client: Client, core_member: Any, outsider: Any) -> None:
    url = board_url(core_member.cell)
    assert client.get(url).status_code == 302  # anonymous -> login
    client.force_login(outsider.user)
    assert client.get(url).status_code == 403  # another cell
    client.force_login(core_member.user)
    assert client.post(url).status_code == 405
    assert client.get(board_url(type(core_member.cell)(slug="nope"))).status_code == 404


def test_staff_sees_any_board(client: Client, staff_user: Any, cell: Any) -> None:
    client.force_login(staff_user)
    assert client.get(board_url(cell)).status_code == 200


def test_my_board_redirects_to_own_cell(client: Client, core_member: Any, staff_user: Any) -> None:
    client.force_login(core_member.user)
    response = client.get(reverse("sprints:my_board"))
    assert response.status_code == 302 and response["Location"] == board_url(core_member.cell)
    client.force_login(staff_user)
    response = client.get(reverse("sprints:my_board"))
    assert response.status_code == 200 and core_member.cell.name in response.content.decode()


def test_member_board_lists_own_tickets(
    client: Client, django_assert_num_queries: Any, core_member: Any, sprint: Any
) -> None:
    other = MemberFactory(cell=core_member.cell)
    mine = [TicketFactory(cell=core_member.cell, sprint=sprint, assignee=core_member) for _ in range(4)]
    review: Any = TicketFactory(cell=core_member.cell, sprint=sprint, assignee=other, reviewer=core_member)
    TicketFactory(cell=core_member.cell, sprint=sprint, assignee=other)
    TicketFactory(cell=core_member.cell, sprint=sprint, assignee=core_member, needs_production_access=True)
    client.force_login(core_member.user)
    url = reverse("sprints:member_board", args=[core_member.cell.slug, core_member.pk])
    # session, user (with the viewer's member), cell, member, their written updates, tickets,
    # capacity (7 queries: the member's row among the cell's members, for their type on the
    # sprint's first day)
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    keys = {item.ticket.key for item in response.context["rows"]}
    assert keys >= {t.key for t in mine} | {review.key} and len(keys) == 6
    assert "needs production access" in response.content.decode()


def test_member_board_hours_add_up_to_the_committed_figure(
    client: Client, core_member: Any, sprint: Any
) -> None:
    other = MemberFactory(cell=core_member.cell)
    hour = 3600
    TicketFactory(
        cell=core_member.cell, sprint=sprint, assignee=core_member, remaining_estimate_seconds=5 * hour
    )
    # no remaining estimate: the original one counts
    TicketFactory(
        cell=core_member.cell,
        sprint=sprint,
        assignee=core_member,
        remaining_estimate_seconds=None,
        original_estimate_seconds=3 * hour,
    )
    TicketFactory(cell=core_member.cell, sprint=sprint, assignee=core_member, status="Done")  # 0
    TicketFactory(cell=core_member.cell, sprint=sprint, assignee=core_member, status="Stretch Goals")  # 0
    # reviews: 3 points -> 2 h; in external review -> nothing left to review
    TicketFactory(cell=core_member.cell, sprint=sprint, assignee=other, reviewer=core_member, story_points=3)
    TicketFactory(
        cell=core_member.cell,
        sprint=sprint,
        assignee=other,
        reviewer=core_member,
        story_points=5,
        status="External Review",
    )
    # their own ticket they also review (2 points -> 1 h of review): both rows, as in the sums
    TicketFactory(
        cell=core_member.cell,
        sprint=sprint,
        assignee=core_member,
        reviewer=core_member,
        story_points=2,
        remaining_estimate_seconds=hour,
    )
    client.force_login(core_member.user)
    response = client.get(reverse("sprints:member_board", args=[core_member.cell.slug, core_member.pk]))
    rows, row = response.context["rows"], response.context["row"]
    by_role = {"assignee": Decimal(0), "reviewer": Decimal(0)}
    for item in rows:
        by_role[item.role] += item.hours
    assert by_role == {"assignee": Decimal(9), "reviewer": Decimal(3)}
    assert row.ticket_hours == Decimal(9) and row.review_hours == Decimal(3)
    assert sum((i.hours for i in rows), Decimal(0)) + row.meeting_hours + row.epic_hours == row.committed


def test_reviewing_a_newcomers_ticket_reserves_extra_time(
    client: Client, core_member: Any, sprint: Any
) -> None:
    """The handbook's reviewer of someone new reserves extra time: a newcomer's 3-point ticket
    takes 3 h of review instead of the table's 2 h, on the member board and in the capacity row
    alike; a core member's ticket keeps the table's hours."""
    cell = core_member.cell
    newcomer: Any = MemberFactory(
        cell=cell, member_type="newcomer", joined_on=calendar.sprint_dates(sprint.number).start
    )
    core: Any = MemberFactory(cell=cell)
    TicketFactory(
        cell=cell, sprint=sprint, assignee=newcomer, reviewer=core_member, story_points=3, key="NC-1"
    )
    TicketFactory(cell=cell, sprint=sprint, assignee=core, reviewer=core_member, story_points=3, key="CO-1")
    client.force_login(core_member.user)
    response = client.get(reverse("sprints:member_board", args=[cell.slug, core_member.pk]))
    hours = {item.ticket.key: item.hours for item in response.context["rows"] if item.role == "reviewer"}
    assert hours == {"NC-1": Decimal(3), "CO-1": Decimal(2)}
    assert response.context["row"].review_hours == Decimal(5)
    # A newcomer who joins the core team before the sprint starts is reviewed like one.
    from roles.models import MemberTypePeriod

    MemberTypePeriod.objects.filter(member=newcomer).update(since=sprint.start - timedelta(days=60))
    MemberTypePeriod.objects.create(
        member=newcomer, member_type="core", since=sprint.start - timedelta(days=1)
    )
    response = client.get(reverse("sprints:member_board", args=[cell.slug, core_member.pk]))
    assert response.context["row"].review_hours == Decimal(4)
    assert {i.hours for i in response.context["rows"] if i.role == "reviewer"} == {Decimal(2)}


def test_member_board_refuses_other_cell_and_unknown_member(
    client: Client, core_member: Any, outsider: Any
) -> None:
    client.force_login(outsider.user)
    url = reverse("sprints:member_board", args=[core_member.cell.slug, core_member.pk])
    assert client.get(url).status_code == 403
    client.force_login(core_member.user)
    wrong = reverse("sprints:member_board", args=[core_member.cell.slug, outsider.pk])
    assert client.get(wrong).status_code == 404


def test_injection_is_listed_and_accepted_by_role_holder(
    client: Client, sprint_manager: Any, core_member: Any, sprint: Any
) -> None:
    injected: Any = TicketFactory(
        cell=sprint_manager.cell,
        sprint=sprint,
        assignee=core_member,
        added_to_sprint_at=sprint_added_at(sprint, 12),
    )
    on_time: Any = TicketFactory(
        cell=sprint_manager.cell, sprint=sprint, added_to_sprint_at=sprint_added_at(sprint, 11)
    )
    labelled: Any = TicketFactory(
        cell=sprint_manager.cell,
        sprint=sprint,
        labels=["injection-accepted"],
        added_to_sprint_at=sprint_added_at(sprint, 14),
    )
    client.force_login(core_member.user)
    response = client.get(board_url(sprint_manager.cell, sprint.number))
    assert {t.key for t in response.context["board"].injections} == {injected.key, labelled.key}
    assert on_time.key not in {t.key for t in response.context["board"].injections}
    (row,) = [r for r in response.context["board"].rows if r.row.member_id == core_member.pk]
    assert row.injections == 1
    accept = reverse("sprints:accept_injection", args=[sprint_manager.cell.slug, injected.key])
    assert client.post(accept).status_code == 403  # a plain member cannot accept
    client.logout()
    assert client.post(accept).status_code == 302  # anonymous: to the login page
    assert not Ticket.objects.get(pk=injected.pk).injection_accepted
    client.force_login(sprint_manager.user)
    assert client.get(accept).status_code == 405
    response = client.post(accept)
    assert response.status_code == 302
    assert Ticket.objects.get(pk=injected.pk).injection_accepted
    # a ticket that is not an injection cannot be accepted: error message, nothing changes
    response = client.post(
        reverse("sprints:accept_injection", args=[sprint_manager.cell.slug, on_time.key]), follow=True
    )
    assert "was not added after" in response.content.decode()
    assert not Ticket.objects.get(pk=on_time.pk).injection_accepted


def test_planning_manager_may_accept(client: Client, planning_manager: Any, sprint: Any) -> None:
    injected: Any = TicketFactory(
        cell=planning_manager.cell, sprint=sprint, added_to_sprint_at=sprint_added_at(sprint, 13)
    )
    client.force_login(planning_manager.user)
    client.post(reverse("sprints:accept_injection", args=[planning_manager.cell.slug, injected.key]))
    assert Ticket.objects.get(pk=injected.pk).injection_accepted
