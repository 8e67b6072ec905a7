"""Posting epic updates to JIRA against the fake JIRA server: queued, retried,
and never posted twice."""

from __future__ import annotations

import time
from typing import Any

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from epics import services
from epics.models import EpicUpdate, PostState
from epics.tasks import MAX_RETRIES, RETRY_DELAYS, post_epic_update
from epics.tests.answers import FIXED_ANSWERS_OK
from opencraft_ops import calendar
from opencraft_ops.integrations.http import IntegrationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def jira_epic(fake_jira: Any) -> Any:
    record = fake_jira.app.add_issue(project="FIX", summary="Fixed epic", issuetype="Epic")
    assert record["key"] == "FIX-1"
    return record


@pytest.fixture
def update(fixed_epic: Any, epic_owner: Any) -> EpicUpdate:
    return services.epic_update_save(
        epic=fixed_epic,
        sprint_number=calendar.sprint_on(timezone.localdate()).number,
        author=epic_owner,
        answers=FIXED_ANSWERS_OK,
    )


def comments(fake_jira: Any, record: dict[str, Any]) -> list[dict[str, Any]]:
    return fake_jira.app.comments.get(record["id"], [])


def test_post_button_queues_and_posts_once(
    client: Any,
    fake_jira: Any,
    jira_epic: Any,
    update: EpicUpdate,
    epic_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(epic_owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/epics/updates/{update.pk}/post/")
    assert response.status_code == 302
    update.refresh_from_db()
    posted = comments(fake_jira, jira_epic)
    assert len(posted) == 1
    assert update.post_state == PostState.POSTED and update.jira_comment_id == posted[0]["id"]
    assert posted[0]["body"].startswith("h2. Epic update -- fixed scope / fixed budget")
    assert f"ops-epic-update:{update.ref}" in posted[0]["body"]
    # Pressing the button again queues nothing and posts nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(f"/epics/updates/{update.pk}/post/")
    assert callbacks == [] and len(comments(fake_jira, jira_epic)) == 1
    # A posted update cannot be edited any more.
    assert client.get("/epics/FIX-1/update/").status_code == 302


def test_server_error_then_retry_leaves_exactly_one_comment(
    fake_jira: Any, jira_epic: Any, update: EpicUpdate
) -> None:
    fake_jira.faults.add(path="/rest/api/2/issue/FIX-1/comment", method="POST", status=500, times=1)
    services.epic_update_queue_post(update=update)
    post_epic_update.apply(args=(update.pk,))  # eager: the retry runs at once
    update.refresh_from_db()
    assert len(comments(fake_jira, jira_epic)) == 1
    assert update.post_state == PostState.POSTED
    assert update.post_attempts == 2


def test_lost_answer_then_retry_finds_the_comment_instead_of_posting_again(
    fake_jira: Any, jira_epic: Any, update: EpicUpdate, settings: Any
) -> None:
    # JIRA creates the comment but answers too late: the client gives up.
    settings.HTTP_TIMEOUT_SECONDS = 1
    fake_jira.faults.add(path="/rest/api/2/issue/FIX-1/comment", method="POST", delay=1.6, times=1)
    with pytest.raises(IntegrationError):
        services.epic_update_post(update_id=update.pk)
    deadline = time.monotonic() + 5
    while not comments(fake_jira, jira_epic) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(comments(fake_jira, jira_epic)) == 1
    update.refresh_from_db()
    assert update.jira_comment_id == ""
    comment_id = services.epic_update_post(update_id=update.pk)
    assert len(comments(fake_jira, jira_epic)) == 1
    update.refresh_from_db()
    assert update.jira_comment_id == comment_id == comments(fake_jira, jira_epic)[0]["id"]
    assert update.post_state == PostState.POSTED
    # And once the id is stored, JIRA is not even asked again.
    before = sum(fake_jira.server.requests.values())
    assert services.epic_update_post(update_id=update.pk) == comment_id
    assert sum(fake_jira.server.requests.values()) == before


def test_gives_up_after_retries_then_a_new_attempt_posts_once(
    client: Any,
    fake_jira: Any,
    jira_epic: Any,
    update: EpicUpdate,
    epic_owner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    fake_jira.faults.add(
        path="/rest/api/2/issue/FIX-1/comment", method="POST", status=502, times=MAX_RETRIES + 1
    )
    services.epic_update_queue_post(update=update)
    post_epic_update.apply(args=(update.pk,))
    update.refresh_from_db()
    assert update.post_state == PostState.FAILED and "502" in update.post_error
    assert comments(fake_jira, jira_epic) == []
    client.force_login(epic_owner.user)
    page = client.get(f"/epics/updates/{update.pk}/")
    assert "Posting failed" in page.content.decode() and "502" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/epics/updates/{update.pk}/post/")
    update.refresh_from_db()
    assert update.post_state == PostState.POSTED and len(comments(fake_jira, jira_epic)) == 1


def test_on_a_worker_a_failure_schedules_a_later_retry_that_posts_once(
    fake_jira: Any, jira_epic: Any, update: EpicUpdate
) -> None:
    # As a worker runs it (not eagerly): the failure raises Celery's Retry with the first
    # delay; the retry (sent eagerly here, as the test settings run tasks inline) posts once.
    fake_jira.faults.add(path="/rest/api/2/issue/FIX-1/comment", method="POST", status=500, times=1)
    services.epic_update_queue_post(update=update)
    worker_request: dict[str, Any] = {
        "retries": 0,
        "is_eager": False,
        "called_directly": False,
        "id": "worker-run",
        "args": (update.pk,),
        "kwargs": {},
    }
    post_epic_update.push_request(**worker_request)
    try:
        with pytest.raises(Retry) as raised:
            post_epic_update.run(update.pk)
    finally:
        post_epic_update.pop_request()
    assert raised.value.when == RETRY_DELAYS[0]
    update.refresh_from_db()
    assert len(comments(fake_jira, jira_epic)) == 1
    assert update.post_state == PostState.POSTED and update.post_attempts == 2


def test_jira_not_configured_fails_with_a_message(update: EpicUpdate, settings: Any) -> None:
    settings.JIRA_BASE_URL = ""
    services.epic_update_queue_post(update=update)
    post_epic_update.apply(args=(update.pk,))
    update.refresh_from_db()
    assert update.post_state == PostState.FAILED
    assert "JIRA_BASE_URL" in update.post_error


def test_post_refusals(client: Any, update: EpicUpdate, core_member: Any, outsider: Any) -> None:
    url = f"/epics/updates/{update.pk}/post/"
    assert client.post(url).status_code == 302  # to login
    client.force_login(core_member.user)
    assert client.get(f"/epics/updates/{update.pk}/").status_code == 200
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    client.force_login(outsider.user)
    assert client.post(url).status_code == 403
    assert client.get(f"/epics/updates/{update.pk}/").status_code == 403
    assert client.post("/epics/updates/999999/post/").status_code == 404
    update.refresh_from_db()
    assert update.post_state == PostState.NOT_POSTED
