"""JIRA client over the ``jira`` package (REST v2 + Agile 1.0).

Returns frozen dataclasses and imports no Django model. Custom field ids
differ per site, so they are resolved once from ``/rest/api/2/field`` by the
configured names, falling back to the fields' schema types.

Retries: the package itself retries 429/503 and connection errors (waiting
``Retry-After``); this wrapper also retries 500/502/504 and read time-outs
three times, and turns 401/403 into :class:`AuthError` naming the settings.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import requests
from dateutil import parser as dateparser
from jira import JIRA, JIRAError

from opencraft_ops.integrations.http import (
    AuthError,
    IntegrationError,
    NotConfigured,
    RemoteError,
    RetryPolicy,
    TransportError,
)
from opencraft_ops.integrations.tempo import SkippedRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

MOVE_BATCH = 50  # JIRA moves at most 50 issues to a sprint per request
SEARCH_PAGE = 100
SCHEMA_STORY_POINTS = (
    "com.pyxis.greenhopper.jira:jsw-story-points",
    "com.atlassian.jira.plugin.system.customfieldtypes:float",
)
SCHEMA_SPRINT = ("com.pyxis.greenhopper.jira:gh-sprint",)
SCHEMA_EPIC_LINK = ("com.pyxis.greenhopper.jira:gh-epic-link",)
SCHEMA_ACCOUNT = ("io.tempo.jira__account", "com.tempoplugin.tempo-accounts:accounts.customfield")
SCHEMA_REVIEWER = ("com.atlassian.jira.plugin.system.customfieldtypes:userpicker",)


@dataclass(frozen=True)
class JiraFieldNames:
    """The configured display names of the custom fields (settings JIRA_FIELD_*)."""

    story_points: str = "Story Points"
    sprint: str = "Sprint"
    reviewer: str = "Reviewer"
    account: str = "Account"
    epic_link: str = "Epic Link"


@dataclass(frozen=True)
class JiraFieldIds:
    story_points: str | None
    sprint: str | None
    reviewer: str | None
    account: str | None
    epic_link: str | None

    def search_fields(self) -> list[str]:
        base = [
            "summary",
            "status",
            "assignee",
            "issuetype",
            "labels",
            "timeoriginalestimate",
            "timeestimate",
            "timespent",
            "parent",
            "project",
            "updated",
            "created",
        ]
        return base + [
            f for f in (self.story_points, self.sprint, self.reviewer, self.account, self.epic_link) if f
        ]


@dataclass(frozen=True)
class JiraBoard:
    id: int
    name: str
    type: str
    project_key: str


@dataclass(frozen=True)
class JiraSprint:
    id: int
    name: str
    state: str  # future | active | closed
    board_id: int | None
    start: datetime | None
    end: datetime | None
    completed: datetime | None
    goal: str = ""


@dataclass(frozen=True)
class JiraIssue:
    jira_id: str
    key: str
    project_key: str
    summary: str
    issue_type: str
    is_subtask: bool
    status: str
    status_category: str
    assignee_account_id: str
    reviewer_account_id: str
    story_points: Decimal | None
    sprints: tuple[JiraSprint, ...]
    account_id: int | None
    account_key: str
    epic_key: str
    labels: tuple[str, ...]
    original_estimate_seconds: int | None
    remaining_estimate_seconds: int | None
    time_spent_seconds: int
    updated: datetime | None
    parent_key: str

    @property
    def is_epic(self) -> bool:
        return self.issue_type.lower() == "epic"

    @property
    def current_sprint(self) -> JiraSprint | None:
        """The sprint the issue sits in now: active, else future, else the latest closed one."""
        if not self.sprints:
            return None
        rank = {"active": 0, "future": 1, "closed": 2}
        return sorted(
            self.sprints,
            key=lambda s: (rank.get(s.state, 3), -(s.start.timestamp() if s.start else 0), -s.id),
        )[0]


@dataclass(frozen=True)
class IssuePage:
    issues: list[JiraIssue]
    skipped: list[SkippedRecord]


@dataclass(frozen=True)
class JiraComment:
    id: str
    body: str
    author_account_id: str
    created: datetime | None


def parse_jira_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    parsed = dateparser.isoparse(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed


_LEGACY_SPRINT = re.compile(r"\[(?P<body>.*)\]$")


def parse_sprint(raw: Any) -> JiraSprint:
    """An Agile sprint object, or the legacy ``...Sprint@1a2b[id=1,state=ACTIVE,...]`` string."""
    if isinstance(raw, str):
        match = _LEGACY_SPRINT.search(raw)
        if not match:
            raise ValueError(f"unreadable sprint {raw[:80]!r}")
        values = dict(part.split("=", 1) for part in match.group("body").split(",") if "=" in part)
        raw = {
            "id": values.get("id"),
            "name": values.get("name"),
            "state": (values.get("state") or "").lower(),
            "boardId": values.get("rapidViewId"),
            "startDate": None if values.get("startDate") in (None, "<null>") else values.get("startDate"),
            "endDate": None if values.get("endDate") in (None, "<null>") else values.get("endDate"),
            "completeDate": None
            if values.get("completeDate") in (None, "<null>")
            else values.get("completeDate"),
        }
    if not isinstance(raw, dict):
        raise ValueError(f"sprint is not an object: {raw!r}")
    try:
        sprint_id = int(raw["id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"sprint id is missing: {raw!r}") from None
    board = raw.get("originBoardId", raw.get("boardId"))
    state = str(raw.get("state") or "future").lower()
    if state not in {"future", "active", "closed"}:
        raise ValueError(f"sprint {sprint_id} has an unknown state {state!r}")
    return JiraSprint(
        id=sprint_id,
        name=str(raw.get("name") or f"Sprint {sprint_id}"),
        state=state,
        board_id=int(board) if board not in (None, "") else None,
        start=parse_jira_datetime(raw.get("startDate")),
        end=parse_jira_datetime(raw.get("endDate")),
        completed=parse_jira_datetime(raw.get("completeDate")),
        goal=str(raw.get("goal") or ""),
    )


def _seconds(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} is not a number of seconds: {value!r}")
    if value < 0:
        raise ValueError(f"{name} is negative: {value}")
    return int(value)


def _account_of(value: Any) -> tuple[int | None, str]:
    """Tempo's Account field: ``{"id": 12, "value": "Name"}`` on Cloud, ``{"id", "key"}`` or a key elsewhere."""
    if value in (None, ""):
        return None, ""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return None, str(value)
    if isinstance(value, dict):
        raw_id = value.get("id")
        account_id = int(raw_id) if isinstance(raw_id, int | str) and str(raw_id).isdigit() else None
        return account_id, str(value.get("key") or "")
    raise ValueError(f"account field is unreadable: {value!r}")


