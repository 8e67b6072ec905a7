"""The fake JIRA's JSON: issues, Agile sprints and boards, with ``self`` URLs in JIRA's patterns
(the ``jira`` package picks its resource classes by matching them)."""

from __future__ import annotations

from typing import Any

from opencraft_ops.integrations.fakes.data import (
    FIELD_ACCOUNT,
    FIELD_EPIC_LINK,
    FIELD_REVIEWER,
    FIELD_SPRINT,
    FIELD_STORY_POINT_ESTIMATE,
    FIELD_STORY_POINTS,
)
from opencraft_ops.integrations.fakes.jira_schema import agile_time, jira_time


def sprint_json(sprint: dict[str, Any], base: str) -> dict[str, Any]:
    raw = {
        "id": sprint["id"],
        "self": f"{base}/rest/agile/1.0/sprint/{sprint['id']}",
        "state": sprint["state"],
        "name": sprint["name"],
        "originBoardId": sprint["originBoardId"],
        "goal": sprint.get("goal") or "",
    }
    for name in ("startDate", "endDate", "completeDate", "activatedDate"):
        if sprint.get(name):
            raw[name] = agile_time(sprint[name])
    return raw


def board_json(board: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        "id": board["id"],
        "self": f"{base}/rest/agile/1.0/board/{board['id']}",
        "name": board["name"],
        "type": board.get("type", "scrum"),
        "location": {
            "projectKey": board["projectKey"],
            "displayName": board["projectKey"],
            "name": board["projectKey"],
            "projectTypeKey": "software",
        },
    }


def _user(account_id: str | None, base: str) -> dict[str, Any] | None:
    if not account_id:
        return None
    return {
        "self": f"{base}/rest/api/2/user?accountId={account_id}",
        "accountId": account_id,
        "displayName": account_id,
        "active": True,
    }


def issue_json(
    record: dict[str, Any],
    *,
    base: str,
    sprints: dict[int, dict[str, Any]],
    epic: dict[str, Any] | None,
    corrupted: dict[str, Any] | None = None,
    wanted: set[str] | None = None,
    statuses: dict[str, str] | None = None,
    team_managed: bool = False,
) -> dict[str, Any]:
    """One issue as REST v2 serves it; ``corrupted`` overrides raw fields (fault injection).

    ``statuses`` gives the status categories; an issue of a ``team_managed`` project keeps its
    points in "Story point estimate" (the classic "Story Points" is empty) and has no Epic
    Link (its epic is its parent)."""
    status = record["status"]
    category = (statuses or {}).get(status, "indeterminate")
    points = record.get("story_points")
    fields: dict[str, Any] = {
        "summary": record["summary"],
        "status": {
            "self": f"{base}/rest/api/2/status/1",
            "name": status,
            "statusCategory": {"self": f"{base}/rest/api/2/statuscategory/1", "key": category},
        },
        "assignee": _user(record.get("assignee"), base),
        "issuetype": {
            "self": f"{base}/rest/api/2/issuetype/1",
            "name": record["issuetype"],
            "subtask": False,
        },
        "labels": list(record.get("labels") or []),
        "project": {"self": f"{base}/rest/api/2/project/{record['project']}", "key": record["project"]},
        "updated": jira_time(record["updated"]),
        "created": jira_time(record["created"]),
        "timeoriginalestimate": record.get("original_estimate"),
        "timeestimate": record.get("remaining_estimate"),
        "timespent": record.get("time_spent") or None,
        # Like JIRA, an issue carries only the story points field of its project's kind.
        (FIELD_STORY_POINT_ESTIMATE if team_managed else FIELD_STORY_POINTS): points,
        FIELD_SPRINT: [
            {**sprint_json(sprints[s], base), "boardId": sprints[s]["originBoardId"]}
            for s in record.get("sprint_ids") or []
            if s in sprints
        ]
        or None,
        FIELD_EPIC_LINK: None if team_managed else record.get("epic_key"),
        FIELD_REVIEWER: _user(record.get("reviewer"), base),
        FIELD_ACCOUNT: {"id": record["account_id"], "value": str(record["account_id"])}
        if record.get("account_id")
        else None,
        "parent": {
            "id": str(epic["id"]),
            "key": epic["key"],
            "self": f"{base}/rest/api/2/issue/{epic['id']}",
            "fields": {"issuetype": {"name": "Epic"}},
        }
        if epic
        else None,
    }
    fields.update(corrupted or {})
    if wanted and "*all" not in wanted:
        fields = {k: v for k, v in fields.items() if k in wanted}
    return {
        "expand": "",
        "id": str(record["id"]),
        "self": f"{base}/rest/api/2/issue/{record['id']}",
        "key": record["key"],
        "fields": fields,
    }
