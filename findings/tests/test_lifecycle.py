"""Findings as records: an episode opens, stays open while its condition holds, resolves
when it stops and reopens as a new episode; acknowledging and snoozing it from the home
page, its page and the API; the evaluation queued by writes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from duties.tests.factories import DutyInstanceFactory
from findings import selectors
from findings.models import COMPANY_SCOPE, Evaluation, Finding, scope_of
from findings.services import findings_evaluate
from findings.signals import discard_pending
from findings.tasks import QUEUED_KEY, request_evaluation

TODAY = date.today()


@pytest.fixture
def overdue(sprint_manager: Any) -> Any:
    duty: Any = DutyInstanceFactory(
        assignee=sprint_manager,
        cell=sprint_manager.cell,
        due_on=TODAY - timedelta(days=2),
        opens_on=TODAY - timedelta(days=9),
    )
    discard_pending()
    return duty


def _episodes(duty: Any) -> list[Finding]:
    return list(Finding.objects.filter(rule="duty-overdue", subject=f"duty:{duty.pk}").order_by("first_seen"))


def test_an_episode_opens_stays_resolves_and_reopens(overdue: Any) -> None:
    scope = [scope_of(overdue.cell_id)]
    t1 = timezone.now()
    first = findings_evaluate(scopes=scope, now=t1)
    [episode] = _episodes(overdue)
    assert episode.pk in first.opened
    assert (episode.first_seen, episode.last_seen, episode.resolved_at) == (t1, t1, None)
    assert episode.member_id == overdue.assignee_id and episode.cell_id == overdue.cell_id

    # The condition still holds: the same episode, seen again.
    t2 = t1 + timedelta(minutes=5)
    again = findings_evaluate(scopes=scope, now=t2)
    [episode] = _episodes(overdue)
    assert again.opened == [] and (episode.first_seen, episode.last_seen) == (t1, t2)

    # The duty is done: the episode resolves.
    overdue.done_at = t2
    overdue.save(update_fields=["done_at"])
    t3 = t2 + timedelta(minutes=5)
    resolved = findings_evaluate(scopes=scope, now=t3)
    [episode] = _episodes(overdue)
    assert resolved.resolved >= 1 and episode.resolved_at == t3

    # It comes back: a new episode, the old one stays resolved.
    overdue.done_at = None
    overdue.save(update_fields=["done_at"])
    t4 = t3 + timedelta(minutes=5)
    findings_evaluate(scopes=scope, now=t4)
    old, new = _episodes(overdue)
    assert old.resolved_at == t3 and new.resolved_at is None and new.first_seen == t4
    assert Evaluation.objects.get(scope=scope[0]).checked_at == t4


def test_a_cell_evaluation_leaves_other_cells_alone(overdue: Any, other_cell: Any) -> None:
    from roles.tests.factories import MemberFactory

    elsewhere: Any = DutyInstanceFactory(
        assignee=MemberFactory(cell=other_cell),
        cell=other_cell,
        due_on=TODAY - timedelta(days=2),
        opens_on=TODAY - timedelta(days=9),
    )
    findings_evaluate()  # every cell
    assert len(_episodes(overdue)) == len(_episodes(elsewhere)) == 1
    elsewhere.done_at = timezone.now()
    elsewhere.save(update_fields=["done_at"])
    findings_evaluate(scopes=[scope_of(overdue.cell_id), COMPANY_SCOPE])
    # Not evaluated: the other cell's episode stays open until its own evaluation.
    assert _episodes(elsewhere)[0].resolved_at is None
    findings_evaluate(scopes=[scope_of(other_cell.pk)])
    assert _episodes(elsewhere)[0].resolved_at is not None
    assert _episodes(overdue)[0].resolved_at is None


def test_a_write_queues_its_cells_evaluation_on_commit(
    sprint_manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    discard_pending()  # the fixtures' writes: as if they had committed before
    with django_capture_on_commit_callbacks(execute=True):
        duty = DutyInstanceFactory(
            assignee=sprint_manager,
            cell=sprint_manager.cell,
            due_on=TODAY - timedelta(days=3),
            opens_on=TODAY - timedelta(days=9),
        )
    # Eager Celery: evaluated at the commit.
    assert len(_episodes(duty)) == 1
    assert Evaluation.objects.filter(scope=scope_of(sprint_manager.cell_id)).exists()


def test_writes_are_debounced_per_cell(sprint_manager: Any) -> None:
    scope = scope_of(sprint_manager.cell_id)
    # An evaluation of the cell is already queued: further writes add nothing.
    cache.set(QUEUED_KEY.format(scope=scope), 1, 60)
    cache.set(QUEUED_KEY.format(scope=COMPANY_SCOPE), 1, 60)
    try:
        request_evaluation([("cell", sprint_manager.cell_id), ("member", sprint_manager.pk)])
        assert not Evaluation.objects.filter(scope=scope).exists()
    finally:
        cache.delete_many([QUEUED_KEY.format(scope=scope), QUEUED_KEY.format(scope=COMPANY_SCOPE)])
    # Once it ran (its key gone), a write queues the next one (eager: runs at once).
    request_evaluation([("member", sprint_manager.pk)])
    assert Evaluation.objects.filter(scope=scope).exists()
    assert cache.get(QUEUED_KEY.format(scope=scope)) is None


def test_pages_show_a_write_at_once_with_eager_celery(client: Any, sprint_manager: Any) -> None:
    DutyInstanceFactory(
        assignee=sprint_manager,
        cell=sprint_manager.cell,
        due_on=TODAY - timedelta(days=2),
        opens_on=TODAY - timedelta(days=9),
    )
    client.force_login(sprint_manager.user)
    response = client.get("/")
    assert [f.rule for f in response.context["findings"]].count("duty-overdue") == 1
    assert "Checked just now" in response.content.decode()


# --- acknowledging and snoozing --------------------------------------------------------------


@pytest.fixture
def episode(overdue: Any, fresh_findings: Any) -> Finding:
    fresh_findings()
    return _episodes(overdue)[0]


def test_acknowledge_from_the_home_page(client: Any, sprint_manager: Any, episode: Finding) -> None:
    client.force_login(sprint_manager.user)
    home = client.get("/")
    assert f'action="/org/findings/{episode.pk}/acknowledge/"' in home.content.decode()
    response = client.post(f"/org/findings/{episode.pk}/acknowledge/", {"note": "On it", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    episode.refresh_from_db()
    assert episode.acknowledged_by_id == sprint_manager.pk
    assert episode.acknowledgement_note == "On it" and episode.acknowledged_at is not None
    assert "acknowledged by" in client.get("/").content.decode()


def test_snooze_hides_it_from_my_findings_until_then(
    client: Any, sprint_manager: Any, episode: Finding
) -> None:
    client.force_login(sprint_manager.user)
    response = client.post(f"/org/findings/{episode.pk}/snooze/", {"days": "2"})
    assert response.status_code == 302 and response["Location"] == f"/org/findings/{episode.pk}/"
    episode.refresh_from_db()
    assert episode.snoozed_until is not None and episode.snoozed_by_id == sprint_manager.pk
    assert episode.pk not in {f.pk for f in client.get("/").context["findings"]}
    # Its page still shows it, snoozed.
    page = client.get(f"/org/findings/{episode.pk}/")
    assert page.status_code == 200 and "until" in page.content.decode()
    # Three days later it is back.
    later = selectors.findings_for_member(
        member_id=sprint_manager.pk, member_roles=set(), now=timezone.now() + timedelta(days=3)
    )
    assert episode.pk in {f.pk for f in later}


def test_acknowledge_and_snooze_refusals(
    client: Any, sprint_manager: Any, core_member: Any, outsider: Any, episode: Finding
) -> None:
    url = f"/org/findings/{episode.pk}/acknowledge/"
    assert client.post(url).status_code == 302  # anonymous: to the login page
    assert Finding.objects.get(pk=episode.pk).acknowledged_at is None
    client.force_login(core_member.user)  # same cell, not the addressee
    assert client.post(url, {"note": "x"}).status_code == 403
    assert client.get(f"/org/findings/{episode.pk}/").status_code == 200
    client.force_login(outsider.user)  # another cell: cannot even see it
    assert client.get(f"/org/findings/{episode.pk}/").status_code == 403
    client.force_login(sprint_manager.user)
    assert client.get(url).status_code == 405
    assert client.post(url, {"note": "x" * 2001}).status_code == 302
    snooze = f"/org/findings/{episode.pk}/snooze/"
    for bad in ({"days": "0"}, {"days": "500"}, {"days": "soon"}, {}):
        assert client.post(snooze, bad).status_code == 302
    episode.refresh_from_db()
    assert episode.acknowledged_at is None and episode.snoozed_until is None
    assert client.get("/org/findings/999999/").status_code == 404


def test_acknowledge_snooze_and_recheck_through_the_api(
    sprint_manager: Any, core_member: Any, episode: Finding
) -> None:
    api = APIClient()
    assert api.post(f"/api/findings/{episode.pk}/acknowledge/").status_code in (401, 403)
    api.force_authenticate(core_member.user)
    assert api.post(f"/api/findings/{episode.pk}/acknowledge/", {"note": "x"}).status_code == 403
    api.force_authenticate(sprint_manager.user)
    done = api.post(f"/api/findings/{episode.pk}/acknowledge/", {"note": "Looking"}, format="json")
    assert done.status_code == 200 and done.data["acknowledged_by"] == sprint_manager.name
    assert api.post(f"/api/findings/{episode.pk}/snooze/", {"days": 0}, format="json").status_code == 400
    assert api.post(f"/api/findings/{episode.pk}/snooze/", {}, format="json").status_code == 400
    snoozed = api.post(f"/api/findings/{episode.pk}/snooze/", {"days": 1}, format="json")
    assert snoozed.status_code == 200 and snoozed.data["snoozed_until"] is not None
    listed = api.get("/api/findings/", {"rule": "duty-overdue"})
    assert listed.status_code == 200 and listed.data["checked"].startswith("checked")
    [row] = [r for r in listed.data["results"] if r["id"] == episode.pk]
    assert row["first_seen"] and row["acknowledgement_note"] == "Looking"
    assert api.get(f"/api/findings/{episode.pk}/").data["id"] == episode.pk
    assert api.get("/api/findings/999999/").status_code == 404
    # A role holder asks for a re-check; a member without a role may not.
    before = Evaluation.objects.get(scope=scope_of(sprint_manager.cell_id)).checked_at
    assert api.post("/api/findings/recheck/", {}, format="json").status_code == 202
    assert Evaluation.objects.get(scope=scope_of(sprint_manager.cell_id)).checked_at > before
    assert api.post("/api/findings/recheck/", {"cell": "x"}, format="json").status_code == 400
    assert api.post("/api/findings/recheck/", {"cell": 999999}, format="json").status_code == 400
    api.force_authenticate(core_member.user)
    assert api.post("/api/findings/recheck/", {}, format="json").status_code == 403


def test_recheck_button(client: Any, sprint_manager: Any, core_member: Any, episode: Finding) -> None:
    client.force_login(sprint_manager.user)
    assert "Re-check now" in client.get("/").content.decode()
    response = client.post("/org/findings/recheck/", {"next": "/duties/health/"})
    assert response.status_code == 302 and response["Location"] == "/duties/health/"
    assert client.post("/org/findings/recheck/", {"cell": "abc"}).status_code == 302
    client.force_login(core_member.user)
    assert client.post("/org/findings/recheck/").status_code == 403


def test_the_daily_email_lists_the_stored_findings_and_their_freshness(
    sprint_manager: Any, episode: Finding, mailoutbox: Any
) -> None:
    from duties.services import digest_send

    sprint_manager.email_digest = True
    sprint_manager.save(update_fields=["email_digest"])
    sprint_manager.user.email = "sm@example.com"
    sprint_manager.user.save(update_fields=["email"])
    assert digest_send(member_id=sprint_manager.pk, day=TODAY, now=timezone.now()) is True
    body = mailoutbox[-1].body
    assert "Findings for you (" in body and "checked just now" in body
    assert episode.message in body
