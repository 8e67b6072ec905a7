"""JIRA writes and time zones through the real `jira` package against the fake JIRA: the
sprint state rules (partial and full update), lost answers that must not be re-sent, the
bot user's profile time zone and JQL dates written in it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from opencraft_ops.integrations.fakes import FakeJira, FakeJiraServer, Fault
from opencraft_ops.integrations.http import RemoteError, RetryPolicy, TransportError
from opencraft_ops.integrations.jira import JiraClient, issues_jql, jql_time


def client(server, sleeps, **kwargs) -> JiraClient:
    return JiraClient(
        server=server.url,
        user=server.app.user,
        token=server.app.token,
        sleep=sleeps,
        policy=RetryPolicy(max_delay=1),
        **kwargs,
    )


def raw(server, method: str, path: str, body: dict) -> requests.Response:
    """A request as another JIRA client would send it (not through our wrapper)."""
    return requests.request(
        method,
        f"{server.url}{path}",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
        auth=(server.app.user, server.app.token),
        timeout=5,
    )


def test_sprint_state_rules_and_error_shape(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    sprint = jc.create_sprint(name="BB.600", board_id=1, goal="Ship")
    started = jc.start_sprint(sprint.id, start=date(2026, 12, 1), end=date(2026, 12, 14))
    assert (started.state, started.name, started.goal) == ("active", "BB.600", "Ship")  # partial: kept
    assert jc.sprint(sprint.id).state == "active"
    with pytest.raises(RemoteError, match="only a future sprint can be started") as again:
        jc.start_sprint(sprint.id, start=date(2026, 12, 1), end=date(2026, 12, 14))
    assert again.value.status == 400
    closed = jc.close_sprint(sprint.id)
    assert closed.state == "closed" and closed.completed is not None
    with pytest.raises(RemoteError, match="a closed sprint cannot be updated"):
        jc.close_sprint(sprint.id)
    # JIRA's error body: errorMessages and errors
    answer = raw(loaded_jira, "POST", f"/rest/agile/1.0/sprint/{sprint.id}", {"state": "closed"})
    assert answer.status_code == 400
    assert answer.json() == {
        "errorMessages": [f"Sprint {sprint.id} is closed: a closed sprint cannot be updated."],
        "errors": {},
    }
    future = jc.create_sprint(name="BB.601", board_id=1)
    with pytest.raises(RemoteError, match="only an active sprint can be completed"):
        jc.close_sprint(future.id)
    answer = raw(loaded_jira, "POST", f"/rest/agile/1.0/sprint/{future.id}", {"state": "active"})
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"startDate": "A sprint needs a start and an end date."}
    assert jc.sprint(future.id).state == "future"


def test_full_update_empties_what_it_leaves_out(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    sprint = jc.create_sprint(name="BB.700", board_id=1, goal="Keep me")
    assert raw(loaded_jira, "PUT", f"/rest/agile/1.0/sprint/{sprint.id}", {"state": "future"}).json() == {
        "errorMessages": [],
        "errors": {"name": "The sprint name is required."},
    }
    answer = raw(
        loaded_jira, "PUT", f"/rest/agile/1.0/sprint/{sprint.id}", {"name": "BB.7", "state": "future"}
    )
    assert answer.status_code == 200 and answer.json()["goal"] == ""
    # a full update of an active sprint (a rename) keeps it active; that is not a start
    jc.start_sprint(sprint.id, start=date(2026, 12, 1), end=date(2026, 12, 14))
    body = {
        "name": "BB.7 renamed",
        "state": "active",
        "startDate": "2026-12-01T00:00:00.000Z",
        "endDate": "2026-12-14T00:00:00.000Z",
    }
    answer = raw(loaded_jira, "PUT", f"/rest/agile/1.0/sprint/{sprint.id}", body)
    assert answer.status_code == 200 and answer.json()["state"] == "active"


def test_cloud_closed_sprint_keeps_state_but_takes_a_new_name(spec, sleeps):
    app = FakeJira(deployment="Cloud")
    app.add_board(board_id=1, project_key="BB")
    server = FakeJiraServer.start(app)
    try:
        jc = client(server, sleeps)
        sprint = jc.create_sprint(name="BB.1", board_id=1)
        jc.start_sprint(sprint.id, start=date(2026, 12, 1), end=date(2026, 12, 14))
        jc.close_sprint(sprint.id)
        answer = raw(
            server, "POST", f"/rest/agile/1.0/sprint/{sprint.id}", {"name": "BB.1 done", "state": "active"}
        )
        assert answer.status_code == 200 and answer.json()["state"] == "closed"
        assert jc.sprint(sprint.id).name == "BB.1 done"
    finally:
        server.stop()


def test_lost_answer_on_create_is_not_sent_again(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    before = len(loaded_jira.app.sprints)
    rule = loaded_jira.app.lose_answer("create_sprint")
    with pytest.raises(RemoteError, match="504"):
        jc.create_sprint(name="BB.800", board_id=1)
    assert rule.hits == 1 and sleeps == []
    created = [s for s in loaded_jira.app.sprints.values() if s["name"] == "BB.800"]
    assert len(loaded_jira.app.sprints) == before + 1 and len(created) == 1  # done once, not twice


def test_late_answer_on_close_is_not_sent_again(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)  # the ordinary time-out: creating and starting are never retried
    sprint = jc.create_sprint(name="BB.801", board_id=1)
    jc.start_sprint(sprint.id, start=date(2026, 12, 1), end=date(2026, 12, 14))
    # Only the close is sent by a client that waits 1 s, and JIRA answers it 3 s late.
    impatient = client(loaded_jira, sleeps, timeout=1.0)
    loaded_jira.app.lose_answer("close_sprint", delay=3.0)
    with pytest.raises(TransportError, match="may have been carried out"):
        impatient.close_sprint(sprint.id)
    assert loaded_jira.server.requests[f"POST /rest/agile/1.0/sprint/{sprint.id}"] == 2  # start + close
    assert jc.sprint(sprint.id).state == "closed"


def test_429_on_create_is_retried(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    loaded_jira.faults.add(Fault(path="/rest/agile/1.0/sprint", method="POST", status=429, times=1))
    assert jc.create_sprint(name="BB.802", board_id=1).state == "future"
    assert len([s for s in loaded_jira.app.sprints.values() if s["name"] == "BB.802"]) == 1


def test_moves_are_retried_after_a_lost_answer(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    sprint = jc.create_sprint(name="BB.803", board_id=1)
    loaded_jira.app.lose_answer("move_issues")
    assert jc.move_issues_to_sprint(sprint.id, ["BB-3"]) == 1  # moving again changes nothing
    assert sleeps == [1] and loaded_jira.app.issue("BB-3")["sprint_ids"][-1] == sprint.id


def test_issue_by_id_and_deleted_issue(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    record = loaded_jira.app.issue("BB-5")
    issue = jc.issue(str(record["id"]))
    assert issue is not None and issue.key == "BB-5" and issue.created == record["created"]
    loaded_jira.app.delete_issue("BB-5")
    assert jc.issue(str(record["id"])) is None
    assert "BB-5" not in {i.key for p in jc.issue_pages(issues_jql(project_keys=["BB"])) for i in p.issues}


@pytest.mark.parametrize(
    ("profile", "expected"),
    [("America/Los_Angeles", ZoneInfo("America/Los_Angeles")), ("", UTC), ("Mars/Olympus", UTC)],
)
def test_user_time_zone_from_myself(loaded_jira, sleeps, profile, expected):
    loaded_jira.app.time_zone = profile  # served as is by /myself; empty or unknown here -> UTC
    jc = client(loaded_jira, sleeps)
    assert jc.user_time_zone() == expected
    jc.user_time_zone()
    assert loaded_jira.server.requests["GET /rest/api/2/myself"] == 1  # read once per client


@pytest.mark.parametrize(
    ("instant", "zone", "round_up", "expected"),
    [
        (datetime(2026, 11, 25, 20, 7, 30, tzinfo=UTC), "UTC", False, "2026-11-25 20:07"),
        (datetime(2026, 11, 25, 20, 7, 30, tzinfo=UTC), "America/Los_Angeles", False, "2026-11-25 12:07"),
        (datetime(2026, 11, 25, 20, 7, 30, tzinfo=UTC), "America/Los_Angeles", True, "2026-11-25 12:08"),
        (datetime(2026, 11, 25, 20, 7, tzinfo=UTC), "America/Los_Angeles", True, "2026-11-25 12:07"),
        (datetime(2026, 11, 25, 23, 30, tzinfo=UTC), "Asia/Kolkata", False, "2026-11-26 05:00"),
        # 2026-11-01 01:30 happens twice in New York: written an hour earlier / later
        (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "America/New_York", False, "2026-11-01 00:30"),
        (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "America/New_York", True, "2026-11-01 02:30"),
    ],
)
def test_jql_time(instant, zone, round_up, expected):
    assert jql_time(instant, ZoneInfo(zone), round_up=round_up) == expected


def test_fake_reads_jql_dates_in_the_user_zone(loaded_jira, sleeps):
    app = loaded_jira.app
    app.time_zone = "America/Los_Angeles"
    moment = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # 14:00 in Los Angeles
    app.clock = lambda: moment
    app.update_issue("BB-4", summary="Edited at 22:00 UTC")
    jc = client(loaded_jira, sleeps)
    zone = jc.user_time_zone()
    since = moment - timedelta(minutes=5)

    def keys(jql: str) -> list[str]:
        return [i.key for p in jc.issue_pages(jql) for i in p.issues]

    assert keys(issues_jql(project_keys=["BB"], updated_since=since, zone=zone)) == ["BB-4"]
    # the same instant written in UTC means 21:55 in Los Angeles, eight hours later: missed
    assert keys(issues_jql(project_keys=["BB"], updated_since=since)) == []
    window = issues_jql(
        project_keys=["BB"], updated_since=since, updated_before=moment + timedelta(seconds=1), zone=zone
    )
    assert keys(window) == ["BB-4"]
    assert keys(issues_jql(project_keys=["BB"], updated_since=since, updated_before=moment, zone=zone)) == []