def parse_issue(raw: Any, ids: JiraFieldIds) -> JiraIssue:
    """One issue from its JSON; ``ValueError`` names what is wrong."""
    if not isinstance(raw, dict) or not raw.get("key") or raw.get("id") in (None, ""):
        raise ValueError("issue without id or key")
    fields = raw.get("fields")
    if not isinstance(fields, dict):
        raise ValueError("issue without fields")
    summary = fields.get("summary")
    if not isinstance(summary, str):
        raise ValueError("summary is missing")
    status = fields.get("status") or {}
    issuetype = fields.get("issuetype") or {}
    assignee = fields.get("assignee") or {}
    points: Decimal | None = None
    if ids.story_points and fields.get(ids.story_points) is not None:
        raw_points = fields[ids.story_points]
        if isinstance(raw_points, bool):
            raise ValueError(f"story points is not a number: {raw_points!r}")
        try:
            points = Decimal(str(raw_points))
        except InvalidOperation:
            raise ValueError(f"story points is not a number: {raw_points!r}") from None
        if points < 0 or not points.is_finite():
            raise ValueError(f"story points out of range: {raw_points!r}")
    sprints: list[JiraSprint] = []
    if ids.sprint:
        sprint_value = fields.get(ids.sprint) or []
        if not isinstance(sprint_value, list):
            sprint_value = [sprint_value]
        sprints = [parse_sprint(s) for s in sprint_value]
    reviewer_id = ""
    if ids.reviewer:
        reviewer = fields.get(ids.reviewer)
        if isinstance(reviewer, dict):
            reviewer_id = str(reviewer.get("accountId") or reviewer.get("name") or "")
        elif isinstance(reviewer, list) and reviewer and isinstance(reviewer[0], dict):
            reviewer_id = str(reviewer[0].get("accountId") or "")
    account_id, account_key = _account_of(fields.get(ids.account)) if ids.account else (None, "")
    parent = fields.get("parent") or {}
    parent_key = str(parent.get("key") or "") if isinstance(parent, dict) else ""
    epic_key = ""
    if ids.epic_link and isinstance(fields.get(ids.epic_link), str):
        epic_key = fields[ids.epic_link]
    elif parent_key:
        parent_type = ((parent.get("fields") or {}).get("issuetype") or {}).get("name", "")
        if str(parent_type).lower() == "epic":
            epic_key = parent_key
    labels = fields.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ValueError(f"labels are not a list of strings: {labels!r}")
    project = fields.get("project") or {}
    project_key = str(project.get("key") or "") if isinstance(project, dict) else ""
    return JiraIssue(
        jira_id=str(raw["id"]),
        key=str(raw["key"]),
        project_key=project_key or str(raw["key"]).rsplit("-", 1)[0],
        summary=summary[:500],
        issue_type=str(issuetype.get("name") or "Story"),
        is_subtask=bool(issuetype.get("subtask", False)),
        status=str(status.get("name") or ""),
        status_category=str((status.get("statusCategory") or {}).get("key") or ""),
        assignee_account_id=str(assignee.get("accountId") or "") if isinstance(assignee, dict) else "",
        reviewer_account_id=reviewer_id,
        story_points=points,
        sprints=tuple(sprints),
        account_id=account_id,
        account_key=account_key,
        epic_key=epic_key,
        labels=tuple(labels),
        original_estimate_seconds=_seconds(fields.get("timeoriginalestimate"), "timeoriginalestimate"),
        remaining_estimate_seconds=_seconds(fields.get("timeestimate"), "timeestimate"),
        time_spent_seconds=_seconds(fields.get("timespent"), "timespent") or 0,
        updated=parse_jira_datetime(fields.get("updated")),
        parent_key=parent_key,
    )


