"""The fake JIRA's field list, JQL clause patterns and time formats."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from opencraft_ops.integrations.fakes.data import (
    FIELD_ACCOUNT,
    FIELD_EPIC_LINK,
    FIELD_REVIEWER,
    FIELD_SPRINT,
    FIELD_STORY_POINT_ESTIMATE,
    FIELD_STORY_POINTS,
)

SEARCH_MAX = 100
AGILE_MAX = 50
MOVE_MAX = 50
# The workflow statuses of the site and their categories (``/rest/api/2/status``); a status
# not listed here is served in the "indeterminate" category.
STATUS_CATEGORIES = {
    "Backlog": "new",
    "To Do": "new",
    "Stretch Goals": "new",
    "In Progress": "indeterminate",
    "Code Review": "indeterminate",
    "External Review": "indeterminate",
    "Merged": "indeterminate",
    "Long External Review/Blocked": "indeterminate",
    "Deployed & Delivered": "done",
    "Done": "done",
    "Prospect": "new",
    "Offer / Waiting on client": "new",
    "Accepted": "new",
    "In Development": "indeterminate",
    "Delivered to client / QA": "indeterminate",
}

FIELDS: list[dict[str, Any]] = [
    {
        "id": "summary",
        "name": "Summary",
        "custom": False,
        "clauseNames": ["summary"],
        "schema": {"type": "string", "system": "summary"},
    },
    {
        "id": "status",
        "name": "Status",
        "custom": False,
        "clauseNames": ["status"],
        "schema": {"type": "status", "system": "status"},
    },
    {
        "id": "assignee",
        "name": "Assignee",
        "custom": False,
        "clauseNames": ["assignee"],
        "schema": {"type": "user", "system": "assignee"},
    },
    {
        "id": "issuetype",
        "name": "Issue Type",
        "custom": False,
        "clauseNames": ["issuetype", "type"],
        "schema": {"type": "issuetype", "system": "issuetype"},
    },
    {
        "id": "labels",
        "name": "Labels",
        "custom": False,
        "clauseNames": ["labels"],
        "schema": {"type": "array", "items": "string", "system": "labels"},
    },
    {
        "id": "project",
        "name": "Project",
        "custom": False,
        "clauseNames": ["project"],
        "schema": {"type": "project", "system": "project"},
    },
    {
        "id": "updated",
        "name": "Updated",
        "custom": False,
        "clauseNames": ["updated", "updatedDate"],
        "schema": {"type": "datetime", "system": "updated"},
    },
    {
        "id": "created",
        "name": "Created",
        "custom": False,
        "clauseNames": ["created", "createdDate"],
        "schema": {"type": "datetime", "system": "created"},
    },
    {
        "id": "parent",
        "name": "Parent",
        "custom": False,
        "clauseNames": ["parent"],
        "schema": {"type": "issuelink", "system": "parent"},
    },
    {
        "id": "timeoriginalestimate",
        "name": "Original Estimate",
        "custom": False,
        "clauseNames": ["originalEstimate"],
        "schema": {"type": "number", "system": "timeoriginalestimate"},
    },
    {
        "id": "timeestimate",
        "name": "Remaining Estimate",
        "custom": False,
        "clauseNames": ["remainingEstimate"],
        "schema": {"type": "number", "system": "timeestimate"},
    },
    {
        "id": "timespent",
        "name": "Time Spent",
        "custom": False,
        "clauseNames": ["timespent"],
        "schema": {"type": "number", "system": "timespent"},
    },
    {
        "id": FIELD_STORY_POINTS,
        "name": "Story Points",
        "custom": True,
        "clauseNames": ["cf[10016]", "Story Points"],
        "schema": {
            "type": "number",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
            "customId": 10016,
        },
    },
    {
        "id": FIELD_STORY_POINT_ESTIMATE,
        "name": "Story point estimate",
        "custom": True,
        "clauseNames": ["cf[10026]", "Story point estimate"],
        "schema": {
            "type": "number",
            "custom": "com.pyxis.greenhopper.jira:jsw-story-points",
            "customId": 10026,
        },
    },
    {
        "id": FIELD_SPRINT,
        "name": "Sprint",
        "custom": True,
        "clauseNames": ["cf[10020]", "Sprint"],
        "schema": {
            "type": "array",
            "items": "json",
            "custom": "com.pyxis.greenhopper.jira:gh-sprint",
            "customId": 10020,
        },
    },
    {
        "id": FIELD_EPIC_LINK,
        "name": "Epic Link",
        "custom": True,
        "clauseNames": ["cf[10014]", "Epic Link"],
        "schema": {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link", "customId": 10014},
    },
    {
        "id": FIELD_REVIEWER,
        "name": "Reviewer",
        "custom": True,
        "clauseNames": ["cf[10040]", "Reviewer"],
        "schema": {
            "type": "user",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:userpicker",
            "customId": 10040,
        },
    },
    {
        "id": FIELD_ACCOUNT,
        "name": "Account",
        "custom": True,
        "clauseNames": ["cf[10050]", "Account"],
        "schema": {"type": "option2", "custom": "io.tempo.jira__account", "customId": 10050},
    },
]

CLAUSE_PROJECT_IN = re.compile(r"^project\s+in\s*\((?P<values>[^)]*)\)$", re.I)
CLAUSE_PROJECT_EQ = re.compile(r'^project\s*=\s*"?(?P<value>[\w-]+)"?$', re.I)
CLAUSE_KEY_IN = re.compile(r"^key\s+in\s*\((?P<values>[^)]*)\)$", re.I)
CLAUSE_TYPE = re.compile(r'^(issuetype|type)\s*(?P<op>=|!=)\s*"?(?P<value>[\w -]+?)"?$', re.I)
CLAUSE_UPDATED = re.compile(r'^updated\s*(?P<op>>=|>|<=|<)\s*"(?P<value>[\d/-]+(?: [\d:]+)?)"$', re.I)
CLAUSE_SPRINT = re.compile(r"^sprint\s*=\s*(?P<value>\d+)$", re.I)


def jira_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def agile_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    if len(text) == 10:
        text += "T00:00:00+00:00"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def jql_values(text: str) -> list[str]:
    return [v.strip().strip('"').strip("'") for v in text.split(",") if v.strip()]


class JqlError(ValueError):
    pass
