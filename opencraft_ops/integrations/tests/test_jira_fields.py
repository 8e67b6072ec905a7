"""Field discovery by schema, statuses with their category, short error messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opencraft_ops.integrations.fakes.data import (
    FIELD_STORY_POINT_ESTIMATE,
    FIELD_STORY_POINTS,
    FIELDS_BY_NAME,
)
from opencraft_ops.integrations.http import AuthError, IntegrationError, RetryPolicy, short_message
from opencraft_ops.integrations.jira import (
    FieldSettingError,
    JiraClient,
    JiraFieldNames,
    issues_jql,
    resolve_field_ids,
)

CLASSIC = {
    "id": "customfield_10016",
    "name": "Story Points",
    "schema": {"type": "number", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float"},
}
ESTIMATE = {
    "id": "customfield_10026",
    "name": "Story point estimate",
    "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points"},
}
OTHER_NUMBER = {
    "id": "customfield_10099",
    "name": "Business value",
    "schema": {"type": "number", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float"},
}
SPRINT = {
    "id": "customfield_10020",
    "name": "Sprint",
    "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"},
}


def client(server, sleeps, **kwargs) -> JiraClient:
    return JiraClient(
        server=server.url,
        user=server.app.user,
        token=server.app.token,
        sleep=sleeps,
        policy=RetryPolicy(max_delay=1),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("fields", "names", "points", "pinned"),
    [
        # Discovery: both flavours, the team-managed estimate first; a plain number field is not points.
        (
            [CLASSIC, ESTIMATE, OTHER_NUMBER],
            JiraFieldNames(),
            ("customfield_10026", "customfield_10016"),
            False,
        ),
        ([CLASSIC, OTHER_NUMBER], JiraFieldNames(), ("customfield_10016",), False),
        ([OTHER_NUMBER], JiraFieldNames(), (), False),
        # Pinned by id or by name (any case): the pinned one first, the others read to compare.
        (
            [CLASSIC, ESTIMATE],
            JiraFieldNames(story_points="customfield_10016"),
            ("customfield_10016", "customfield_10026"),
            True,
        ),
        (
            [CLASSIC, ESTIMATE, OTHER_NUMBER],
            JiraFieldNames(story_points="business VALUE"),
            ("customfield_10099", "customfield_10026", "customfield_10016"),
            True,
        ),
    ],
)
def test_story_points_fields_by_schema_or_setting(fields, names, points, pinned):
    ids = resolve_field_ids([*fields, SPRINT], names)
    assert ids.story_points == points and ids.story_points_pinned is pinned
    assert ids.sprint == "customfield_10020"


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (
            JiraFieldNames(story_points="Story Pointz"),
            "JIRA_FIELD_STORY_POINTS='Story Pointz' names no JIRA field",
        ),
        (
            JiraFieldNames(sprint="customfield_4242"),
            "JIRA_FIELD_SPRINT='customfield_4242' names no JIRA field",
        ),
        (JiraFieldNames(reviewer="Reviewer"), "JIRA_FIELD_REVIEWER='Reviewer' names no JIRA field"),
    ],
)
def test_a_setting_naming_no_field_is_an_error(names, message):
    with pytest.raises(FieldSettingError, match=message):
        resolve_field_ids([CLASSIC, ESTIMATE, SPRINT], names)


def test_a_name_shared_by_two_fields_asks_for_the_id():
    twin = {**ESTIMATE, "name": "Story Points"}
    with pytest.raises(FieldSettingError, match=r"names 2 JIRA fields.*customfield_10016.*customfield_10026"):
        resolve_field_ids([CLASSIC, twin], JiraFieldNames(story_points="story points"))


def test_team_managed_points_found_by_schema_and_field_read_once(loaded_jira, sleeps):
    """A company-managed project keeps points in "Story Points", a team-managed one in "Story
    point estimate" (its classic field is empty): both are read, whatever the setting's default."""
    loaded_jira.app.team_managed.add("FAL")
    jc = client(loaded_jira, sleeps)
    issues = [i for p in jc.issue_pages(issues_jql(project_keys=["BB", "FAL"])) for i in p.issues]
    records = {r["key"]: r for r in loaded_jira.app.issues.values()}
    estimated = [i for i in issues if records[i.key]["story_points"] is not None]
    assert {i.project_key for i in estimated} == {"BB", "FAL"}
    for issue in estimated:
        assert issue.story_points == Decimal(records[issue.key]["story_points"])
        expected = FIELD_STORY_POINT_ESTIMATE if issue.project_key == "FAL" else FIELD_STORY_POINTS
        assert issue.story_points_field == expected and issue.points_elsewhere == ""
    # Team-managed: no Epic Link, the epic is the parent.
    fal = next(i for i in issues if i.project_key == "FAL" and records[i.key]["epic_key"])
    assert fal.epic_key == records[fal.key]["epic_key"]
    # /field once for the client (the package's own field cache is filled from the same read).
    assert loaded_jira.app.requests.count("GET /rest/api/2/field") == 1


def test_a_pinned_empty_field_is_noticed_when_another_has_points(loaded_jira, sleeps):
    loaded_jira.app.team_managed.add("FAL")
    jc = client(loaded_jira, sleeps, field_names=JiraFieldNames(story_points="Story Points"))
    issues = [i for p in jc.issue_pages(issues_jql(project_keys=["FAL"])) for i in p.issues]
    estimated = [i for i in issues if loaded_jira.app.issue(i.key)["story_points"] is not None]
    assert estimated and all(i.story_points is None for i in estimated)
    assert {i.points_elsewhere for i in estimated} == {FIELDS_BY_NAME["Story point estimate"]}


def test_statuses_with_their_category(loaded_jira, sleeps):
    loaded_jira.app.statuses["Peer Review"] = "indeterminate"
    statuses = {s.name: s.category for s in client(loaded_jira, sleeps).statuses()}
    assert statuses["Peer Review"] == "indeterminate"
    assert statuses["Done"] == "done" and statuses["To Do"] == "new"


def test_myself_names_the_user_and_zone(loaded_jira, sleeps):
    loaded_jira.app.time_zone = "America/New_York"
    me = client(loaded_jira, sleeps).myself()
    assert (me.display_name, me.account_id, me.time_zone) == ("Sync bot", "bot", "America/New_York")


def test_messages_quote_no_query_string():
    url = "https://example.atlassian.net/rest/api/2/search?jql=" + "project%20in%20(A)%20AND%20" * 30
    assert len(url) > 600
    error = IntegrationError(f"JIRA answered 400 for {url}: bad JQL", service="JIRA", url=url)
    assert str(error) == "JIRA answered 400 for https://example.atlassian.net/rest/api/2/search: bad JQL"
    assert error.url == url  # the whole URL stays for the logs
    assert short_message("x" * 1000).endswith("...") and len(short_message("x" * 1000)) == 400
    path = "Max retries exceeded with url: /rest/api/2/search?jql=project+in+(BB)&startAt=0 (Caused by X)"
    assert short_message(path) == "Max retries exceeded with url: /rest/api/2/search (Caused by X)"


def test_mid_run_auth_error_is_short(loaded_jira, sleeps):
    jc = client(loaded_jira, sleeps)
    jc.field_ids()
    loaded_jira.app.token = "revoked"
    with pytest.raises(AuthError) as caught:
        list(jc.issue_pages(issues_jql(project_keys=["BB"] * 40)))
    assert "?" not in str(caught.value) and len(str(caught.value)) < 300
    assert "JIRA_API_TOKEN" in str(caught.value)