def resolve_field_ids(fields: Sequence[dict[str, Any]], names: JiraFieldNames) -> JiraFieldIds:
    """Custom field ids by configured name, falling back to the field's schema type."""

    def find(name: str, schemas: Sequence[str]) -> str | None:
        wanted = name.strip().lower()
        for f in fields:
            if str(f.get("name", "")).lower() == wanted:
                return str(f["id"])
        for f in fields:
            if (f.get("schema") or {}).get("custom") in schemas:
                return str(f["id"])
        return None

    return JiraFieldIds(
        story_points=find(names.story_points, SCHEMA_STORY_POINTS[:1]),
        sprint=find(names.sprint, SCHEMA_SPRINT),
        reviewer=find(names.reviewer, ()),
        account=find(names.account, SCHEMA_ACCOUNT),
        epic_link=find(names.epic_link, SCHEMA_EPIC_LINK),
    )


def jql_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def issues_jql(
    *, project_keys: Sequence[str], updated_since: datetime | None = None, epics: bool | None = None
) -> str:
    """Bounded JQL (Cloud refuses unbounded searches) in a stable order for paging."""
    clauses = [f"project in ({', '.join(jql_quote(k) for k in project_keys)})"]
    if epics is True:
        clauses.append("issuetype = Epic")
    elif epics is False:
        clauses.append("issuetype != Epic")
    if updated_since is not None:
        clauses.append(f'updated >= "{updated_since.strftime("%Y-%m-%d %H:%M")}"')
    return " AND ".join(clauses) + " ORDER BY key ASC"


