"""Members' written sprint updates: when they are due, recording them, the boards, the check
``sprint-member-update-missing`` and its demo."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from duties.catalog import DUTY_CATALOG
from handbook.demo_updates import record_member_updates
from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, run_checks
from opencraft_ops.sprint_dates import TUESDAY, SprintDates, sprint_dates
from roles.tests.factories import MemberFactory, TimeOffFactory
from sprints.calculations.updates import END, MID, mid_update_due, open_windows
from sprints.models import MemberSprintUpdate
from sprints.services import member_sprint_update_record
from sprints.tests.factories import SprintFactory

pytestmark = pytest.mark.django_db

RULE = "sprint-member-update-missing"
EPOCH = date(2026, 1, 6)  # a Tuesday
S5 = sprint_dates(5, epoch=EPOCH)


def _this_sprint() -> SprintDates:
    return calendar.sprint_on(date.today())


def _board_day(s: SprintDates) -> date:
    """Monday of W2: no completion is due (so no role lookup)."""
    return s.start + timedelta(days=6)


# --- when they are due (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (S5.start, [(END, 4)]),  # Tuesday of W1: last sprint's end-of-sprint update is chased
        (S5.start + timedelta(days=1), [(END, 4)]),  # Wednesday of W1: the second working day
        (S5.start + timedelta(days=2), []),  # Thursday of W1: nothing
        (S5.start + timedelta(days=6), []),  # Monday of W2: the mid-sprint update is not due yet
        (S5.start + timedelta(days=7), [(MID, 5)]),  # Tuesday of W2: due
        (S5.end - timedelta(days=1), [(MID, 5)]),
        (S5.end, [(MID, 5), (END, 5)]),  # the last day: both
    ],
)
def test_open_windows(day: date, expected: list[tuple[str, int]]) -> None:
    assert [(w.kind, w.number) for w in open_windows(day, epoch=EPOCH)] == expected


def test_the_mid_sprint_update_is_due_with_the_sprint_managers_duty() -> None:
    (duty,) = [d for d in DUTY_CATALOG if d["slug"] == "sprint-manager-mid-sprint"]
    assert (duty["sprint_week"], duty["weekday"]) == (2, TUESDAY)
    assert mid_update_due(S5) == S5.week_day(2, TUESDAY)


# --- recording ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"link": "ftp://forum.example/t/1"}, "link", "http:// or https://"),
        ({"link": "javascript:alert(1)"}, "link", "http:// or https://"),
        ({"link": "not a link"}, "link", "http:// or https://"),
        ({"kind": "weekly"}, "kind", "mid-sprint or the end-of-sprint"),
        ({"sprint_offset": -2}, "sprint", "the current sprint"),
        ({"sprint_offset": 1}, "sprint", "the current sprint"),
        ({"note": "x" * 501}, "note", "under 500"),
    ],
)
def test_recording_refuses_bad_input(
    core_member: Any, changes: dict[str, Any], field: str, message: str
) -> None:
    today = date.today()
    number = calendar.sprint_on(today).number + changes.pop("sprint_offset", 0)
    kwargs: dict[str, Any] = {"kind": MID, "link": "https://forum.example/t/1", "note": ""} | changes
    with pytest.raises(ValidationError) as exc:
        member_sprint_update_record(member=core_member, sprint_number=number, as_of=today, **kwargs)
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert not MemberSprintUpdate.objects.exists()


def test_recording_again_keeps_the_post_time_and_replaces_the_link(core_member: Any) -> None:
    today = date.today()
    number = calendar.sprint_on(today).number
    first = member_sprint_update_record(
        member=core_member, kind=MID, sprint_number=number, as_of=today, link="http://forum.example/1"
    )
    again = member_sprint_update_record(
        member=core_member,
        kind=MID,
        sprint_number=number,
        as_of=today,
        link=" https://forum.example/2 ",
        note="late",
    )
    assert again.pk == first.pk and again.posted_at == first.posted_at
    assert (again.link, again.note) == ("https://forum.example/2", "late")
    # The sprint that just ended is fine too, and the end-of-sprint update is its own row.
    member_sprint_update_record(member=core_member, kind=END, sprint_number=number - 1, as_of=today)
    assert MemberSprintUpdate.objects.count() == 2


# --- the member's board: the form --------------------------------------------------------------


def _record_url(member: Any) -> str:
    return reverse("sprints:record_update", args=[member.cell.slug, member.pk])


def test_a_member_records_their_update_from_their_board(
    client: Client, core_member: Any, sprint: Any
) -> None:
    client.force_login(core_member.user)
    board = reverse("sprints:member_board", args=[core_member.cell.slug, core_member.pk])
    page = client.get(board).content.decode()
    assert 'data-testid="record-update"' in page and page.count("missing") == 2
    data = {"kind": MID, "sprint": sprint.number, "link": "https://forum.example/t/9", "note": ""}
    response = client.post(_record_url(core_member), data, follow=True)
    assert response.redirect_chain[-1][0] == f"{board}?sprint={sprint.number}"
    page = response.content.decode()
    assert "Recorded: your mid-sprint update" in page
    assert 'href="https://forum.example/t/9"' in page and page.count("missing") == 1
    # A bad link is refused with the service's message, and nothing changes.
    response = client.post(_record_url(core_member), data | {"link": "ftp://x"}, follow=True)
    assert "http:// or https://" in response.content.decode()
    assert MemberSprintUpdate.objects.get().link == "https://forum.example/t/9"


def test_recording_refusals(client: Client, core_member: Any, outsider: Any, sprint: Any) -> None:
    other: Any = MemberFactory(cell=core_member.cell)
    data = {"kind": MID, "sprint": sprint.number}
    url = _record_url(core_member)
    assert client.post(url, data).status_code == 302  # anonymous -> login
    assert not MemberSprintUpdate.objects.exists()
    client.force_login(other.user)
    assert client.post(url, data).status_code == 403  # someone else's update
    # Another member's board shows their updates but no form.
    page = client.get(reverse("sprints:member_board", args=[core_member.cell.slug, core_member.pk]))
    assert 'data-testid="member-updates"' in page.content.decode()
    assert 'data-testid="record-update"' not in page.content.decode()
    client.force_login(outsider.user)
    assert client.post(url, data).status_code == 403  # another cell
    client.force_login(core_member.user)
    assert client.get(url).status_code == 405
    assert client.post(url, {"kind": MID, "sprint": "x"}).status_code == 400
    assert client.post(url, {"kind": "weekly", "sprint": sprint.number}).status_code == 400
    assert not MemberSprintUpdate.objects.exists()


# --- the cell's board: a line per member -------------------------------------------------------


@pytest.mark.parametrize("members", [2, 8])
def test_the_board_shows_posted_and_missing_updates_in_constant_queries(
    client: Client, django_assert_num_queries: Any, clock: Any, core_member: Any, members: int
) -> None:
    s = _this_sprint()
    clock(_board_day(s))
    SprintFactory(number=s.number)
    people: list[Any] = [MemberFactory(cell=core_member.cell) for _ in range(members - 1)]
    for person in people[::2]:
        member_sprint_update_record(
            member=person, kind=MID, sprint_number=s.number, as_of=s.start, link="https://forum.example/p"
        )
    client.force_login(core_member.user)
    # session, user (with the viewer's member), cell, board (members, commitments, time off,
    # rotations, role reservations, assigned and reviewed tickets, owned epics, injections, next
    # sprint's non-green tickets), the members' written updates (one for all), the completions
    # of the previous and current sprint
    with django_assert_num_queries(14):
        response = client.get(reverse("sprints:board", args=[core_member.cell.slug]))
    assert response.status_code == 200
    lines = {line.member_id: line for line in response.context["update_lines"]}
    assert len(lines) == members
    posted = {p.pk for p in people[::2]}
    assert {pk for pk, line in lines.items() if line.mid} == posted
    assert not any(line.end for line in lines.values())
    html = response.content.decode()
    assert 'data-testid="sprint-updates"' in html
    assert html.count('href="https://forum.example/p"') == len(posted)


# --- the check ---------------------------------------------------------------------------------


def _findings(day: date, cell: Any) -> list[Any]:
    return run_checks(CheckContext(as_of=day, cell_ids=frozenset({cell.pk})), only=[RULE])


def test_the_check_holds_before_the_mid_sprint_update_is_due_and_fires_after(core_member: Any) -> None:
    s = _this_sprint()
    due = mid_update_due(s)
    assert _findings(due - timedelta(days=1), core_member.cell) == []
    for day in (due, due + timedelta(days=2)):
        (finding,) = _findings(day, core_member.cell)
        assert finding.member_id == core_member.pk and finding.cell_id == core_member.cell_id
        assert finding.subject == f"member:{core_member.pk}:sprint:{s.number}:update:mid"
        assert finding.severity.label == "warning" and "mid-sprint update" in finding.message
        assert finding.url.endswith(f"/board/{core_member.pk}/?sprint={s.number}")


def test_the_check_holds_once_posted_and_for_a_member_off(core_member: Any, cell: Any) -> None:
    s = _this_sprint()
    due = mid_update_due(s)
    quartet: list[Any] = [MemberFactory(cell=cell) for _ in range(4)]
    off, away_today, newcomer_later, first_day = quartet
    TimeOffFactory(member=off, start=due, end=due)  # off the whole due day
    TimeOffFactory(member=away_today, start=due + timedelta(days=2), end=due + timedelta(days=3))
    newcomer_later.joined_on = due + timedelta(days=1)
    newcomer_later.save()
    first_day.joined_on = due  # their first day is the due day: nothing to report on yet
    first_day.save()
    member_sprint_update_record(member=core_member, kind=MID, sprint_number=s.number, as_of=due)
    assert {f.member_id for f in _findings(due, cell)} == {away_today.pk}
    assert _findings(due + timedelta(days=2), cell) == []  # away_today is off that day


def test_the_end_of_sprint_update_is_chased_into_the_next_sprint(core_member: Any) -> None:
    s = _this_sprint()
    member_sprint_update_record(member=core_member, kind=MID, sprint_number=s.number, as_of=s.end)
    nxt = calendar.sprint_dates(s.number + 1)
    for day in (s.end, nxt.start, nxt.start + timedelta(days=1)):
        (finding,) = _findings(day, core_member.cell)
        assert finding.subject == f"member:{core_member.pk}:sprint:{s.number}:update:end", day
    assert _findings(nxt.start + timedelta(days=2), core_member.cell) == []
    member_sprint_update_record(member=core_member, kind=END, sprint_number=s.number, as_of=s.end)
    assert _findings(s.end, core_member.cell) == []


@pytest.mark.parametrize("members", [2, 8])
def test_the_check_runs_in_constant_queries(
    django_assert_num_queries: Any, cell: Any, other_cell: Any, members: int
) -> None:
    s = _this_sprint()
    for _ in range(members):
        TimeOffFactory(member=MemberFactory(cell=cell), start=s.end, end=s.end, hours_per_day=2)
    MemberFactory(cell=other_cell)  # outside the context's cells
    # active members of the cell, their time off, the recorded updates of the sprint
    with django_assert_num_queries(3):
        found = _findings(s.end, cell)
    assert len(found) == 2 * members  # both updates are chased on the last day; part days excuse nobody
    with django_assert_num_queries(0):
        assert _findings(s.start + timedelta(days=2), cell) == []


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_leaves_one_update_missing_and_is_idempotent(clock: Any, cell: Any, other_cell: Any) -> None:
    s = _this_sprint()
    people: list[Any] = [MemberFactory(cell=c) for c in (cell, cell, other_cell)]
    clock(s.end)
    assert record_member_updates(s.end)
    assert record_member_updates(s.end) == []  # nothing more the second time
    found = run_checks(CheckContext(as_of=s.end), only=[RULE])
    left_out = min(people, key=lambda m: m.user.username)
    assert sorted(f.subject for f in found) == [
        f"member:{left_out.pk}:sprint:{s.number}:update:{kind}" for kind in (END, MID)
    ]
    assert _findings(mid_update_due(s) - timedelta(days=1), cell) == []  # before it is due


# --- the API -----------------------------------------------------------------------------------


def test_the_api_lists_the_own_cells_updates(
    client: Client, django_assert_num_queries: Any, core_member: Any, outsider: Any
) -> None:
    today = date.today()
    number = calendar.sprint_on(today).number
    mates: list[Any] = [MemberFactory(cell=core_member.cell) for _ in range(3)]
    for person in [core_member, *mates, outsider]:
        member_sprint_update_record(
            member=person, kind=MID, sprint_number=number, as_of=today, link="https://forum.example/u"
        )
    url = "/api/sprint-updates/"
    assert client.get(url).status_code in (401, 403)
    client.force_login(core_member.user)
    # session, user (with the viewer's member), count, page of updates with sprint, member, cell
    with django_assert_num_queries(4):
        response = client.get(url, {"sprint__number": str(number), "kind": MID})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["member"] for r in rows} == {core_member.pk, *(m.pk for m in mates)}
    assert rows[0]["sprint"] == number and rows[0]["cell"] == core_member.cell.slug
    assert client.post(url, {"kind": MID}).status_code == 405
