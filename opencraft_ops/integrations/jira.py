"""JIRA client over the ``jira`` package (REST v2 + Agile 1.0).

Returns frozen dataclasses and imports no Django model. Custom field ids
differ per site, so they are resolved once a client from ``/rest/api/2/field``
(the package's own field cache is filled from the same read): pinned by the
JIRA_FIELD_* settings (an id or a name), else found by the fields' schema types.

Retries: the package itself retries 429/503 and connection errors (waiting
``Retry-After``); this wrapper also retries 500/502/504 and read time-outs
three times (waits capped by ``RetryPolicy.max_delay``), and turns 401/403 into
:class:`AuthError` naming the settings. Writes that are not idempotent (creating a
sprint, changing its state, posting a comment) are never re-sent after an answer
that may have been lost (5xx, time-out, dropped connection): the caller finds out
what JIRA did and carries on; only 429 (not processed) is retried for them.

JQL dates are read by JIRA in the bot user's profile time zone, so
:meth:`JiraClient.user_time_zone` reads it from ``/rest/api/2/myself`` and
:func:`issues_jql` writes the watermark in it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from jira import JIRA, JIRAError
from jira.utils import json_loads

from opencraft_ops.integrations.http import (
    AuthError,
    IntegrationError,
    NotConfigured,
    RemoteError,
    RetryPolicy,
    TransportError,
    short_url,
)
from opencraft_ops.integrations.jira_types import (
    MOVE_BATCH,
    SEARCH_PAGE,
    FieldSettingError,
    IssuePage,
    JiraBoard,
    JiraComment,
    JiraField,
    JiraFieldIds,
    JiraFieldNames,
    JiraIssue,
    JiraSprint,
    issues_jql,
    jql_quote,
    jql_time,
    parse_fields,
    parse_issue,
    parse_jira_datetime,
    parse_sprint,
    resolve_field_ids,
)
from opencraft_ops.integrations.tempo import SkippedRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = [
    "MOVE_BATCH",
    "SEARCH_PAGE",
    "FieldSettingError",
    "IssuePage",
    "JiraBoard",
    "JiraClient",
    "JiraComment",
    "JiraField",
    "JiraFieldIds",
    "JiraFieldNames",
    "JiraIssue",
    "JiraSprint",
    "JiraStatus",
    "JiraUser",
    "issues_jql",
    "jql_quote",
    "jql_time",
    "parse_issue",
    "parse_jira_datetime",
    "parse_sprint",
    "resolve_field_ids",
]


@dataclass(frozen=True)
class JiraUser:
    account_id: str
    display_name: str
    time_zone: str  # the profile's zone name, as JIRA gives it ("" when none)


@dataclass(frozen=True)
class JiraStatus:
    id: str
    name: str
    category: str  # new | indeterminate | done (JIRA's status category key)


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
        self._fields: list[JiraField] | None = None
        self._raw_fields: list[Any] = []
        self._field_ids: JiraFieldIds | None = None
        self._user_zone: tzinfo | None = None
        auth: dict[str, Any] = {}
        if user and token:
            auth["basic_auth"] = (user, token)
        elif token:
            auth["token_auth"] = token
        # The server info (Cloud or Server decides the search API) is read here rather than in
        # the package's constructor, so that its first request already waits under our cap
        # (the package would wait up to a minute between its retries of a refused connection).
        self._jira: JIRA = JIRA(
            server=self.server,
            timeout=timeout,
            max_retries=3,
            logging=False,
            get_server_info=False,
            options={"check_update": False},
            **auth,
        )
        self._jira._session.max_retry_delay = int(max(1, self.policy.max_delay))
        self._call(self._load_server_info)

    def _load_server_info(self) -> None:
        info = self._jira.server_info()
        if not isinstance(info, dict) or not isinstance(info.get("versionNumbers"), list):
            raise ValueError("serverInfo has no versionNumbers")
        self._jira._version = tuple(info["versionNumbers"])
        self._jira.deploymentType = info.get("deploymentType")

    def close(self) -> None:
        self._jira.close()

    @property
    def is_cloud(self) -> bool:
        return bool(self._jira._is_cloud)

    # --- errors and retries -------------------------------------------------
    def _call(self, fn: Callable[[], T], *, idempotent: bool = True) -> T:
        """Runs ``fn`` with the retry policy. ``idempotent=False`` (a write that must not happen
        twice): only 429 is retried, and the package's own re-sending is off for the call."""
        failures = 0
        while True:
            try:
                if idempotent:
                    return fn()
                return self._without_package_retries(fn)
            except JIRAError as exc:
                status = exc.status_code
                if status in (401, 403):
                    raise AuthError(
                        f"JIRA refused the credentials ({status}) at {short_url(exc.url or self.server)}: "
                        "check JIRA_USER and JIRA_API_TOKEN (and the account's project permissions).",
                        service="JIRA",
                        status=status,
                        url=str(exc.url or ""),
                    ) from exc
                retryable = status is not None and (status == 429 or (idempotent and status >= 500))
                if not retryable or failures >= len(self.policy.server_error_delays):
                    raise RemoteError(
                        f"JIRA answered {status} for {short_url(exc.url or self.server)}: {_error_text(exc)}",
                        service="JIRA",
                        status=status,
                        url=str(exc.url or ""),
                    ) from exc
                delay = self.policy.server_error_delays[failures]
            except (requests.Timeout, requests.ConnectionError) as exc:
                if not idempotent or failures >= len(self.policy.server_error_delays):
                    raise TransportError(
                        f"JIRA at {self.server} is unreachable: {exc}"
                        + ("" if idempotent else " (the request may have been carried out)"),
                        service="JIRA",
                    ) from exc
                delay = self.policy.server_error_delays[failures]
            except (KeyError, ValueError) as exc:  # the package chokes on a body it cannot read
                raise IntegrationError(f"JIRA answered something unreadable: {exc}", service="JIRA") from exc
            failures += 1
            delay = min(delay, self.policy.max_delay)
            log.warning("JIRA call failed; retry %d in %.1fs", failures, delay)
            self.sleep(delay)

    def _without_package_retries(self, fn: Callable[[], T]) -> T:
        session = self._jira._session
        before = session.max_retries
        session.max_retries = 0
        try:
            return fn()
        finally:
            session.max_retries = before

    # --- reads ----------------------------------------------------------------
    def fields(self) -> list[JiraField]:
        """Every field of the site (``/rest/api/2/field``), read once per client."""
        if self._fields is None:
            raw = self._call(self._jira.fields)
            if not isinstance(raw, list):
                raise IntegrationError("JIRA's field list is not a list.", service="JIRA")
            self._fields = parse_fields(raw)
            # The package translates search field names through its own copy of this list,
            # which it would read again: give it this one (JQL clause names -> ids).
            cache = {f.id: f.id for f in self._fields}
            for f in raw:
                if isinstance(f, dict) and f.get("id"):
                    for name in f.get("clauseNames") or []:
                        cache[str(name)] = str(f["id"])
            self._jira._fields_cache_value = cache
            self._raw_fields = raw
        return self._fields

    def field_ids(self) -> JiraFieldIds:
        """The fields the sync reads; raises :class:`FieldSettingError` for a setting naming
        a field JIRA does not have."""
        if self._field_ids is None:
            self.fields()
            self._field_ids = resolve_field_ids(self._raw_fields, self.field_names)
        return self._field_ids

    def myself(self) -> JiraUser:
        me = self._call(self._jira.myself)
        if not isinstance(me, dict):
            raise IntegrationError("JIRA's /myself answered something unreadable.", service="JIRA")
        return JiraUser(
            account_id=str(me.get("accountId") or me.get("name") or ""),
            display_name=str(me.get("displayName") or ""),
            time_zone=str(me.get("timeZone") or ""),
        )

    def statuses(self) -> list[JiraStatus]:
        """Every workflow status of the site with its category (``/rest/api/2/status``)."""
        raw = self._call(lambda: self._jira._get_json("status"))
        result = []
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, dict) and item.get("name"):
                category = item.get("statusCategory")
                if not isinstance(category, dict):
                    category = {}
                result.append(
                    JiraStatus(
                        id=str(item.get("id") or ""),
                        name=str(item["name"]),
                        category=str(category.get("key") or ""),
                    )
                )
        return result

    def user_time_zone(self) -> tzinfo:
        """The bot user's profile time zone (``/myself``), in which JIRA reads JQL dates; UTC
        when the profile names none or one this machine does not know (logged)."""
        if self._user_zone is None:
            name = self.myself().time_zone
            zone: tzinfo = UTC
            if name:
                try:
                    zone = ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    log.warning("JIRA user time zone %r is unknown here; JQL dates are written in UTC", name)
            self._user_zone = zone
        return self._user_zone

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

    def sprint(self, sprint_id: int) -> JiraSprint:
        """One sprint as JIRA has it now (its state tells whether a start or close happened)."""
        sprint = self._call(lambda: self._jira.sprint(sprint_id))
        return parse_sprint(sprint.raw)

    def issue(self, id_or_key: str) -> JiraIssue | None:
        """One issue with the fields the sync reads, or None when JIRA has no such issue (404)."""
        ids = self.field_ids()
        try:
            raw = self._call(lambda: self._jira.issue(id_or_key, fields=",".join(ids.search_fields())).raw)
        except RemoteError as exc:
            if exc.status == 404:
                return None
            raise
        return parse_issue(raw, ids)

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
        comment = self._call(lambda: self._jira.add_comment(issue_key, body), idempotent=False)
        return str(comment.raw["id"])

    def _story_points_field_of(self, issue_key: str) -> str:
        """The story points field to write on this issue: the pinned one; else, of the fields
        found (team-managed and company-managed projects keep points in different ones), the
        one the issue has a value in, else the first one the issue carries at all."""
        ids = self.field_ids()
        if not ids.story_points:
            raise IntegrationError(
                "JIRA has no story points field: check JIRA_FIELD_STORY_POINTS.", service="JIRA"
            )
        if ids.story_points_pinned or len(ids.story_points) == 1:
            return ids.story_points[0]
        wanted = ",".join(ids.story_points)
        raw = self._call(lambda: self._jira.issue(issue_key, fields=wanted).raw)
        fields = raw.get("fields") if isinstance(raw, dict) else None
        fields = fields if isinstance(fields, dict) else {}
        with_value = [f for f in ids.story_points if fields.get(f) is not None]
        present = [f for f in ids.story_points if f in fields]
        return (with_value or present or list(ids.story_points))[0]

    def set_story_points(self, issue_key: str, points: Decimal | None) -> None:
        """Sets the issue's story points (``PUT /issue/{key}``). Not re-sent after an answer that
        may have been lost: the caller reads the issue back (:meth:`issue`) to learn whether
        JIRA carried it out before writing again."""
        field_id = self._story_points_field_of(issue_key)
        value: float | int | None = None
        if points is not None:
            value = int(points) if points == points.to_integral_value() else float(points)
        url = self._jira._get_url(f"issue/{issue_key}")
        body = json.dumps({"fields": {field_id: value}})
        self._call(lambda: self._jira._session.put(url, data=body), idempotent=False)

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
            ),
            idempotent=False,
        )
        return parse_sprint(sprint.raw)

    def start_sprint(self, sprint_id: int, *, start: date | datetime, end: date | datetime) -> JiraSprint:
        """Future -> active (JIRA needs both dates). JIRA refuses it for a sprint already started."""
        return self._update_sprint(
            sprint_id, {"state": "active", "startDate": _iso(start), "endDate": _iso(end)}
        )

    def close_sprint(self, sprint_id: int) -> JiraSprint:
        """Active -> closed. JIRA refuses it for a sprint already closed (or never started)."""
        return self._update_sprint(sprint_id, {"state": "closed"})

    def _update_sprint(self, sprint_id: int, changes: dict[str, Any]) -> JiraSprint:
        """JIRA's partial update (``POST /sprint/{id}``): the fields sent change, the rest stay.
        (The package's ``update_sprint`` is the full update, PUT, which empties what it omits.)"""

        def post() -> Any:
            url = self._jira._get_url(f"sprint/{sprint_id}", base=self._jira.AGILE_BASE_URL)
            return json_loads(self._jira._session.post(url, data=json.dumps(changes)))

        return parse_sprint(self._call(post, idempotent=False))

    def move_issues_to_sprint(self, sprint_id: int, issue_keys: Sequence[str]) -> int:
        """Moves the issues in batches of 50 (JIRA's limit); returns how many were sent."""
        keys = list(issue_keys)
        for i in range(0, len(keys), MOVE_BATCH):
            batch = keys[i : i + MOVE_BATCH]
            self._call(lambda batch=batch: self._jira.add_issues_to_sprint(sprint_id, batch))  # type: ignore[misc]
        return len(keys)


def _error_text(exc: JIRAError) -> str:
    """JIRA's own message (``errorMessages``/``errors``) rather than a whole HTML page."""
    text = str(exc.text or "")
    return text if len(text) <= 300 else text[:300] + "..."


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return f"{value.isoformat()}T00:00:00.000Z"
