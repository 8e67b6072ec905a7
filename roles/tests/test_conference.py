"""The yearly conference: members' answers, the join-date exemption, the two process checks
(each in its window only), the member page's card and the cell answers page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opencraft_ops.process_checks import CheckContext, Finding, run_checks
from roles import services
from roles.models import Conference, ConferenceParticipation, TalkStatus, conference_required
from roles.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TALK = "conference-talk-missing"
ANSWER = "conference-attendance-unanswered"


def make_conference(*, due_in: int = 10, starts_in: int = 40, lasts: int = 3) -> Conference:
    starts_on = TODAY + timedelta(days=starts_in)
    return Conference.objects.create(
        year=starts_on.year,
        name=f"Open edX Conference {starts_on.year}",
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=lasts),
        proposals_due_on=TODAY + timedelta(days=due_in),
    )


def answer(conference: Conference, member: Any, **fields: Any) -> ConferenceParticipation:
    return services.conference_participation_save(
        conference=conference, member=member, attending=fields.pop("attending", True), **fields
    )


def found(rule: str, *, as_of: date = TODAY, cell_ids: frozenset[int] | None = None) -> list[Finding]:
    return run_checks(CheckContext(as_of=as_of, cell_ids=cell_ids), only=[rule])


# --- Validation ---


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": date(2027, 5, 1)}, "ends_on", "cannot end before it starts"),
        (
            {"proposals_due_on": date(2027, 5, 4)},
            "proposals_due_on",
            "due on or before the conference starts",
        ),
        ({"year": 2026}, "year", "starts in 2027, not 2026"),
    ],
)
def test_conference_dates_are_ordered(changes: dict[str, Any], field: str, message: str) -> None:
    values = {
        "year": 2027,
        "name": "Open edX Conference 2027",
        "starts_on": date(2027, 5, 3),
        "ends_on": date(2027, 5, 5),
        "proposals_due_on": date(2027, 2, 1),
        **changes,
    }
    with pytest.raises(ValidationError) as exc:
        Conference(**values).full_clean()
    assert message in " ".join(exc.value.message_dict[field])


def test_a_talk_status_needs_a_title_and_the_excused_do_not_attend(core_member: Any) -> None:
    conference = make_conference()
    with pytest.raises(ValidationError) as exc:
        answer(conference, core_member, talk_status=TalkStatus.PROPOSED)
    assert "Give the talk's title" in exc.value.message_dict["talk_title"][0]
    with pytest.raises(ValidationError) as exc:
        answer(conference, core_member, attending=True, excused_reason="Family matters")
    assert "An excused member is not attending" in exc.value.message_dict["excused_reason"][0]
    assert not ConferenceParticipation.objects.exists()
    # A second answer changes the first: one row per member and conference.
    answer(conference, core_member, attending=False, excused_reason="Family matters")
    answer(conference, core_member, talk_title="Scaling Open edX", talk_status=TalkStatus.PROPOSED)
    (row,) = ConferenceParticipation.objects.all()
    assert (row.attending, row.excused_reason, row.talk_status) == (True, "", TalkStatus.PROPOSED)


@pytest.mark.parametrize(
    ("joined_on", "required"),
    [
        (date(2015, 1, 5), False),
        (date(2018, 7, 30), False),
        (date(2018, 7, 31), True),
        (date(2024, 3, 1), True),
    ],
)
def test_members_who_joined_before_31_july_2018_are_only_encouraged(joined_on: date, required: bool) -> None:
    assert conference_required(joined_on) is required


# --- conference-talk-missing ---


def test_talk_missing_fires_in_the_four_weeks_before_proposals_are_due(cell: Any, core_member: Any) -> None:
    veteran = MemberFactory.create(cell=cell, joined_on=date(2017, 3, 1))
    silent = MemberFactory.create(cell=cell)  # not answered: asked for a talk too
    declined = MemberFactory.create(cell=cell)
    conference = make_conference(due_in=28)
    answer(conference, core_member)  # attending, no talk
    answer(conference, veteran)  # encouraged only: never asked
    answer(conference, declined, talk_title="Theming", talk_status=TalkStatus.DECLINED)
    findings = found(TALK)
    assert {f.member_id for f in findings} == {core_member.pk, silent.pk, declined.pk}
    assert all(f.rule == TALK and f.role_slug is None and f.cell_id == cell.pk for f in findings)
    assert "co-present" in next(f.message for f in findings if f.member_id == declined.pk)
    # On the deadline still; the day before the window and the day after the deadline, not.
    assert found(TALK, as_of=conference.proposals_due_on)
    assert found(TALK, as_of=TODAY - timedelta(days=1)) == []
    assert found(TALK, as_of=conference.proposals_due_on + timedelta(days=1)) == []


def test_talk_missing_holds_once_a_talk_or_co_presentation_is_named(core_member: Any, newcomer: Any) -> None:
    conference = make_conference()
    answer(conference, core_member, talk_title="Open edX at scale", talk_status=TalkStatus.PROPOSED)
    answer(conference, newcomer, co_presenting_with="Core Member")
    assert found(TALK) == []


def test_talk_missing_skips_members_not_attending(core_member: Any, newcomer: Any) -> None:
    conference = make_conference()
    answer(conference, core_member, attending=False, excused_reason="Surgery that week")
    answer(conference, newcomer, attending=False)  # the attendance check raises this one
    assert found(TALK) == []


# --- conference-attendance-unanswered ---


def test_unanswered_fires_from_eight_weeks_before_until_the_end(cell: Any, core_member: Any) -> None:
    MemberFactory.create(cell=cell, joined_on=date(2016, 6, 1))  # encouraged only: never asked
    conference = make_conference(due_in=1, starts_in=56)
    (finding,) = found(ANSWER)
    assert (finding.member_id, finding.cell_id, finding.role_slug) == (core_member.pk, cell.pk, None)
    assert finding.url.endswith("#conference")
    assert found(ANSWER, as_of=TODAY - timedelta(days=1)) == []
    assert len(found(ANSWER, as_of=conference.ends_on)) == 1
    assert found(ANSWER, as_of=conference.ends_on + timedelta(days=1)) == []
    answer(conference, core_member, attending=False, excused_reason="A family wedding")
    assert found(ANSWER) == []


def test_newcomers_are_bound_and_leavers_are_not(cell: Any, newcomer: Any) -> None:
    make_conference(starts_in=30)
    MemberFactory.create(cell=cell, left_on=TODAY + timedelta(days=5))  # gone before it starts
    assert [f.member_id for f in found(ANSWER)] == [newcomer.pk]


def test_not_attending_without_a_reason_goes_to_the_epic_planning_manager(
    cell: Any, core_member: Any, epsm: Any
) -> None:
    conference = make_conference()
    answer(conference, epsm)
    answer(conference, core_member, attending=False)
    (finding,) = found(ANSWER)
    assert (finding.member_id, finding.role_slug, finding.cell_id) == (
        None,
        "epic-planning-sustainability-manager",
        cell.pk,
    )
    assert "gave no reason" in finding.message
    mine = run_checks(
        CheckContext(
            as_of=TODAY,
            member_id=epsm.pk,
            member_roles=frozenset({("epic-planning-sustainability-manager", cell.pk)}),
        ),
        only=[ANSWER],
    )
    assert [f.subject for f in mine] == [finding.subject]


def test_checks_keep_to_the_cells_asked(core_member: Any, outsider: Any) -> None:
    make_conference()
    assert {f.member_id for f in found(ANSWER, cell_ids=frozenset({outsider.cell_id}))} == {outsider.pk}
    assert {f.member_id for f in found(TALK, cell_ids=frozenset({core_member.cell_id}))} == {core_member.pk}


@pytest.mark.parametrize("rule", [TALK, ANSWER])
def test_the_checks_run_three_queries_whatever_the_data(
    rule: str, cell: Any, django_assert_num_queries: Any
) -> None:
    conference = make_conference()
    # The conferences in the window, the bound members, their answers.
    for _ in range(2):
        answer(conference, MemberFactory.create(cell=cell))
        MemberFactory.create(cell=cell)
    with django_assert_num_queries(3):
        first = found(rule)
    for _ in range(6):
        answer(conference, MemberFactory.create(cell=cell), attending=False)
        MemberFactory.create(cell=cell)
    with django_assert_num_queries(3):
        assert len(found(rule)) > len(first)


def test_no_conference_ahead_costs_one_query(core_member: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):
        assert found(TALK) + found(ANSWER) == []


# --- The member page's card ---


def test_the_member_answers_on_their_own_page(client: Any, core_member: Any) -> None:
    conference = make_conference()
    client.force_login(core_member.user)
    page = client.get(f"/org/members/{core_member.pk}/")
    assert f"Open edX conference {conference.year}" in page.content.decode()
    assert "You have not answered yet" in page.content.decode()
    response = client.post(
        f"/org/members/{core_member.pk}/conference/",
        {
            "attending": "yes",
            "talk_title": "Open edX at scale",
            "talk_status": "proposed",
            "co_presenting_with": "",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#conference")
    row = ConferenceParticipation.objects.get(conference=conference, member=core_member)
    assert (row.attending, row.talk_title, row.talk_status) == (True, "Open edX at scale", "proposed")
    page = client.get(response["Location"])
    assert "Saved your answer" in page.content.decode() and "Open edX at scale" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"attending": "yes", "talk_status": "proposed"}, "Give the talk"),
        (
            {"attending": "yes", "excused_reason": "Moving house", "talk_status": "none"},
            "An excused member is not attending",
        ),
        ({"talk_status": "none"}, "Say whether you attend."),
        ({"attending": "maybe", "talk_status": "none"}, "Select a valid choice"),
    ],
)
def test_the_card_refuses_bad_input_with_a_form_error(
    client: Any, core_member: Any, data: dict[str, str], error: str
) -> None:
    make_conference()
    client.force_login(core_member.user)
    response = client.post(f"/org/members/{core_member.pk}/conference/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ConferenceParticipation.objects.exists()


def test_only_the_member_answers_and_only_they_see_the_card(
    client: Any, core_member: Any, sprint_manager: Any, staff_user: Any
) -> None:
    make_conference()
    client.force_login(sprint_manager.user)
    assert "Open edX conference" not in client.get(f"/org/members/{core_member.pk}/").content.decode()
    url = f"/org/members/{core_member.pk}/conference/"
    assert client.post(url, {"attending": "yes", "talk_status": "none"}).status_code == 403
    client.force_login(staff_user)
    assert client.post(url, {"attending": "yes", "talk_status": "none"}).status_code == 403
    client.force_login(core_member.user)
    assert client.get(url).status_code == 405
    client.logout()
    assert client.post(url, {"attending": "yes"}).status_code == 302  # to the login page
    assert not ConferenceParticipation.objects.exists()


def test_no_conference_ahead_shows_no_card_and_refuses_answers(client: Any, core_member: Any) -> None:
    client.force_login(core_member.user)
    assert "Open edX conference" not in client.get(f"/org/members/{core_member.pk}/").content.decode()
    response = client.post(
        f"/org/members/{core_member.pk}/conference/", {"attending": "yes", "talk_status": "none"}
    )
    assert response.status_code == 404


# --- The cell answers page ---


def test_the_answers_page_is_for_staff_and_the_cells_epic_planning_manager(
    client: Any, core_member: Any, outsider: Any, epsm: Any, staff_user: Any
) -> None:
    conference = make_conference()
    answer(conference, core_member, talk_title="Open edX at scale", talk_status=TalkStatus.PROPOSED)
    client.force_login(outsider.user)
    assert client.get("/org/conference/").status_code == 403
    client.force_login(core_member.user)
    assert client.get("/org/conference/").status_code == 403
    client.force_login(epsm.user)
    body = client.get("/org/conference/").content.decode()
    assert "Open edX at scale" in body and f'id="cell-{core_member.cell.slug}"' in body
    assert f'id="cell-{outsider.cell.slug}"' not in body  # another cell's answers
    client.force_login(staff_user)
    body = client.get("/org/conference/").content.decode()
    assert f'id="cell-{outsider.cell.slug}"' in body and "Not answered" in body
    client.logout()
    assert client.get("/org/conference/").status_code == 302


def test_the_answers_page_without_a_conference(client: Any, staff_user: Any) -> None:
    client.force_login(staff_user)
    response = client.get("/org/conference/")
    assert response.status_code == 200 and "No conference is recorded ahead" in response.content.decode()


def test_the_answers_page_query_count_is_flat(
    client: Any, cell: Any, epsm: Any, django_assert_num_queries: Any
) -> None:
    conference = make_conference()
    client.force_login(epsm.user)

    def grow(n: int) -> None:
        for _ in range(n):
            answer(
                conference,
                MemberFactory.create(cell=cell),
                talk_title="A talk",
                talk_status=TalkStatus.PROPOSED,
            )
            MemberFactory.create(cell=cell)

    grow(2)
    # session, user (2; the viewer's member comes with it); the cells they manage (1); the
    # company-role check for the links (1); the conference, cells, members, answers (4).
    with django_assert_num_queries(8):
        client.get("/org/conference/")
    grow(6)
    with django_assert_num_queries(8):
        response = client.get("/org/conference/")
    assert response.content.decode().count("<tr data-member") == 17
