"""The session page and its forms, through HTTP: opening, voting hidden until reveal, late
tickets, closing with each rule and the JIRA writes, and the refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from estimation import services, tasks
from estimation.models import EstimationItem, EstimationSession, ItemSource, SessionState, Vote, WriteState
from estimation.tests.factories import TicketFactory, keeper_of, unestimated
from opencraft_ops import calendar
from roles.tests.factories import MemberFactory
from sprints.models import Ticket

pytestmark = pytest.mark.django_db


def _client(member: Any) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _page(session: Any) -> str:
    return reverse("estimation:session", args=[session.pk])


def _vote(client: Client, session: Any, key: str, value: str, comment: str = "") -> Any:
    item = EstimationItem.objects.get(session=session, ticket__key=key)
    return client.post(
        reverse("estimation:vote", args=[session.pk]), {"item": item.pk, "value": value, "comment": comment}
    )


def _close(client: Client, session: Any, rule: str, commits: Any) -> Any:
    """POSTs the close form, running the JIRA writes queued on commit (as the worker would)."""
    with commits(execute=True):
        return client.post(reverse("estimation:close", args=[session.pk]), {"rule": rule})


# --- opening -----------------------------------------------------------------------------------
def test_the_beat_opens_the_next_sprints_session_once(cell: Any, core_member: Any, other_cell: Any) -> None:
    today = timezone.localdate()
    current = calendar.sprint_on(today)
    from estimation.tests.factories import SprintFactory

    nxt: Any = SprintFactory(number=current.number + 1)
    unestimated(cell, nxt, "SE-10")
    TicketFactory(key="SE-11", cell=cell, sprint=nxt)  # already estimated: not in the session
    unestimated(other_cell, nxt, "FA-1")

    first = services.sessions_tick(as_of=current.start)
    again = services.sessions_tick(as_of=current.start + timedelta(days=1))

    assert first.opened == 2 and again.opened == 0
    session = EstimationSession.objects.get(cell=cell, sprint=nxt)
    assert session.state == SessionState.OPEN
    assert session.closes_on == current.week_day(2, 4)  # Friday of W2 by default
    assert [i.ticket.key for i in session.items.all()] == ["SE-10"]
    response = _client(core_member).get(_page(session))
    assert response.status_code == 200
    assert "SE-10" in response.content.decode() and "SE-11" not in response.content.decode()


def test_the_cells_own_closing_day(cell: Any) -> None:
    from estimation.models import CellEstimationSettings

    CellEstimationSettings.objects.create(cell=cell, close_week=3, close_weekday=0, rule="median")
    current = calendar.sprint_on(timezone.localdate())
    services.sessions_tick(as_of=current.start)
    session = EstimationSession.objects.get(cell=cell)
    assert (session.closes_on, session.rule) == (current.end, "median")


def test_the_beat_task_runs_and_closes_sessions_past_their_day(
    session: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.JIRA_BASE_URL = ""
    EstimationSession.objects.filter(pk=session.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.sessions_tick.delay().get()
    assert result["closed"] == 1
    assert EstimationSession.objects.get(pk=session.pk).state != SessionState.OPEN


def test_unestimated_tickets_added_to_the_sprint_later_join_by_themselves(
    session: Any, cell: Any, sprint: Any
) -> None:
    unestimated(cell, sprint, "SE-3")  # e.g. created by the JIRA sync after opening
    services.sessions_tick(as_of=calendar.sprint_on(timezone.localdate()).start)
    item = EstimationItem.objects.get(session=session, ticket__key="SE-3")
    assert item.source == ItemSource.SYNC
    # Reopening is idempotent: nothing is added twice.
    services.session_open(cell=cell, sprint_number=sprint.number)
    assert session.items.count() == 3


# --- access ------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_login(client: Client, session: Any) -> None:
    response = client.get(_page(session))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(reverse("estimation:vote", args=[session.pk]), {}).status_code == 302


def test_a_member_of_another_cell_is_refused(session: Any, outsider: Any) -> None:
    client = _client(outsider)
    assert client.get(_page(session)).status_code == 403
    item = session.items.first()
    response = client.post(reverse("estimation:vote", args=[session.pk]), {"item": item.pk, "value": "3"})
    assert response.status_code == 403
    assert client.post(reverse("estimation:close", args=[session.pk]), {"rule": "median"}).status_code == 403
    assert not Vote.objects.exists()


def test_wrong_method_and_unknown_session(session: Any, core_member: Any) -> None:
    client = _client(core_member)
    assert client.get(reverse("estimation:vote", args=[session.pk])).status_code == 405
    assert client.get(reverse("estimation:session", args=[session.pk + 999])).status_code == 404


def test_the_index_lists_the_cells_sessions(session: Any, core_member: Any, outsider: Any) -> None:
    assert (
        f"Sprint {session.sprint.number}"
        in _client(core_member).get(reverse("estimation:index")).content.decode()
    )
    assert "Bebop" not in _client(outsider).get(reverse("estimation:index")).content.decode()


# --- voting --------------------------------------------------------------------------------------
def test_votes_stay_hidden_until_everyone_voted_or_a_keeper_reveals(
    session: Any, core_member: Any, keeper: Any, cell: Any
) -> None:
    third = MemberFactory(cell=cell, user__username="third", user__first_name="Thea", user__last_name="Third")
    core = _client(core_member)
    assert _vote(core, session, "SE-1", "3", "Needs a migration").status_code == 302
    assert _vote(_client(keeper), session, "SE-1", "13").status_code == 302

    page = core.get(_page(session)).content.decode()
    assert "2 of 3 voted" in page
    assert "Needs a migration" in page  # one's own vote and comment
    assert (
        keeper.name not in page.split('id="t-SE-1"')[1].split("</article>")[0]
    )  # the keeper's vote is hidden

    # A keeper reveals: everyone sees the votes, the spread and the flag.
    assert (
        _client(keeper)
        .post(
            reverse("estimation:reveal", args=[session.pk]),
            {"item": session.items.get(ticket__key="SE-1").pk},
        )
        .status_code
        == 302
    )
    card = _client(third).get(_page(session)).content.decode().split('id="t-SE-1"')[1].split("</article>")[0]
    assert "3–13" in card and "discuss: large spread" in card and "Needs a migration" in card
    # SE-2 is still hidden.
    assert "Votes stay hidden" in _client(third).get(_page(session)).content.decode().split('id="t-SE-2"')[1]


def test_votes_show_once_everyone_has_voted(session: Any, core_member: Any, keeper: Any) -> None:
    _vote(_client(core_member), session, "SE-2", "2")
    _vote(_client(keeper), session, "SE-2", "3")
    card = (
        _client(core_member)
        .get(_page(session))
        .content.decode()
        .split('id="t-SE-2"')[1]
        .split("</article>")[0]
    )
    assert "2 of 2 voted" in card and "2–3" in card and "discuss" not in card


def test_a_vote_can_be_changed_and_bad_votes_are_refused(session: Any, core_member: Any) -> None:
    client = _client(core_member)
    _vote(client, session, "SE-1", "3")
    _vote(client, session, "SE-1", "too-big", "Split it")
    vote = Vote.objects.get()
    assert (vote.value, vote.comment) == ("too-big", "Split it")
    assert _vote(client, session, "SE-1", "4").status_code == 400
    item = session.items.get(ticket__key="SE-1")
    response = client.post(reverse("estimation:vote", args=[session.pk]), {"item": "x", "value": "3"})
    assert response.status_code == 400
    response = client.post(
        reverse("estimation:vote", args=[session.pk]), {"item": item.pk + 999, "value": "3"}
    )
    assert response.status_code == 400 and b"not in this session" in response.content
    assert Vote.objects.get().value == "too-big"


def test_a_member_who_is_not_a_keeper_cannot_reveal_add_decide_or_close(
    session: Any, core_member: Any
) -> None:
    client = _client(core_member)
    item = session.items.first()
    assert client.post(reverse("estimation:reveal", args=[session.pk]), {}).status_code == 403
    assert (
        client.post(
            reverse("estimation:decide", args=[session.pk]), {"item": item.pk, "points": "3"}
        ).status_code
        == 403
    )
    assert client.post(reverse("estimation:close", args=[session.pk]), {"rule": "median"}).status_code == 403
    assert client.post(reverse("estimation:add", args=[session.pk]), {"key": "SE-1"}).status_code == 403
    assert EstimationSession.objects.get(pk=session.pk).state == SessionState.OPEN


# --- late tickets --------------------------------------------------------------------------------
def test_an_epic_owner_adds_a_ticket_late(session: Any, cell: Any, sprint: Any, core_member: Any) -> None:
    owner: Any = MemberFactory(cell=cell, user__username="owner")
    epic = owner.owned_epics.create(key="EP-1", title="Checkout", cell=cell, status="in_development")
    TicketFactory(
        key="SE-7", cell=cell, sprint=sprint, epic=epic, story_points=None, labels=["newcomer-friendly"]
    )
    # Not yet in the session (created after opening, no refresh yet); the owner adds it.
    EstimationItem.objects.filter(ticket__key="SE-7").delete()
    client = _client(owner)
    page = client.get(_page(session)).content.decode()
    assert "Add a ticket" in page
    response = client.post(reverse("estimation:add", args=[session.pk]), {"key": " se-7 "})
    assert response.status_code == 302
    item = EstimationItem.objects.get(session=session, ticket__key="SE-7")
    assert (item.source, item.added_by) == (ItemSource.ADDED, owner)
    assert "added late" in _client(core_member).get(_page(session)).content.decode()
    # Twice, unknown, or of another cell: a clear 400.
    assert client.post(reverse("estimation:add", args=[session.pk]), {"key": "SE-7"}).status_code == 400
    assert client.post(reverse("estimation:add", args=[session.pk]), {"key": "NOPE-1"}).status_code == 400
    TicketFactory(key="FA-9", sprint=sprint, story_points=None)
    response = client.post(reverse("estimation:add", args=[session.pk]), {"key": "FA-9"})
    assert response.status_code == 400 and b"not a ticket of Bebop" in response.content


def test_newcomers_see_the_newcomer_friendly_tickets(
    session: Any, cell: Any, sprint: Any, newcomer: Any
) -> None:
    t = unestimated(cell, sprint, "SE-8", labels=["newcomer-friendly"])
    services.item_add(session=session, ticket=t, by=None)
    page = _client(newcomer).get(_page(session)).content.decode()
    assert 'data-testid="newcomer-hint"' in page and "1 ticket(s) here are newcomer-friendly" in page
    assert page.split('id="t-SE-8"')[1].split("</article>")[0].count("newcomer-friendly") == 1


# --- closing -------------------------------------------------------------------------------------
@pytest.fixture
def jira_issues(fake_jira: Any) -> Any:
    """The fake JIRA with SE-1 .. SE-3, unestimated (the portal's tickets mirror them)."""
    for n in range(1, 4):
        fake_jira.app.add_issue(project="SE", summary=f"Ticket {n}")
    return fake_jira


def _votes(session: Any, cell: Any, table: dict[str, list[str]]) -> None:
    members = list(MemberFactory.create_batch(3, cell=cell))
    for key, values in table.items():
        item = EstimationItem.objects.select_related("session").get(session=session, ticket__key=key)
        for member, value in zip(members, values, strict=False):
            services.vote_cast(item=item, member=member, value=value)


@pytest.mark.parametrize(
    ("rule", "decisions", "expected"),
    [
        ("median", {"SE-2": "3"}, {"SE-1": "3", "SE-2": "5"}),
        ("median-or-keeper", {"SE-2": "3"}, {"SE-1": "3", "SE-2": "3"}),
        ("median-or-keeper", {}, {"SE-1": "3", "SE-2": None}),
        ("keeper", {"SE-1": "8"}, {"SE-1": "8", "SE-2": "5"}),
    ],
)
def test_closing_with_each_rule_writes_the_points_to_the_tickets_and_jira(
    django_capture_on_commit_callbacks: Any,
    session: Any,
    cell: Any,
    keeper: Any,
    jira_issues: Any,
    rule: str,
    decisions: dict[str, str],
    expected: dict[str, str | None],
) -> None:
    _votes(session, cell, {"SE-1": ["2", "3", "3"], "SE-2": ["2", "5", "8"]})
    client = _client(keeper)
    for key, points in decisions.items():
        item = session.items.get(ticket__key=key)
        assert (
            client.post(
                reverse("estimation:decide", args=[session.pk]), {"item": item.pk, "points": points}
            ).status_code
            == 302
        )

    response = _close(client, session, rule, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    closed = EstimationSession.objects.get(pk=session.pk)
    assert (closed.state, closed.rule, closed.closed_by) == (SessionState.CLOSED, rule, keeper.user)
    for key, expected_points in expected.items():
        ticket = Ticket.objects.get(key=key)
        item = EstimationItem.objects.get(session=session, ticket=ticket)
        remote = jira_issues.app.issue(key)["story_points"]
        if expected_points is None:
            assert ticket.story_points is None and remote is None and item.write_state == WriteState.NONE
        else:
            assert ticket.story_points == Decimal(expected_points) and Decimal(str(remote)) == Decimal(
                expected_points
            )
            assert item.write_state == WriteState.WRITTEN
        assert len(item.votes_record) == 3 and item.outcome
    assert len(jira_issues.app.edits) == sum(1 for p in expected.values() if p is not None)
    page = client.get(_page(session)).content.decode()
    assert "Written to JIRA" in page and "Save estimate" not in page
    # Closed: votes, decisions and a second close are refused with a clear 400.
    assert _vote(client, session, "SE-1", "5").status_code == 400
    assert _close(client, session, rule, django_capture_on_commit_callbacks).status_code == 400


def test_points_reach_jira_once_when_the_answer_is_lost_and_the_close_is_retried(
    django_capture_on_commit_callbacks: Any,
    session: Any,
    cell: Any,
    keeper: Any,
    jira_issues: Any,
    monkeypatch: Any,
) -> None:
    _votes(session, cell, {"SE-1": ["3", "3", "5"], "SE-2": ["1", "2", "2"]})
    jira_issues.app.lose_answer("edit_issue", times=1)  # JIRA sets SE-1's points; the answer is a 504
    # The worker gives up after the failure (no inline retry), as when it dies before retrying.
    monkeypatch.setattr(tasks, "MAX_RETRIES", 0)
    client = _client(keeper)

    _close(client, session, "median", django_capture_on_commit_callbacks)

    closing = EstimationSession.objects.get(pk=session.pk)
    first = EstimationItem.objects.get(session=session, ticket__key="SE-1")
    assert closing.state == SessionState.CLOSING and "504" in closing.last_error
    assert first.write_state == WriteState.SENDING and jira_issues.app.issue("SE-1")["story_points"] == 3
    assert "Retry writing to JIRA" in client.get(_page(session)).content.decode()

    # The keeper retries the close: SE-1 is read back (already there, not written again), SE-2 is written.
    response = _close(client, session, "median", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert [key for key, _ in jira_issues.app.edits] == ["SE-1", "SE-2"]
    assert EstimationSession.objects.get(pk=session.pk).state == SessionState.CLOSED
    assert set(EstimationItem.objects.filter(session=session).values_list("write_state", flat=True)) == {
        WriteState.WRITTEN
    }
    # A further retry (the beat's, say) writes nothing.
    services.session_write_points(session_id=session.pk)
    assert len(jira_issues.app.edits) == 2


def test_a_lost_answer_is_confirmed_by_the_inline_retry(
    django_capture_on_commit_callbacks: Any, session: Any, cell: Any, keeper: Any, jira_issues: Any
) -> None:
    _votes(session, cell, {"SE-1": ["3"], "SE-2": ["2"]})
    jira_issues.app.lose_answer("edit_issue", times=2)
    _close(_client(keeper), session, "median", django_capture_on_commit_callbacks)
    assert [key for key, _ in jira_issues.app.edits] == ["SE-1", "SE-2"]
    assert EstimationSession.objects.get(pk=session.pk).state == SessionState.CLOSED


def test_a_ticket_estimated_elsewhere_meanwhile_is_left_alone(
    django_capture_on_commit_callbacks: Any, session: Any, cell: Any, keeper: Any, jira_issues: Any
) -> None:
    _votes(session, cell, {"SE-1": ["3"], "SE-2": ["2"]})
    Ticket.objects.filter(key="SE-2").update(story_points=Decimal("8"))
    _close(_client(keeper), session, "median", django_capture_on_commit_callbacks)
    assert Ticket.objects.get(key="SE-2").story_points == Decimal("8")
    assert [key for key, _ in jira_issues.app.edits] == ["SE-1"]


def test_closing_without_jira_keeps_the_points_in_the_portal(
    django_capture_on_commit_callbacks: Any, session: Any, cell: Any, keeper: Any, settings: Any
) -> None:
    settings.JIRA_BASE_URL = ""
    _votes(session, cell, {"SE-1": ["3"]})
    _close(_client(keeper), session, "median", django_capture_on_commit_callbacks)
    item = EstimationItem.objects.get(session=session, ticket__key="SE-1")
    assert item.write_state == WriteState.SKIPPED and Ticket.objects.get(key="SE-1").story_points == 3
    assert EstimationSession.objects.get(pk=session.pk).state == SessionState.CLOSED


def test_bad_close_and_decide_input(session: Any, keeper: Any) -> None:
    client = _client(keeper)
    assert client.post(reverse("estimation:close", args=[session.pk]), {"rule": "loudest"}).status_code == 400
    item = session.items.first()
    assert (
        client.post(
            reverse("estimation:decide", args=[session.pk]), {"item": item.pk, "points": "4"}
        ).status_code
        == 400
    )
    assert EstimationSession.objects.get(pk=session.pk).state == SessionState.OPEN


def test_epic_owners_are_co_keepers_but_only_the_planning_manager_closes(session: Any, cell: Any) -> None:
    owner = keeper_of(cell, username="eo", role="epic-owner")
    client = _client(owner)
    assert client.post(reverse("estimation:reveal", args=[session.pk]), {}).status_code == 302
    assert client.post(reverse("estimation:close", args=[session.pk]), {"rule": "median"}).status_code == 403


def test_page_query_count_does_not_grow(
    session: Any, cell: Any, sprint: Any, core_member: Any, django_assert_num_queries: Any
) -> None:
    client = _client(core_member)
    url = _page(session)
    assert client.get(url).status_code == 200
    for n in range(3, 9):
        ticket = unestimated(cell, sprint, f"SE-{n}")
        item = services.item_add(session=session, ticket=ticket, by=None)
        for member in MemberFactory.create_batch(2, cell=cell):
            services.vote_cast(item=item, member=member, value="5")
    # Queries: the login session and user (2), the estimation session with cell and sprint (1),
    # (the viewer's member comes with the user), the roles they hold in the cell and whether they own an epic (2),
    # the items with tickets and epics, the votes with members, the voters (3), newcomer or not
    # (1); the tickets that may be added only for keepers. Nine with 2 tickets or 8 and 12 votes.
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200 and "SE-8" in response.content.decode()


def test_one_write_run_per_session_at_a_time(
    session: Any, cell: Any, keeper: Any, jira_issues: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.cache import cache

    _votes(session, cell, {"SE-1": ["3"], "SE-2": ["2"]})
    cache.add(f"estimation:write-points:{session.pk}", "another-run", 60)  # a run in flight
    try:
        _close(_client(keeper), session, "median", django_capture_on_commit_callbacks)
        assert jira_issues.app.edits == []  # this run left the tickets to the other one
        assert EstimationSession.objects.get(pk=session.pk).state == SessionState.CLOSING
    finally:
        cache.delete(f"estimation:write-points:{session.pk}")
    summary = services.session_write_points(session_id=session.pk)
    assert (summary.written, summary.busy) == (2, False)
    assert EstimationSession.objects.get(pk=session.pk).state == SessionState.CLOSED


def test_a_ticket_missing_in_jira_is_marked_failed_and_the_rest_written(
    session: Any, cell: Any, keeper: Any, fake_jira: Any, django_capture_on_commit_callbacks: Any
) -> None:
    fake_jira.app.add_issue(project="SE", summary="Only SE-1 exists in JIRA")
    _votes(session, cell, {"SE-1": ["3"], "SE-2": ["2"]})
    _close(_client(keeper), session, "median", django_capture_on_commit_callbacks)
    states = dict(EstimationItem.objects.filter(session=session).values_list("ticket__key", "write_state"))
    assert states == {"SE-1": WriteState.WRITTEN, "SE-2": WriteState.FAILED}
    assert EstimationSession.objects.get(pk=session.pk).state == SessionState.CLOSED
    assert "no longer exists in JIRA" in EstimationItem.objects.get(ticket__key="SE-2").last_error
