"""The fake JIRA's issue search: the bounded JQL our client writes, paged as Server or Cloud.

Clauses: project, issuetype, updated, key, sprint, joined by AND; ORDER BY key/updated/created/id
(ASC or DESC).
Anything else gets JIRA's 400. Dates in JQL are read in the searching user's time zone
(their profile's ``timeZone``), as JIRA does, at minute precision.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from opencraft_ops.integrations.fakes.jira_schema import (
    CLAUSE_KEY_IN,
    CLAUSE_PROJECT_EQ,
    CLAUSE_PROJECT_IN,
    CLAUSE_SPRINT,
    CLAUSE_TYPE,
    CLAUSE_UPDATED,
    SEARCH_MAX,
    JqlError,
    jql_values,
)
from opencraft_ops.integrations.fakes.server import FakeRequest, FakeResponse, json_error

if TYPE_CHECKING:
    from opencraft_ops.integrations.fakes.jira.app import FakeJira

JQL_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


def jql_date(value: str, tz: tzinfo) -> datetime:
    """A JQL date literal in the user's zone (an ambiguous local time takes the earlier offset)."""
    for fmt in JQL_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{value}' for field 'updated' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd'."
    )


def _compare(updated: datetime, op: str, when: datetime) -> bool:
    minute = updated.replace(second=0, microsecond=0)  # JIRA compares at minute precision
    return {">=": minute >= when, ">": minute > when, "<=": minute <= when, "<": minute < when}[op]


def matching_issues(app: FakeJira, jql: str) -> list[dict[str, Any]]:
    text = jql.strip()
    order, descending = "key", False
    split = re.split(r"\s+ORDER\s+BY\s+", text, flags=re.I)
    if len(split) == 2:
        text, order = split[0], split[1].split(",")[0].split()[0].lower()
        descending = split[1].split(",")[0].split()[-1].lower() == "desc"
        if order not in ("key", "updated", "created", "id"):
            raise JqlError(f"Not able to sort using field '{order}'.")
    rows = [r for r in app.issues.values() if r["id"] not in app.unindexed]
    for clause in [c.strip() for c in re.split(r"\s+AND\s+", text, flags=re.I) if c.strip()]:
        if m := CLAUSE_PROJECT_IN.match(clause):
            projects = set(jql_values(m.group("values")))
            rows = [r for r in rows if r["project"] in projects]
        elif m := CLAUSE_PROJECT_EQ.match(clause):
            rows = [r for r in rows if r["project"] == m.group("value")]
        elif m := CLAUSE_KEY_IN.match(clause):
            keys = set(jql_values(m.group("values")))
            rows = [r for r in rows if r["key"] in keys]
        elif m := CLAUSE_TYPE.match(clause):
            wanted = m.group("value").strip().lower()
            same = m.group("op") == "="
            rows = [r for r in rows if (r["issuetype"].lower() == wanted) == same]
        elif m := CLAUSE_UPDATED.match(clause):
            when = jql_date(m.group("value"), app.user_zone())
            op = m.group("op")
            rows = [r for r in rows if _compare(r["updated"], op, when)]
        elif m := CLAUSE_SPRINT.match(clause):
            sprint_id = int(m.group("value"))
            rows = [r for r in rows if sprint_id in (r.get("sprint_ids") or [])]
        else:
            raise JqlError(f"Error in the JQL Query: unsupported clause '{clause}'.")

    def sort_key(r: dict[str, Any]) -> tuple[Any, ...]:
        if order == "updated":
            return (r["updated"], r["id"])
        if order == "created":
            return (r["created"], r["id"])
        if order == "id":
            return (r["id"],)
        project, _, number = r["key"].rpartition("-")
        return (project, int(number))

    rows.sort(key=sort_key, reverse=descending)
    return rows


def search(app: FakeJira, request: FakeRequest, *, token_paging: bool) -> FakeResponse:
    params: dict[str, Any] = {k: (v if len(v) > 1 else v[-1]) for k, v in request.query.items()}
    if request.method == "POST" and isinstance(request.body, dict):
        params.update(request.body)
    jql = params.get("jql") or ""
    if token_paging and app.deployment != "Cloud":
        return json_error(404, "search/jql is a Cloud endpoint", jira=True)
    try:
        max_results = min(int(params.get("maxResults") or 50), SEARCH_MAX)
        start_at = int(params.get("nextPageToken") or 0) if token_paging else int(params.get("startAt") or 0)
    except ValueError:
        return json_error(400, "startAt, maxResults and nextPageToken must be numbers", jira=True)
    raw_fields = params.get("fields") or "*all"
    field_list = raw_fields if isinstance(raw_fields, list) else [raw_fields]
    wanted = {f.strip() for item in field_list for f in str(item).split(",") if f.strip()}
    rows = matching_issues(app, jql)
    page = rows[start_at : start_at + max_results]
    issues = [app.serialise(r, request, wanted) for r in page]
    if token_paging:
        body: dict[str, Any] = {"issues": issues, "isLast": start_at + max_results >= len(rows)}
        if not body["isLast"]:
            body["nextPageToken"] = str(start_at + max_results)
        return FakeResponse(200, body)
    return FakeResponse(
        200,
        {
            "expand": "schema,names",
            "startAt": start_at,
            "maxResults": max_results,
            "total": len(rows),
            "issues": issues,
        },
    )
