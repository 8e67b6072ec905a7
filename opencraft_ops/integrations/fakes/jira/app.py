"""A fake JIRA (REST v2 + Agile 1.0) speaking the payloads the ``jira`` package reads.

``self`` URLs follow JIRA's patterns, ``maxResults`` is echoed back clamped,
and ``total``/``isLast`` are exact, because the package's paging relies on them.
Search understands the bounded JQL our client writes (project, issuetype,
updated, key, sprint clauses joined by AND, ORDER BY key/updated); anything
else gets JIRA's 400 with ``errorMessages``.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from opencraft_ops.integrations.fakes.data import (
    FIELD_ACCOUNT,
    FIELD_EPIC_LINK,
    FIELD_REVIEWER,
    FIELD_SPRINT,
    FIELD_STORY_POINTS,
    Dataset,
)
from opencraft_ops.integrations.fakes.jira_schema import (
    AGILE_MAX,
    CLAUSE_KEY_IN,
    CLAUSE_PROJECT_EQ,
    CLAUSE_PROJECT_IN,
    CLAUSE_SPRINT,
    CLAUSE_TYPE,
    CLAUSE_UPDATED,
    FIELDS,
    MOVE_MAX,
    SEARCH_MAX,
    STATUS_CATEGORIES,
    JqlError,
    agile_time,
    jira_time,
    jql_values,
    parse_time,
)
from opencraft_ops.integrations.fakes.server import FakeRequest, FakeResponse, json_error


class FakeJira:
    def __init__(
        self,
        *,
        user: str = "bot@example.com",
        token: str = "jira-token",
        deployment: str = "Server",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.user = user
        self.token = token
        self.deployment = deployment
        self.clock = clock or (lambda: datetime.now(UTC).replace(microsecond=0))
        self.boards: dict[int, dict[str, Any]] = {}
        self.sprints: dict[int, dict[str, Any]] = {}
        self.issues: dict[int, dict[str, Any]] = {}
        self.keys: dict[str, int] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.corrupted: dict[int, dict[str, Any]] = {}
        self.moves: list[tuple[int, list[str]]] = []
        self._lock = threading.RLock()
        self._next_sprint = 5000
        self._next_issue = 90000
        self._next_comment = 10000

    # --- data ---------------------------------------------------------------
    def load(self, data: Dataset) -> None:
        with self._lock:
            for board in data.boards:
                self.boards[board["id"]] = dict(board)
            for sprint in data.sprints:
                self.sprints[sprint["id"]] = dict(sprint)
            for issue in data.issues:
                self.issues[issue["id"]] = dict(issue)
                self.keys[issue["key"]] = issue["id"]

    def issue(self, key: str) -> dict[str, Any]:
        return self.issues[self.keys[key]]

    def add_board(self, *, board_id: int, project_key: str, name: str = "") -> None:
        with self._lock:
            self.boards[board_id] = {
                "id": board_id,
                "name": name or f"{project_key} board",
                "type": "scrum",
                "projectKey": project_key,
            }

    def add_issue(
        self, *, project: str, summary: str, issuetype: str = "Story", **fields: Any
    ) -> dict[str, Any]:
        with self._lock:
            self._next_issue += 1
            number = 1 + max(
                (int(k.rsplit("-", 1)[1]) for k in self.keys if k.startswith(f"{project}-")), default=0
            )
            now = self.clock()
            record: dict[str, Any] = {
                "id": self._next_issue,
                "key": f"{project}-{number}",
                "project": project,
                "summary": summary,
                "issuetype": issuetype,
                "status": "To Do",
                "assignee": None,
                "reviewer": None,
                "story_points": None,
                "sprint_ids": [],
                "account_id": None,
                "epic_key": None,
                "labels": [],
                "original_estimate": None,
                "remaining_estimate": None,
                "time_spent": 0,
                "created": now,
                "updated": now,
            }
            record.update(fields)
            self.issues[record["id"]] = record
            self.keys[record["key"]] = record["id"]
            return record

    def update_issue(self, key: str, **changes: Any) -> dict[str, Any]:
        with self._lock:
            record = self.issue(key)
            record.update(changes)
            record["updated"] = self.clock()
            return record

    def corrupt_issue(self, key: str, **raw_fields: Any) -> None:
        """Serve this issue with these raw ``fields`` overridden (e.g. a story points string)."""
        with self._lock:
            self.corrupted[self.keys[key]] = raw_fields

    # --- HTTP -----------------------------------------------------------------
    def authorised(self, headers: dict[str, str]) -> bool:
        value = headers.get("authorization", "")
        if value == f"Bearer {self.token}":
            return True
        if value.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(value[6:]).decode().partition(":")
            except ValueError:
                return False
            return user == self.user and password == self.token
        return False

    def handle(self, request: FakeRequest) -> FakeResponse:
        path = request.path.rstrip("/")
        method = request.method
        try:
            with self._lock:
                if path == "/rest/api/2/serverInfo":
                    return self._server_info(request)
                if path == "/rest/api/2/field":
                    return FakeResponse(200, FIELDS)
                if path == "/rest/api/2/myself":
                    return FakeResponse(
                        200, {"accountId": "bot", "name": self.user, "displayName": "Sync bot"}
                    )
                if path in ("/rest/api/2/search", "/rest/api/2/search/jql") and method in ("GET", "POST"):
                    return self._search(request, token_paging=path.endswith("/jql"))
                match = re.fullmatch(r"/rest/api/2/issue/([\w-]+)", path)
                if match and method == "GET":
                    record = self._find(match.group(1))
                    return (
                        FakeResponse(200, self.serialise(record, request))
                        if record
                        else self._no_issue(match.group(1))
                    )
                match = re.fullmatch(r"/rest/api/2/issue/([\w-]+)/comment", path)
                if match:
                    return self._comments(request, match.group(1))
                if path == "/rest/agile/1.0/board" and method == "GET":
                    boards = [
                        self._board(b, request) for b in sorted(self.boards.values(), key=lambda b: b["id"])
                    ]
                    return self._agile_page(request, boards)
                match = re.fullmatch(r"/rest/agile/1.0/board/(\d+)/sprint", path)
                if match and method == "GET":
                    return self._board_sprints(request, int(match.group(1)))
                if path == "/rest/agile/1.0/sprint" and method == "POST":
                    return self._create_sprint(request)
                match = re.fullmatch(r"/rest/agile/1.0/sprint/(\d+)", path)
                if match:
                    return self._sprint(request, int(match.group(1)))
                match = re.fullmatch(r"/rest/agile/1.0/sprint/(\d+)/issue", path)
                if match and method == "POST":
                    return self._move(request, int(match.group(1)))
        except JqlError as exc:
            return json_error(400, str(exc), jira=True)
        return json_error(404, f"No endpoint {method} {path}", jira=True)

    def _server_info(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse(
            200,
            {
                "baseUrl": request.base_url,
                "version": "9.12.0" if self.deployment == "Server" else "1001.0.0",
                "versionNumbers": [9, 12, 0] if self.deployment == "Server" else [1001, 0, 0],
                "deploymentType": self.deployment,
                "buildNumber": 9120000,
                "serverTitle": "Fake JIRA",
            },
        )

    def _no_issue(self, key: str) -> FakeResponse:
        return json_error(
            404, f"Issue does not exist or you do not have permission to see it: {key}", jira=True
        )

    def _find(self, id_or_key: str) -> dict[str, Any] | None:
        issue_id = int(id_or_key) if id_or_key.isdigit() else self.keys.get(id_or_key)
        return self.issues.get(issue_id) if issue_id is not None else None

    def _sprint_json(self, sprint: dict[str, Any], request: FakeRequest) -> dict[str, Any]:
        raw = {
            "id": sprint["id"],
            "self": f"{request.base_url}/rest/agile/1.0/sprint/{sprint['id']}",
            "state": sprint["state"],
            "name": sprint["name"],
            "originBoardId": sprint["originBoardId"],
            "goal": sprint.get("goal") or "",
        }
        for name in ("startDate", "endDate", "completeDate"):
            if sprint.get(name):
                raw[name] = agile_time(sprint[name])
        return raw

    def serialise(
        self, record: dict[str, Any], request: FakeRequest, wanted: set[str] | None = None
    ) -> dict[str, Any]:
        base = request.base_url
        status = record["status"]
        category = STATUS_CATEGORIES.get(status, "indeterminate")

        def user(account_id: str | None) -> dict[str, Any] | None:
            if not account_id:
                return None
            return {
                "self": f"{base}/rest/api/2/user?accountId={account_id}",
                "accountId": account_id,
                "displayName": account_id,
                "active": True,
            }

        epic = self.issues.get(self.keys.get(record.get("epic_key") or "", -1))
        fields: dict[str, Any] = {
            "summary": record["summary"],
            "status": {
                "self": f"{base}/rest/api/2/status/1",
                "name": status,
                "statusCategory": {"self": f"{base}/rest/api/2/statuscategory/1", "key": category},
            },
            "assignee": user(record.get("assignee")),
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
            FIELD_STORY_POINTS: record.get("story_points"),
            FIELD_SPRINT: [
                {**self._sprint_json(self.sprints[s], request), "boardId": self.sprints[s]["originBoardId"]}
                for s in record.get("sprint_ids") or []
                if s in self.sprints
            ]
            or None,
            FIELD_EPIC_LINK: record.get("epic_key"),
            FIELD_REVIEWER: user(record.get("reviewer")),
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
        fields.update(self.corrupted.get(record["id"], {}))
        if wanted and "*all" not in wanted:
            fields = {k: v for k, v in fields.items() if k in wanted}
        return {
            "expand": "",
            "id": str(record["id"]),
            "self": f"{base}/rest/api/2/issue/{record['id']}",
            "key": record["key"],
            "fields": fields,
        }

    def _matches(self, jql: str) -> tuple[list[dict[str, Any]], str]:
        text = jql.strip()
        order = "key"
        split = re.split(r"\s+ORDER\s+BY\s+", text, flags=re.I)
        if len(split) == 2:
            text, order = split[0], split[1].split(",")[0].split()[0].lower()
            if order not in ("key", "updated", "created", "id"):
                raise JqlError(f"Not able to sort using field '{order}'.")
        rows = list(self.issues.values())
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
                value = m.group("value")
                when = datetime.strptime(value, "%Y-%m-%d %H:%M" if " " in value else "%Y-%m-%d").replace(
                    tzinfo=UTC
                )
                op = m.group("op")
                # JIRA compares at minute precision
                rows = [
                    r
                    for r in rows
                    if {
                        ">=": r["updated"].replace(second=0) >= when,
                        ">": r["updated"].replace(second=0) > when,
                        "<=": r["updated"].replace(second=0) <= when,
                        "<": r["updated"].replace(second=0) < when,
                    }[op]
                ]
            elif m := CLAUSE_SPRINT.match(clause):
                sprint_id = int(m.group("value"))
                rows = [r for r in rows if sprint_id in (r.get("sprint_ids") or [])]
            else:
                raise JqlError(f"Error in the JQL Query: unsupported clause '{clause}'.")

        def sort_key(r: dict[str, Any]) -> tuple[Any, ...]:
            if order == "updated":
                return (r["updated"], r["id"])
            if order in ("created", "id"):
                return (r[order] if order == "created" else r["id"], r["id"])
            project, _, number = r["key"].rpartition("-")
            return (project, int(number))

        rows.sort(key=sort_key)
        return rows, order

    def _search(self, request: FakeRequest, *, token_paging: bool) -> FakeResponse:
        params: dict[str, Any] = {k: (v if len(v) > 1 else v[-1]) for k, v in request.query.items()}
        if request.method == "POST" and isinstance(request.body, dict):
            params.update(request.body)
        jql = params.get("jql") or ""
        if token_paging and self.deployment != "Cloud":
            return json_error(404, "search/jql is a Cloud endpoint", jira=True)
        try:
            max_results = min(int(params.get("maxResults") or 50), SEARCH_MAX)
            start_at = (
                int(params.get("nextPageToken") or 0) if token_paging else int(params.get("startAt") or 0)
            )
        except ValueError:
            return json_error(400, "startAt, maxResults and nextPageToken must be numbers", jira=True)
        raw_fields = params.get("fields") or "*all"
        field_list = raw_fields if isinstance(raw_fields, list) else [raw_fields]
        wanted = {f.strip() for item in field_list for f in str(item).split(",") if f.strip()}
        rows, _ = self._matches(jql)
        page = rows[start_at : start_at + max_results]
        issues = [self.serialise(r, request, wanted) for r in page]
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

    def _comments(self, request: FakeRequest, id_or_key: str) -> FakeResponse:
        record = self._find(id_or_key)
        if record is None:
            return self._no_issue(id_or_key)
        comments = self.comments.setdefault(record["id"], [])
        if request.method == "POST":
            body = request.body if isinstance(request.body, dict) else {}
            text = body.get("body")
            if not isinstance(text, str) or not text.strip():
                return FakeResponse(
                    400, {"errorMessages": [], "errors": {"comment": "Comment body can not be empty!"}}
                )
            self._next_comment += 1
            now = jira_time(self.clock())
            comment = {
                "self": f"{request.base_url}/rest/api/2/issue/{record['id']}/comment/{self._next_comment}",
                "id": str(self._next_comment),
                "author": {"accountId": "bot", "displayName": "Sync bot"},
                "body": text,
                "created": now,
                "updated": now,
            }
            comments.append(comment)
            return FakeResponse(201, comment)
        if request.method != "GET":
            return json_error(405, "Method not allowed", jira=True)
        start = request.int_arg("startAt", 0)
        limit = min(request.int_arg("maxResults", 5000), 5000)
        page = comments[start : start + limit]
        return FakeResponse(
            200, {"startAt": start, "maxResults": limit, "total": len(comments), "comments": page}
        )

    def _board(self, board: dict[str, Any], request: FakeRequest) -> dict[str, Any]:
        return {
            "id": board["id"],
            "self": f"{request.base_url}/rest/agile/1.0/board/{board['id']}",
            "name": board["name"],
            "type": board.get("type", "scrum"),
            "location": {
                "projectKey": board["projectKey"],
                "displayName": board["projectKey"],
                "name": board["projectKey"],
                "projectTypeKey": "software",
            },
        }

    def _agile_page(self, request: FakeRequest, values: list[dict[str, Any]]) -> FakeResponse:
        start = request.int_arg("startAt", 0)
        limit = min(request.int_arg("maxResults", AGILE_MAX), AGILE_MAX)
        page = values[start : start + limit]
        return FakeResponse(
            200,
            {
                "maxResults": limit,
                "startAt": start,
                "total": len(values),
                "isLast": start + limit >= len(values),
                "values": page,
            },
        )

    def _board_sprints(self, request: FakeRequest, board_id: int) -> FakeResponse:
        if board_id not in self.boards:
            return json_error(
                404, f"Board {board_id} does not exist or you do not have permission to see it.", jira=True
            )
        states = {s.strip() for s in (request.arg("state") or "").split(",") if s.strip()}
        unknown = states - {"future", "active", "closed"}
        if unknown:
            return json_error(400, f"Unknown sprint state {sorted(unknown)}", jira=True)
        rows = [
            self._sprint_json(s, request)
            for s in sorted(self.sprints.values(), key=lambda s: s["id"])
            if s["originBoardId"] == board_id and (not states or s["state"] in states)
        ]
        return self._agile_page(request, rows)

    def _create_sprint(self, request: FakeRequest) -> FakeResponse:
        body = request.body if isinstance(request.body, dict) else {}
        name = body.get("name")
        board_id = body.get("originBoardId")
        if not name or board_id not in self.boards:
            return FakeResponse(
                400,
                {"errorMessages": [], "errors": {"originBoardId": "A valid board and a name are required."}},
            )
        self._next_sprint += 1
        sprint = {
            "id": self._next_sprint,
            "name": name,
            "state": "future",
            "originBoardId": board_id,
            "startDate": parse_time(body.get("startDate")),
            "endDate": parse_time(body.get("endDate")),
            "completeDate": None,
            "goal": body.get("goal") or "",
        }
        self.sprints[sprint["id"]] = sprint
        return FakeResponse(201, self._sprint_json(sprint, request))

    def _sprint(self, request: FakeRequest, sprint_id: int) -> FakeResponse:
        sprint = self.sprints.get(sprint_id)
        if sprint is None:
            return json_error(404, f"Sprint {sprint_id} does not exist.", jira=True)
        if request.method == "GET":
            return FakeResponse(200, self._sprint_json(sprint, request))
        if request.method not in ("PUT", "POST"):
            return json_error(405, "Method not allowed", jira=True)
        body = request.body if isinstance(request.body, dict) else {}
        state = body.get("state", sprint["state"])
        start = parse_time(body.get("startDate")) or sprint.get("startDate")
        end = parse_time(body.get("endDate")) or sprint.get("endDate")
        allowed = {
            ("future", "future"),
            ("future", "active"),
            ("active", "active"),
            ("active", "closed"),
            ("closed", "closed"),
        }
        if (sprint["state"], state) not in allowed:
            return FakeResponse(
                400, {"errorMessages": [f"Cannot move a {sprint['state']} sprint to {state}."], "errors": {}}
            )
        if state == "active" and (start is None or end is None):
            return FakeResponse(
                400, {"errorMessages": [], "errors": {"startDate": "A sprint needs dates to start."}}
            )
        if state == "closed" and sprint["state"] != "closed":
            sprint["completeDate"] = self.clock()
        sprint.update(
            {
                "state": state,
                "startDate": start,
                "endDate": end,
                "name": body.get("name") or sprint["name"],
                "goal": body.get("goal", sprint.get("goal", "")),
            }
        )
        return FakeResponse(200, self._sprint_json(sprint, request))

    def _move(self, request: FakeRequest, sprint_id: int) -> FakeResponse:
        sprint = self.sprints.get(sprint_id)
        if sprint is None:
            return json_error(404, f"Sprint {sprint_id} does not exist.", jira=True)
        if sprint["state"] == "closed":
            return json_error(400, "Cannot move issues to a closed sprint.", jira=True)
        keys = (request.body or {}).get("issues") if isinstance(request.body, dict) else None
        if not isinstance(keys, list) or not keys:
            return json_error(400, "issues is required", jira=True)
        if len(keys) > MOVE_MAX:
            return json_error(400, f"At most {MOVE_MAX} issues can be moved at once.", jira=True)
        records = [self._find(str(k)) for k in keys]
        missing = [k for k, r in zip(keys, records, strict=True) if r is None]
        if missing:
            return json_error(400, f"Issues do not exist: {', '.join(map(str, missing))}", jira=True)
        for record in records:
            assert record is not None
            kept = [
                s for s in record.get("sprint_ids") or [] if self.sprints.get(s, {}).get("state") == "closed"
            ]
            record["sprint_ids"] = [*kept, sprint_id]
            record["updated"] = self.clock()
        self.moves.append((sprint_id, [str(k) for k in keys]))
        return FakeResponse(204, None)
