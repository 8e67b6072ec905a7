"""The fake JIRA's data and request routing (REST v2 + Agile 1.0).

``self`` URLs follow JIRA's patterns, ``maxResults`` is echoed back clamped, and
``total``/``isLast`` are exact, because the package's paging relies on them. The bot user's
profile time zone (``time_zone``) is served by ``/myself`` and used to read JQL dates.

Besides the transport faults of :mod:`..server`, a *lost answer* can be injected per
operation: JIRA does the work, then the client never gets the answer (a 504 from the
gateway, or an answer later than the client's time-out).
"""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from opencraft_ops.integrations.fakes.data import FIELD_STORY_POINT_ESTIMATE, FIELD_STORY_POINTS, Dataset
from opencraft_ops.integrations.fakes.jira import agile
from opencraft_ops.integrations.fakes.jira.render import issue_json
from opencraft_ops.integrations.fakes.jira.search import search
from opencraft_ops.integrations.fakes.jira_schema import FIELDS, STATUS_CATEGORIES, JqlError, jira_time
from opencraft_ops.integrations.fakes.server import FakeRequest, FakeResponse, json_error

OPERATIONS = (
    "create_sprint",
    "move_issues",
    "start_sprint",
    "close_sprint",
    "update_sprint",
    "add_comment",
    "edit_issue",
)


@dataclass
class LostAnswer:
    """JIRA does ``operation`` but its answer is lost ``times`` times: a 504 from the gateway
    (``delay`` 0), or the real answer ``delay`` seconds late (longer than the client waits)."""

    operation: str
    times: int = 1
    delay: float = 0.0
    hits: int = 0


