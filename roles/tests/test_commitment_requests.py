"""Requests to change weekly hours: the model's checks, the services, the pages (who may do
what) and the process check that reminds the deciders."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencraft_ops.process_checks import CheckContext, run_checks
from roles import services
from roles.models import CommitmentChangeRequest, CommitmentRequestStatus, Role, WeeklyCommitment
from roles.process_checks import commitment_request_waited
from roles.tests.factories import MemberFactory, RoleAssignmentFactory

pytestmark = pytest.mark.django_db
RULE = "commitment-request-waiting"


def today() -> date:
    return timezone.localdate()


def ask(member: Any, hours: str = "30", days_ahead: int = 7, **kwargs: Any) -> CommitmentChangeRequest:
    return services.commitment_request_create(
        member=member, hours_per_week=Decimal(hours), since=today() + timedelta(days=days_ahead), **kwargs
    )


# --- The model's checks ---


@pytest.mark.parametrize(
    ("hours", "days_ahead", "field", "message"),
    [
        ("-1", 3, "hours_per_week", "Weekly hours cannot be negative."),
        ("81", 3, "hours_per_week", "Weekly hours cannot exceed 80."),
        ("30", -1, "since", "The new commitment cannot start in the past; pick today or later."),
    ],
)
def test_a_request_out_of_bounds_is_refused_with_a_clear_message(
    core_member, hours, days_ahead, field, message
):
    with pytest.raises(ValidationError) as caught:
        ask(core_member, hours, days_ahead)
    assert caught.value.message_dict[field] == [message]
    assert not CommitmentChangeRequest.objects.exists()


def test_today_and_the_bounds_themselves_are_accepted(core_member):
    first = ask(core_member, "0", 0)
    services.commitment_request_withdraw(change_request=first, member=core_member)
    assert ask(core_member, "80", 1).is_pending


def test_one_pending_request_per_member(core_member):
    ask(core_member)
    with pytest.raises(ValidationError) as caught:
        ask(core_member, "20", 10)
    assert "There is already a pending request" in " ".join(caught.value.messages)
    assert CommitmentChangeRequest.objects.count() == 1


def test_a_day_that_already_has_a_commitment_is_refused(core_member):
    WeeklyCommitment.objects.create(member=core_member, hours_per_week=20, since=today() + timedelta(days=7))
    with pytest.raises(ValidationError) as caught:
        ask(core_member)
    assert "A commitment already starts on" in caught.value.message_dict["since"][0]


# --- The services ---


def test_withdraw_leaves_the_row_and_frees_the_member_to_ask_again(core_member):
    first = ask(core_member)
    withdrawn = services.commitment_request_withdraw(change_request=first, member=core_member)
    assert withdrawn.status == CommitmentRequestStatus.WITHDRAWN and withdrawn.decided_at is not None
    assert withdrawn.decided_by is None
    ask(core_member, "20")
    assert CommitmentChangeRequest.objects.count() == 2


def test_only_the_member_withdraws_and_only_while_pending(core_member, epsm):
    asked = ask(core_member)
    with pytest.raises(PermissionDenied):
        services.commitment_request_withdraw(change_request=asked, member=epsm)
    services.commitment_request_decline(change_request=asked, decided_by=epsm, note="Not this sprint.")
    with pytest.raises(ValidationError, match="already declined"):
        services.commitment_request_withdraw(change_request=asked, member=core_member)


def test_approval_records_the_commitment_from_since(core_member, epsm):
    asked = ask(core_member, "24.5", 14, reason="Studies")
    commitment = services.commitment_request_approve(change_request=asked, decided_by=epsm, note="Fine")
    assert (commitment.member, commitment.hours_per_week, commitment.since) == (
        core_member,
        Decimal("24.5"),
        asked.since,
    )
    asked.refresh_from_db()
    assert asked.status == CommitmentRequestStatus.APPROVED and asked.decided_by == epsm
    assert asked.decision_note == "Fine" and asked.decided_at is not None
    # The commitment in force changes on ``since``, not before.
    assert core_member.commitments.filter(since__lte=today()).order_by("-since").first().hours_per_week == 40
    with pytest.raises(ValidationError, match="already approved"):
        services.commitment_request_approve(change_request=asked, decided_by=epsm)


def test_approval_refused_by_the_commitment_rules_changes_nothing(core_member, epsm):
    asked = ask(core_member)
    # Meanwhile staff recorded a commitment starting that very day.
    WeeklyCommitment.objects.create(member=core_member, hours_per_week=10, since=asked.since)
    with pytest.raises(ValidationError):
        services.commitment_request_approve(change_request=asked, decided_by=epsm)
    asked.refresh_from_db()
    assert asked.is_pending


def test_a_member_cannot_decide_their_own_request(epsm):
    asked = ask(epsm)
    with pytest.raises(PermissionDenied):
        services.commitment_request_approve(change_request=asked, decided_by=epsm)
    with pytest.raises(PermissionDenied):
        services.commitment_request_decline(change_request=asked, decided_by=epsm, note="No")
    asked.refresh_from_db()
    assert asked.is_pending


def test_declining_needs_a_note(core_member, epsm):
    asked = ask(core_member)
    with pytest.raises(ValidationError) as caught:
        services.commitment_request_decline(change_request=asked, decided_by=epsm, note="  ")
    assert caught.value.message_dict["decision_note"] == ["Say why the request is declined."]
    declined = services.commitment_request_decline(change_request=asked, decided_by=epsm, note="Budget")
    assert declined.status == CommitmentRequestStatus.DECLINED
    assert core_member.commitments.count() == 1


# --- The pages ---


def test_the_member_asks_and_withdraws_on_their_own_page(client, core_member):
    client.force_login(core_member.user)
    page = client.get(f"/org/members/{core_member.pk}/").content.decode()
    assert "Ask to change my weekly hours" in page
    since = today() + timedelta(days=5)
    response = client.post(
        f"/org/members/{core_member.pk}/commitment-request/",
        {"hours_per_week": "32", "since": since.isoformat(), "reason": "Part-time studies"},
    )
    assert response.status_code == 302
    asked = CommitmentChangeRequest.objects.get()
    assert (asked.member, asked.hours_per_week, asked.since) == (core_member, Decimal("32"), since)
    page = client.get(f"/org/members/{core_member.pk}/").content.decode()
    assert "waiting for a decision" in page and "Withdraw my request" in page
    assert client.post(f"/org/commitment-requests/{asked.pk}/withdraw/").status_code == 302
    asked.refresh_from_db()
    assert asked.status == CommitmentRequestStatus.WITHDRAWN


def test_a_bad_request_shows_the_form_again_with_the_reason(client, core_member):
    client.force_login(core_member.user)
    yesterday = today() - timedelta(days=1)
    response = client.post(
        f"/org/members/{core_member.pk}/commitment-request/",
        {"hours_per_week": "32", "since": yesterday.isoformat()},
    )
    assert response.status_code == 400
    assert "cannot start in the past" in response.content.decode()
    assert not CommitmentChangeRequest.objects.exists()


def test_nobody_asks_or_withdraws_for_someone_else(client, core_member, epsm):
    client.force_login(epsm.user)
    page = client.get(f"/org/members/{core_member.pk}/").content.decode()
    assert "Ask to change my weekly hours" not in page
    response = client.post(
        f"/org/members/{core_member.pk}/commitment-request/",
        {"hours_per_week": "32", "since": (today() + timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 403
    asked = ask(core_member)
    assert client.post(f"/org/commitment-requests/{asked.pk}/withdraw/").status_code == 403
    assert client.get(f"/org/commitment-requests/{asked.pk}/withdraw/").status_code == 405


def test_the_decider_approves_and_declines_on_their_page(client, core_member, newcomer, epsm):
    client.force_login(epsm.user)
    assert "No request is waiting for you." in client.get("/org/commitment-requests/").content.decode()
    # Their own page links to it.
    assert "/org/commitment-requests/" in client.get(f"/org/members/{epsm.pk}/").content.decode()
    first, second = ask(core_member, "30"), ask(newcomer, "20")
    page = client.get("/org/commitment-requests/").content.decode()
    assert core_member.name in page and newcomer.name in page
    response = client.post(f"/org/commitment-requests/{first.pk}/approve/", {"note": "OK"}, follow=True)
    assert "Approved: " in response.content.decode()
    assert core_member.commitments.filter(since=first.since, hours_per_week=30).exists()
    response = client.post(f"/org/commitment-requests/{second.pk}/decline/", {"note": ""}, follow=True)
    assert "Say why the request is declined." in response.content.decode()
    second.refresh_from_db()
    assert second.is_pending
    client.post(f"/org/commitment-requests/{second.pk}/decline/", {"note": "Not now"})
    second.refresh_from_db()
    assert second.status == CommitmentRequestStatus.DECLINED
    page = client.get("/org/commitment-requests/").content.decode()
    assert "No request is waiting for you." in page and "Not now" in page


def test_refusals_of_the_deciders_page(client, core_member, outsider, epsm, staff_user):
    asked = ask(core_member)
    assert client.get("/org/commitment-requests/").status_code == 302  # anonymous: to the login
    for who in (core_member.user, outsider.user):  # a member; another cell's member
        client.force_login(who)
        assert client.get("/org/commitment-requests/").status_code == 403
        assert client.post(f"/org/commitment-requests/{asked.pk}/approve/").status_code == 403
    # Another cell's epic planning and sustainability manager decides for their cell only.
    RoleAssignmentFactory.create(
        member=outsider,
        role=Role.objects.get(slug="epic-planning-sustainability-manager"),
        cell=outsider.cell,
    )
    client.force_login(outsider.user)
    assert core_member.name not in client.get("/org/commitment-requests/").content.decode()
    assert client.post(f"/org/commitment-requests/{asked.pk}/approve/").status_code == 403
    client.force_login(epsm.user)
    assert client.get(f"/org/commitment-requests/{asked.pk}/approve/").status_code == 405
    asked.refresh_from_db()
    assert asked.is_pending
    client.force_login(staff_user)
    assert client.post(f"/org/commitment-requests/{asked.pk}/approve/").status_code == 302
    asked.refresh_from_db()
    assert asked.status == CommitmentRequestStatus.APPROVED


def test_the_decider_cannot_approve_their_own_request_on_the_page(client, epsm):
    asked = ask(epsm)
    client.force_login(epsm.user)
    assert "Your own request" in client.get("/org/commitment-requests/").content.decode()
    assert client.post(f"/org/commitment-requests/{asked.pk}/approve/").status_code == 403
    asked.refresh_from_db()
    assert asked.is_pending


def test_the_deciders_page_query_count_is_flat(client, cell, epsm, django_assert_num_queries):
    client.force_login(epsm.user)
    made: list[Any] = []

    def grow(n: int) -> None:
        for _ in range(n):
            member = MemberFactory.create(cell=cell)
            asked = ask(member)
            if len(made) % 2:  # half of them decided already
                services.commitment_request_decline(change_request=asked, decided_by=epsm, note="No")
            made.append(asked)

    grow(2)
    # session, user with the viewer's member (2); the cells they decide for (1); pending
    # requests with member, cell and current hours, decided ones with who decided (2);
    # company-role check for the member links (1).
    with django_assert_num_queries(6):
        client.get("/org/commitment-requests/")
    grow(8)
    with django_assert_num_queries(6):
        response = client.get("/org/commitment-requests/")
    assert response.content.decode().count("Decline</button>") == 5


# --- The process check ---


def _requested(member: Any, on: date, **kwargs: Any) -> CommitmentChangeRequest:
    """A pending request made at noon on ``on`` (written as it was then: no date check)."""
    at = timezone.make_aware(datetime.combine(on, time(12)))
    return CommitmentChangeRequest.objects.create(
        member=member, hours_per_week=Decimal("30"), since=on + timedelta(days=14), requested_at=at, **kwargs
    )


MONDAY = date(2026, 11, 30)
FRIDAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("requested_on", "as_of", "waited"),
    [
        (MONDAY, MONDAY, 0),
        (MONDAY, MONDAY + timedelta(days=2), 2),  # Wednesday
        (MONDAY, MONDAY + timedelta(days=3), 3),  # Thursday
        (FRIDAY, FRIDAY + timedelta(days=3), 1),  # the weekend does not count
        (FRIDAY, FRIDAY + timedelta(days=5), 3),  # Wednesday
    ],
)
def test_working_days_waited(requested_on, as_of, waited):
    assert commitment_request_waited(requested_on, as_of) == waited


def test_the_check_fires_after_two_working_days_and_holds_before_and_once_decided(cell, core_member, epsm):
    asked = _requested(core_member, MONDAY)
    scope = frozenset({cell.pk})

    def found(as_of: date) -> list[Any]:
        return run_checks(CheckContext(as_of=as_of, cell_ids=scope), only=[RULE])

    assert found(MONDAY + timedelta(days=2)) == []  # Wednesday: two working days
    (finding,) = found(MONDAY + timedelta(days=3))
    assert finding.role_slug == "epic-planning-sustainability-manager" and finding.member_id is None
    assert finding.cell_id == cell.pk and finding.subject == f"commitment-request:{asked.pk}"
    assert core_member.name in finding.message and "30 hours a week" in finding.message
    assert "waited 3 working days" in finding.message
    assert finding.url.endswith(f"/org/commitment-requests/#request-{asked.pk}")
    # Addressed to the cell's manager, not to the member.
    from roles.selectors import member_check_context

    for member, expected in ((epsm, 1), (core_member, 0)):
        context = member_check_context(member_id=member.pk, as_of=MONDAY + timedelta(days=3))
        assert len(run_checks(context, only=[RULE])) == expected
    # Another cell's scope does not see it.
    assert (
        run_checks(CheckContext(as_of=MONDAY + timedelta(days=3), cell_ids=frozenset({0})), only=[RULE]) == []
    )
    CommitmentChangeRequest.objects.filter(pk=asked.pk).update(
        status=CommitmentRequestStatus.DECLINED, decided_at=timezone.now(), decision_note="No"
    )
    assert found(MONDAY + timedelta(days=10)) == []


def test_the_check_runs_one_query_whatever_the_number_of_requests(cell, django_assert_num_queries):
    for _ in range(5):
        _requested(MemberFactory.create(cell=cell), MONDAY)
    with django_assert_num_queries(1):
        found = run_checks(CheckContext(as_of=MONDAY + timedelta(days=7)), only=[RULE])
    assert len(found) == 5
