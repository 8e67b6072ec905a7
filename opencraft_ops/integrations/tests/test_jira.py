"""The JIRA client (the real `jira` package) against the fake JIRA on loopback."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from opencraft_ops.integrations.config import jira_client
from opencraft_ops.integrations.fakes import FakeJira, FakeJiraServer, Fault
from opencraft_ops.integrations.fakes.data import FIELDS_BY_NAME
from opencraft_ops.integrations.http import AuthError, NotConfigured, RemoteError, RetryPolicy
from opencraft_ops.integrations.jira import (
    JiraClient,
    JiraFieldNames,
    issues_jql,
    parse_sprint,
    resolve_field_ids,
)


def client(server, sleeps, **kwargs) -> JiraClient:
    return JiraClient(
        server=server.url,
        user=server.app.user,
        token=server.app.token,
        sleep=sleeps,
        policy=RetryPolicy(max_delay=1),
        **kwargs,
    )


def all_issues(jc: JiraClient, keys=("BB", "FAL"), page_size=100):
    return [
        i for p in jc.issue_pages(issues_jql(project_keys=list(keys)), page_size=page_size) for i in p.issues
    ]


def test_fields_resolved_by_configured_name_or_schema():
    fields = [
        {
            "id": "customfield_1",
            "name": "Story point estimate",
            "schema": {"custom": "com.pyxis.greenhopper.jira:jsw-story-points"},
        },
        {
            "id": "customfield_2",
            "name": "Sprint",
            "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"},
        },
        {"id": "customfield_3", "name": "Code reviewer", "schema": {"custom": "userpicker"}},
        {"id": "customfield_4", "name": "Tempo account", "schema": {"custom": "io.tempo.jira__account"}},
    ]
    ids = resolve_field_ids(fields, JiraFieldNames(reviewer="code REVIEWER"))
    assert (ids.story_points, ids.sprint, ids.reviewer, ids.account, ids.epic_link) == (
        ("customfield_1",),
        "customfield_2",
        "customfield_3",
        "customfield_4",
        None,
    )


def test_field_ids_from_the_server(loaded_jira, sleeps):
    ids = client(loaded_jira, sleeps).field_ids()
    # Both flavours, team-managed first: an issue's points come from whichever has a value.
    assert ids.story_points == (FIELDS_BY_NAME["Story point estimate"], FIELDS_BY_NAME["Story Points"])
    assert ids.reviewer == FIELDS_BY_NAME["Reviewer"] and ids.epic_link == FIELDS_BY_NAME["Epic Link"]


def test_boards_and_sprints(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    assert [(b.id, b.project_key, b.name) for b in jc.boards()] == [(1, "BB", "Bebop"), (2, "FAL", "Falcon")]
    sprints, skipped = jc.sprints(1)
    assert skipped == [] and [s.state for s in sprints] == ["closed"] * 4 + ["active", "future"]
    active = sprints[4]
    assert active.start is not None and active.start.tzinfo is not None and active.board_id == 1
    open_ones, _ = jc.sprints(1, states="active, future")
    assert [s.id for s in open_ones] == [s.id for s in sprints[4:]]


def test_issue_search_pages_and_fields(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    issues = all_issues(jc, page_size=25)
    app = loaded_jira.app
    assert sorted(i.key for i in issues) == sorted(app.keys)
    searches = loaded_jira.server.requests["GET /rest/api/2/search"]
    assert searches == -(-len(app.issues) // 25)
    issue = next(i for i in issues if i.story_points is not None and i.reviewer_account_id and i.sprints)
    record = app.issue(issue.key)
    assert issue.story_points == Decimal(record["story_points"])
    assert issue.reviewer_account_id == record["reviewer"] and issue.assignee_account_id == record["assignee"]
    assert issue.epic_key == record["epic_key"] and issue.account_id == record["account_id"]
    assert [s.id for s in issue.sprints] == record["sprint_ids"]
    assert issue.original_estimate_seconds == record["original_estimate"]
    assert issue.labels == tuple(record["labels"]) and issue.updated is not None
    epics = [i for i in issues if i.is_epic]
    assert len(epics) == 8


def test_search_with_updated_since(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    loaded_jira.app.update_issue("FAL-3", summary="Changed")
    since = datetime.now(UTC).replace(second=0, microsecond=0)
    got = [
        i
        for p in jc.issue_pages(issues_jql(project_keys=["BB", "FAL"], updated_since=since))
        for i in p.issues
    ]
    assert [(i.key, i.summary) for i in got] == [("FAL-3", "Changed")]


def test_cloud_search_uses_the_token_endpoint(spec, sleeps, settings):
    from opencraft_ops.integrations.fakes import generate

    app = FakeJira(deployment="Cloud")
    app.load(generate(spec))
    server = FakeJiraServer.start(app)
    try:
        jc = client(server, sleeps)
        assert jc.is_cloud
        issues = all_issues(jc, page_size=30)
        assert len(issues) == len(app.issues)
        assert server.server.requests["GET /rest/api/2/search/jql"] == -(-len(app.issues) // 30)
        assert server.server.requests["GET /rest/api/2/search"] == 0
    finally:
        server.stop()


def test_malformed_issue_is_skipped_and_named(loaded_jira, sleeps):
    loaded_jira.app.corrupt_issue("BB-7", **{FIELDS_BY_NAME["Story Points"]: "many"})
    pages = list(client(loaded_jira, sleeps).issue_pages(issues_jql(project_keys=["BB"])))
    skipped = [s for p in pages for s in p.skipped]
    assert [(s.remote_id, s.reason) for s in skipped] == [
        ("BB-7", "issue: story points is not a number: 'many'")
    ]
    assert "BB-7" not in {i.key for p in pages for i in p.issues}


def test_bad_jql_is_a_remote_error(loaded_jira, sleeps):
    with pytest.raises(RemoteError, match="unsupported clause"):
        list(client(loaded_jira, sleeps).issue_pages("assignee was currentUser()"))


def test_comments(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    first = jc.post_comment("BB-3", "Sprint *checklist* done")
    second = jc.post_comment("BB-3", "Second")
    assert first != second
    assert [(c.id, c.body) for c in jc.comments("BB-3")] == [
        (first, "Sprint *checklist* done"),
        (second, "Second"),
    ]
    assert jc.comments("BB-4") == []
    with pytest.raises(RemoteError, match="404"):
        jc.post_comment("NOPE-1", "x")


def test_sprint_lifecycle_and_moves(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    sprint = jc.create_sprint(name="BB.500", board_id=1, goal="Ship")
    assert (sprint.state, sprint.board_id, sprint.goal) == ("future", 1, "Ship")
    with pytest.raises(RemoteError, match="400"):
        jc.close_sprint(sprint.id)  # a future sprint cannot close
    started = jc.start_sprint(sprint.id, start=date(2026, 12, 1), end=date(2026, 12, 14))
    assert started.state == "active" and started.start == datetime(2026, 12, 1, tzinfo=UTC)
    keys = sorted(loaded_jira.app.keys)[:110]
    assert jc.move_issues_to_sprint(sprint.id, keys) == 110
    assert [len(batch) for _, batch in loaded_jira.app.moves] == [50, 50, 10]
    assert all(sprint.id in loaded_jira.app.issue(k)["sprint_ids"] for k in keys)
    closed = jc.close_sprint(sprint.id)
    assert closed.state == "closed" and closed.completed is not None


def test_401_fails_fast_naming_the_settings(loaded_jira, sleeps):
    with pytest.raises(AuthError, match="check JIRA_USER and JIRA_API_TOKEN"):
        JiraClient(server=loaded_jira.url, user=loaded_jira.app.user, token="rotated", sleep=sleeps)
    assert sleeps == []
    assert loaded_jira.server.requests["GET /rest/api/2/serverInfo"] == 1


def test_500_is_retried_by_the_wrapper(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    loaded_jira.faults.add(Fault(path="/rest/api/2/search", status=500, after=1, times=2))
    assert len(all_issues(jc, page_size=40)) == len(loaded_jira.app.issues)
    assert sleeps == [1, 1]  # 5 s then 10 s, capped by the policy's max_delay (1 s here)


def test_server_error_waits_follow_the_policy(loaded_jira, sleeps):
    jc = JiraClient(
        server=loaded_jira.url,
        user=loaded_jira.app.user,
        token=loaded_jira.app.token,
        sleep=sleeps,
        policy=RetryPolicy(max_delay=60),
    )
    loaded_jira.faults.add(Fault(path="/rest/agile/1.0/board", status=502, times=2))
    assert len(jc.boards()) == 2
    assert sleeps == [5.0, 10.0]


def test_429_with_retry_after_is_retried_by_the_package(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    loaded_jira.faults.add(Fault(path="/rest/agile/1.0/board", status=429, retry_after="1", times=1))
    assert len(jc.boards()) == 2
    assert loaded_jira.server.requests["GET /rest/agile/1.0/board"] == 2


def test_429_without_retry_after_and_503(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    loaded_jira.faults.add(Fault(path="/rest/agile/1.0/board", status=429, times=1))
    loaded_jira.faults.add(Fault(path="/rest/agile/1.0/board", status=503, times=1))
    assert len(jc.boards()) == 2


def test_slow_answer_is_retried(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps, timeout=0.3)
    loaded_jira.faults.add(Fault(path="/rest/agile/1.0/board", delay=1.0, times=1))
    assert len(jc.boards()) == 2
    assert sleeps == [1]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {
                "id": 5,
                "state": "active",
                "name": "BB.1",
                "originBoardId": 3,
                "startDate": "2026-11-17T09:00:00.000Z",
            },
            (5, "active", 3, datetime(2026, 11, 17, 9, tzinfo=UTC)),
        ),
        (
            "com.atlassian.greenhopper.service.sprint.Sprint@1f2[id=7,rapidViewId=2,state=CLOSED,name=FAL.9,"
            "startDate=2026-10-06T09:00:00.000Z,endDate=<null>,completeDate=<null>,sequence=7]",
            (7, "closed", 2, datetime(2026, 10, 6, 9, tzinfo=UTC)),
        ),
        ({"id": 9, "state": "future", "name": "X", "boardId": 1}, (9, "future", 1, None)),
    ],
)
def test_parse_sprint(raw, expected):
    sprint = parse_sprint(raw)
    assert (sprint.id, sprint.state, sprint.board_id, sprint.start) == expected


@pytest.mark.parametrize("raw", [{"state": "active"}, {"id": 1, "state": "sleeping"}, "nonsense", 42])
def test_parse_sprint_refuses(raw):
    with pytest.raises(ValueError):
        parse_sprint(raw)


def test_settings_build_the_client(fake_jira, settings):
    fake_jira.app.add_board(board_id=4, project_key="SER")
    assert [b.project_key for b in jira_client().boards()] == ["SER"]
    settings.JIRA_BASE_URL = ""
    with pytest.raises(NotConfigured, match="JIRA_BASE_URL is not set"):
        jira_client()