class JiraClient:
    """The portal's JIRA operations. ``server`` is ``JIRA_BASE_URL``."""

    def __init__(
        self,
        *,
        server: str,
        user: str = "",
        token: str = "",
        field_names: JiraFieldNames | None = None,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not server:
            raise NotConfigured("JIRA sync is off: JIRA_BASE_URL is not set.", service="JIRA")
        self.server = server.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.field_names = field_names or JiraFieldNames()
        self._field_ids: JiraFieldIds | None = None
        auth: dict[str, Any] = {}
        if user and token:
            auth["basic_auth"] = (user, token)
        elif token:
            auth["token_auth"] = token
        self._jira: JIRA = self._call(
            lambda: JIRA(
                server=self.server,
                timeout=timeout,
                max_retries=3,
                logging=False,
                options={"check_update": False},
                **auth,
            )
        )
        # The package caps its own 429/503 waits with this; keep it in line with ours.
        self._jira._session.max_retry_delay = int(max(1, self.policy.max_delay))

    def close(self) -> None:
        self._jira.close()

    @property
    def is_cloud(self) -> bool:
        return bool(self._jira._is_cloud)

    # --- errors and retries -------------------------------------------------
    def _call(self, fn: Callable[[], T]) -> T:
        failures = 0
        while True:
            try:
                return fn()
            except JIRAError as exc:
                status = exc.status_code
                if status in (401, 403):
                    raise AuthError(
                        f"JIRA refused the credentials ({status}) at {exc.url or self.server}: "
                        "check JIRA_USER and JIRA_API_TOKEN (and the account's project permissions).",
                        service="JIRA",
                        status=status,
                        url=str(exc.url or ""),
                    ) from exc
                retryable = status is not None and (status >= 500 or status == 429)
                if not retryable or failures >= len(self.policy.server_error_delays):
                    raise RemoteError(
                        f"JIRA answered {status} for {exc.url}: {exc.text}",
                        service="JIRA",
                        status=status,
                        url=str(exc.url or ""),
                    ) from exc
                delay = self.policy.server_error_delays[failures]
            except (requests.Timeout, requests.ConnectionError) as exc:
                if failures >= len(self.policy.server_error_delays):
                    raise TransportError(
                        f"JIRA at {self.server} is unreachable: {exc}", service="JIRA"
                    ) from exc
                delay = self.policy.server_error_delays[failures]
            except (KeyError, ValueError) as exc:  # the package chokes on a body it cannot read
                raise IntegrationError(f"JIRA answered something unreadable: {exc}", service="JIRA") from exc
            failures += 1
            log.warning("JIRA call failed; retry %d in %.1fs", failures, delay)
            self.sleep(delay)

    # --- reads ----------------------------------------------------------------
    def field_ids(self) -> JiraFieldIds:
        if self._field_ids is None:
            fields = self._call(self._jira.fields)
            self._field_ids = resolve_field_ids(fields, self.field_names)
        return self._field_ids

    def boards(self) -> list[JiraBoard]:
        boards = self._call(lambda: self._jira.boards(maxResults=0))
        result = []
        for board in boards:
            raw = board.raw
            location = raw.get("location") or {}
            result.append(
                JiraBoard(
                    id=int(raw["id"]),
                    name=str(raw.get("name") or ""),
                    type=str(raw.get("type") or ""),
                    project_key=str(location.get("projectKey") or ""),
                )
            )
        return result

    def sprints(
        self, board_id: int, *, states: str | None = None
    ) -> tuple[list[JiraSprint], list[SkippedRecord]]:
        raw_sprints = self._call(lambda: self._jira.sprints(board_id, maxResults=0, state=states))
        sprints: list[JiraSprint] = []
        skipped: list[SkippedRecord] = []
        for sprint in raw_sprints:
            try:
                sprints.append(parse_sprint(sprint.raw))
            except ValueError as exc:
                skipped.append(SkippedRecord(str(sprint.raw.get("id", "?")), f"sprint: {exc}"))
        return sprints, skipped

    def issue_pages(self, jql: str, *, page_size: int = SEARCH_PAGE) -> Iterator[IssuePage]:
        """Issues matching ``jql``, one page at a time (startAt on Server, nextPageToken on Cloud)."""
        ids = self.field_ids()
        fields = ids.search_fields()
        start_at = 0
        token: str | None = None
        while True:
            body = self._search_page(jql, fields, page_size, start_at, token)
            raw_issues = body.get("issues") or []
            issues: list[JiraIssue] = []
            skipped: list[SkippedRecord] = []
            for raw in raw_issues:
                try:
                    issues.append(parse_issue(raw, ids))
                except (ValueError, TypeError, AttributeError) as exc:
                    remote = str(raw.get("key") or raw.get("id") or "?") if isinstance(raw, dict) else "?"
                    skipped.append(SkippedRecord(remote, f"issue: {exc}"))
            yield IssuePage(issues=issues, skipped=skipped)
            if self.is_cloud:
                token = body.get("nextPageToken")
                if not token or body.get("isLast"):
                    return
            else:
                start_at += len(raw_issues)
                total = int(body.get("total") or 0)
                if not raw_issues or start_at >= total:
                    return

    def _search_page(
        self, jql: str, fields: list[str], page_size: int, start_at: int, token: str | None
    ) -> dict[str, Any]:
        if self.is_cloud:
            body = self._call(
                lambda: self._jira.enhanced_search_issues(
                    jql, nextPageToken=token, maxResults=page_size, fields=list(fields), json_result=True
                )
            )
        else:
            body = self._call(
                lambda: self._jira.search_issues(
                    jql, startAt=start_at, maxResults=page_size, fields=list(fields), json_result=True
                )
            )
        if not isinstance(body, dict):
            raise IntegrationError(
                f"JIRA search answered {type(body).__name__}, not an object.", service="JIRA"
            )
        return body

    def comments(self, issue_key: str) -> list[JiraComment]:
        raw_comments = self._call(lambda: self._jira.comments(issue_key))
        result = []
        for comment in raw_comments:
            raw = comment.raw
            result.append(
                JiraComment(
                    id=str(raw["id"]),
                    body=str(raw.get("body") or ""),
                    author_account_id=str((raw.get("author") or {}).get("accountId") or ""),
                    created=parse_jira_datetime(raw.get("created")),
                )
            )
        return result

    # --- writes ---------------------------------------------------------------
    def post_comment(self, issue_key: str, body: str) -> str:
        """Posts ``body`` (wiki markup) on the issue; returns the new comment's id."""
        comment = self._call(lambda: self._jira.add_comment(issue_key, body))
        return str(comment.raw["id"])

    def create_sprint(
        self,
        *,
        name: str,
        board_id: int,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        goal: str = "",
    ) -> JiraSprint:
        sprint = self._call(
            lambda: self._jira.create_sprint(
                name,
                board_id,
                startDate=_iso(start),
                endDate=_iso(end),
                goal=goal or None,
            )
        )
        return parse_sprint(sprint.raw)

    def start_sprint(self, sprint_id: int, *, start: date | datetime, end: date | datetime) -> JiraSprint:
        """JIRA needs the dates to move a future sprint to active."""
        raw = self._call(
            lambda: self._jira.update_sprint(
                sprint_id, state="active", startDate=_iso(start), endDate=_iso(end)
            )
        )
        return parse_sprint(raw)

    def close_sprint(self, sprint_id: int) -> JiraSprint:
        raw = self._call(lambda: self._jira.update_sprint(sprint_id, state="closed"))
        return parse_sprint(raw)

    def move_issues_to_sprint(self, sprint_id: int, issue_keys: Sequence[str]) -> int:
        """Moves the issues in batches of 50 (JIRA's limit); returns how many were sent."""
        keys = list(issue_keys)
        for i in range(0, len(keys), MOVE_BATCH):
            batch = keys[i : i + MOVE_BATCH]
            self._call(lambda batch=batch: self._jira.add_issues_to_sprint(sprint_id, batch))  # type: ignore[misc]
        return len(keys)


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return f"{value.isoformat()}T00:00:00.000Z"