class FakeJira:
    def __init__(
        self,
        *,
        user: str = "bot@example.com",
        token: str = "jira-token",
        deployment: str = "Server",
        time_zone: str = "UTC",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.user = user
        self.token = token
        self.deployment = deployment
        self.time_zone = time_zone  # the bot user's profile zone: JQL dates are read in it
        self.clock = clock or (lambda: datetime.now(UTC).replace(microsecond=0))
        self.boards: dict[int, dict[str, Any]] = {}
        self.sprints: dict[int, dict[str, Any]] = {}
        self.issues: dict[int, dict[str, Any]] = {}
        self.keys: dict[str, int] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.corrupted: dict[int, dict[str, Any]] = {}
        self.moves: list[tuple[int, list[str]]] = []
        self.edits: list[tuple[str, dict[str, Any]]] = []  # (issue key, fields) of each edit carried out
        self.lost_answers: list[LostAnswer] = []
        self.unindexed: set[int] = set()  # left out of search results (a lagging index), not of GET
        # The site's fields (/field; remove or rename some to test discovery), workflow statuses
        # with their category (/status), and the team-managed projects (see ``render.issue_json``).
        self.fields: list[dict[str, Any]] = [dict(f) for f in FIELDS]
        self.statuses: dict[str, str] = dict(STATUS_CATEGORIES)
        self.team_managed: set[str] = set()
        self.requests: list[str] = []  # "METHOD /path" of every request answered
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

    def user_zone(self) -> tzinfo:
        """The zone JQL dates are read in: the user's, else (none set) the server's, UTC here."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return UTC

    def issue(self, key: str) -> dict[str, Any]:
        return self.issues[self.keys[key]]

    def find(self, id_or_key: str) -> dict[str, Any] | None:
        issue_id = int(id_or_key) if id_or_key.isdigit() else self.keys.get(id_or_key)
        return self.issues.get(issue_id) if issue_id is not None else None

    def add_board(self, *, board_id: int, project_key: str, name: str = "") -> None:
        with self._lock:
            self.boards[board_id] = {
                "id": board_id,
                "name": name or f"{project_key} board",
                "type": "scrum",
                "projectKey": project_key,
            }

    def new_sprint(
        self,
        *,
        name: str,
        board_id: int,
        start: datetime | None = None,
        end: datetime | None = None,
        goal: str = "",
    ) -> dict[str, Any]:
        with self._lock:
            self._next_sprint += 1
            sprint: dict[str, Any] = {
                "id": self._next_sprint,
                "name": name,
                "state": "future",
                "originBoardId": board_id,
                "startDate": start,
                "endDate": end,
                "completeDate": None,
                "goal": goal,
            }
            self.sprints[self._next_sprint] = sprint
            return sprint

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

    def delete_issue(self, key: str) -> dict[str, Any]:
        """Deletes the issue as JIRA does: it is gone from search and GET (404); the issues
        of a deleted epic lose their epic link (their ``updated`` does not change)."""
        with self._lock:
            record = self.issues.pop(self.keys.pop(key))
            self.comments.pop(record["id"], None)
            self.corrupted.pop(record["id"], None)
            self.unindexed.discard(record["id"])
            for other in self.issues.values():
                if other.get("epic_key") == key:
                    other["epic_key"] = None
            return record

    def unindex(self, key: str) -> None:
        """Search stops returning the issue (JIRA's index lags), GET still serves it."""
        with self._lock:
            self.unindexed.add(self.keys[key])

    def corrupt_issue(self, key: str, **raw_fields: Any) -> None:
        """Serve this issue with these raw ``fields`` overridden (e.g. a story points string)."""
        with self._lock:
            self.corrupted[self.keys[key]] = raw_fields

    def lose_answer(self, operation: str, *, times: int = 1, delay: float = 0.0) -> LostAnswer:
        """The next ``times`` successful ``operation`` (one of OPERATIONS) happen, unanswered."""
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; one of {', '.join(OPERATIONS)}")
        rule = LostAnswer(operation=operation, times=times, delay=delay)
        with self._lock:
            self.lost_answers.append(rule)
        return rule

    def serialise(
        self, record: dict[str, Any], request: FakeRequest, wanted: set[str] | None = None
    ) -> dict[str, Any]:
        return issue_json(
            record,
            base=request.base_url,
            sprints=self.sprints,
            epic=self.issues.get(self.keys.get(record.get("epic_key") or "", -1)),
            corrupted=self.corrupted.get(record["id"]),
            wanted=wanted,
            statuses=self.statuses,
            team_managed=record["project"] in self.team_managed,
        )

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
        with self._lock:
            try:
                response, operation = self._route(request)
            except JqlError as exc:
                return json_error(400, str(exc), jira=True)
            lost = self._lost(operation) if operation and 200 <= response.status < 300 else None
        if lost is None:
            return response
        if lost.delay:
            time.sleep(lost.delay)  # done, answered after the client gave up
            return response
        return FakeResponse(
            504, "<html><body><h1>504 Gateway Time-out</h1></body></html>", content_type="text/html"
        )

    def _lost(self, operation: str) -> LostAnswer | None:
        for rule in self.lost_answers:
            if rule.operation == operation and rule.hits < rule.times:
                rule.hits += 1
                return rule
        return None

    def _route(self, request: FakeRequest) -> tuple[FakeResponse, str]:
        path = request.path.rstrip("/")
        method = request.method
        self.requests.append(f"{method} {path}")
        if path == "/rest/api/2/serverInfo":
            return self._server_info(request), ""
        if path == "/rest/api/2/field":
            return FakeResponse(200, self.fields), ""
        if path == "/rest/api/2/status":
            return self._statuses(request), ""
        if path == "/rest/api/2/myself":
            return self._myself(request), ""
        if path in ("/rest/api/2/search", "/rest/api/2/search/jql") and method in ("GET", "POST"):
            return search(self, request, token_paging=path.endswith("/jql")), ""
        if (match := re.fullmatch(r"/rest/api/2/issue/([\w-]+)", path)) and method == "GET":
            record = self.find(match.group(1))
            return (
                FakeResponse(200, self.serialise(record, request))
                if record
                else self._no_issue(match.group(1))
            ), ""
        if (match := re.fullmatch(r"/rest/api/2/issue/([\w-]+)", path)) and method == "PUT":
            return self._edit_issue(request, match.group(1)), "edit_issue"
        if match := re.fullmatch(r"/rest/api/2/issue/([\w-]+)/comment", path):
            return self._comments(request, match.group(1)), "add_comment" if method == "POST" else ""
        if path == "/rest/agile/1.0/board" and method == "GET":
            return agile.boards(self, request), ""
        if (match := re.fullmatch(r"/rest/agile/1.0/board/(\d+)/sprint", path)) and method == "GET":
            return agile.board_sprints(self, request, int(match.group(1))), ""
        if path == "/rest/agile/1.0/sprint" and method == "POST":
            return agile.create_sprint(self, request), "create_sprint"
        if match := re.fullmatch(r"/rest/agile/1.0/sprint/(\d+)", path):
            operation = agile.sprint_operation(request) if method in ("PUT", "POST") else ""
            return agile.sprint(self, request, int(match.group(1))), operation
        if (match := re.fullmatch(r"/rest/agile/1.0/sprint/(\d+)/issue", path)) and method == "POST":
            return agile.move_issues(self, request, int(match.group(1))), "move_issues"
        return json_error(404, f"No endpoint {method} {path}", jira=True), ""

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

    def _statuses(self, request: FakeRequest) -> FakeResponse:
        keys = {"new": (2, "To Do"), "indeterminate": (4, "In Progress"), "done": (3, "Done")}
        rows = []
        for index, (name, category) in enumerate(sorted(self.statuses.items()), start=1):
            number, label = keys.get(category, (1, "No Category"))
            rows.append(
                {
                    "self": f"{request.base_url}/rest/api/2/status/{index}",
                    "id": str(index),
                    "name": name,
                    "statusCategory": {
                        "self": f"{request.base_url}/rest/api/2/statuscategory/{number}",
                        "id": number,
                        "key": category,
                        "name": label,
                    },
                }
            )
        return FakeResponse(200, rows)

    def _myself(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse(
            200,
            {
                "self": f"{request.base_url}/rest/api/2/user?accountId=bot",
                "accountId": "bot",
                "name": self.user,
                "emailAddress": self.user,
                "displayName": "Sync bot",
                "active": True,
                "timeZone": self.time_zone,
                "locale": "en_US",
            },
        )

    def _no_issue(self, key: str) -> FakeResponse:
        return json_error(
            404, f"Issue does not exist or you do not have permission to see it: {key}", jira=True
        )

    def _edit_issue(self, request: FakeRequest, id_or_key: str) -> FakeResponse:
        """``PUT /issue/{key}`` with ``{"fields": {...}}``: only the story points field is
        editable here (what the portal writes); 204 like JIRA, 400 for anything else."""
        record = self.find(id_or_key)
        if record is None:
            return self._no_issue(id_or_key)
        body = request.body if isinstance(request.body, dict) else {}
        fields = body.get("fields")
        if not isinstance(fields, dict) or not fields:
            return FakeResponse(400, {"errorMessages": ["No fields to edit."], "errors": {}})
        # The story points field on the issue's screen: its project's kind decides which.
        editable = (
            FIELD_STORY_POINT_ESTIMATE if record["project"] in self.team_managed else FIELD_STORY_POINTS
        )
        unknown = sorted(set(fields) - {editable})
        if unknown:
            return FakeResponse(
                400,
                {
                    "errorMessages": [],
                    "errors": {name: "Field cannot be set. It is not on the screen." for name in unknown},
                },
            )
        points = fields[editable]
        if points is not None and (isinstance(points, bool) or not isinstance(points, int | float)):
            return FakeResponse(400, {"errorMessages": [], "errors": {editable: "Not a number."}})
        record["story_points"] = points
        record["updated"] = self.clock()
        self.edits.append((record["key"], dict(fields)))
        return FakeResponse(204, None)

    def _comments(self, request: FakeRequest, id_or_key: str) -> FakeResponse:
        record = self.find(id_or_key)
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
