"""Writing story points to JIRA (``PUT /issue/{key}``) against the fake JIRA."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from opencraft_ops.integrations.config import jira_client
from opencraft_ops.integrations.http import IntegrationError, RemoteError


def test_points_are_written_and_read_back(fake_jira: Any) -> None:
    issue = fake_jira.app.add_issue(project="BB", summary="Estimate me")
    client = jira_client()
    client.set_story_points(issue["key"], Decimal("2.5"))
    assert fake_jira.app.issue(issue["key"])["story_points"] == 2.5
    remote = client.issue(issue["key"])
    assert remote is not None and remote.story_points == Decimal("2.5")
    client.set_story_points(issue["key"], Decimal("5"))
    assert fake_jira.app.issue(issue["key"])["story_points"] == 5
    assert [fields for _, fields in fake_jira.app.edits] == [
        {"customfield_10016": 2.5},
        {"customfield_10016": 5},
    ]


def test_a_lost_answer_is_not_sent_again(fake_jira: Any) -> None:
    issue = fake_jira.app.add_issue(project="BB", summary="Estimate me")
    fake_jira.app.lose_answer("edit_issue")
    with pytest.raises(IntegrationError):
        jira_client().set_story_points(issue["key"], Decimal("3"))
    # JIRA did it once; the client did not send it again after the 504.
    assert len(fake_jira.app.edits) == 1 and fake_jira.app.issue(issue["key"])["story_points"] == 3


def test_a_missing_issue_is_a_404(fake_jira: Any) -> None:
    with pytest.raises(RemoteError) as caught:
        jira_client().set_story_points("BB-404", Decimal("3"))
    assert caught.value.status == 404 and fake_jira.app.edits == []
