"""JIRA data as the portal reads it: frozen dataclasses and the parsers from JSON.

No HTTP here (see ``jira.py``); no Django model either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil import parser as dateparser

from opencraft_ops.integrations.http import IntegrationError
from opencraft_ops.integrations.tempo import SkippedRecord

MOVE_BATCH = 50  # JIRA moves at most 50 issues to a sprint per request
SEARCH_PAGE = 100
# Jira Software's story points: the team-managed "Story point estimate" field, and the
# classic (company-managed) "Story Points", a plain number field known by its name.
SCHEMA_STORY_POINT_ESTIMATE = "com.pyxis.greenhopper.jira:jsw-story-points"
SCHEMA_NUMBER = "com.atlassian.jira.plugin.system.customfieldtypes:float"
CLASSIC_STORY_POINTS = "story points"
SCHEMA_STORY_POINTS = (SCHEMA_STORY_POINT_ESTIMATE, SCHEMA_NUMBER)
SCHEMA_SPRINT = ("com.pyxis.greenhopper.jira:gh-sprint",)
SCHEMA_EPIC_LINK = ("com.pyxis.greenhopper.jira:gh-epic-link",)
SCHEMA_ACCOUNT = ("io.tempo.jira__account", "com.tempoplugin.tempo-accounts:accounts.customfield")
SCHEMA_REVIEWER = ("com.atlassian.jira.plugin.system.customfieldtypes:userpicker",)
FIELD_SETTINGS = {
    "story_points": "JIRA_FIELD_STORY_POINTS",
    "sprint": "JIRA_FIELD_SPRINT",
    "reviewer": "JIRA_FIELD_REVIEWER",
    "account": "JIRA_FIELD_ACCOUNT",
    "epic_link": "JIRA_FIELD_EPIC_LINK",
}


class FieldSettingError(IntegrationError):
    """A JIRA_FIELD_* setting names a field (by id or name) that JIRA does not have."""


@dataclass(frozen=True)
class JiraFieldNames:
    """The JIRA_FIELD_* settings: a field's id (``customfield_10016``) or display name pins it;
    empty (the default) finds it by its schema type (the reviewer: a user picker named Reviewer)."""

    story_points: str = ""
    sprint: str = ""
    reviewer: str = ""
    account: str = ""
    epic_link: str = ""


@dataclass(frozen=True)
class JiraField:
    id: str
    name: str
    schema: str  # schema.custom for a custom field, schema.system for JIRA's own

    @property
    def flavour(self) -> str:
        if self.schema == SCHEMA_STORY_POINT_ESTIMATE:
            return "team-managed story point estimate"
        if self.schema == SCHEMA_NUMBER and self.name.strip().lower() == CLASSIC_STORY_POINTS:
            return "classic story points"
        return self.schema or "custom field"


@dataclass(frozen=True)
class JiraFieldIds:
    """The custom fields a sync reads. ``story_points`` lists every story points field in
    the order they are tried: an issue's points come from the first one with a value
    (team-managed and company-managed projects keep them in different fields), unless the
    setting pinned one (``story_points_pinned``): then only the first counts and the others
    are read to notice that the pinned one is empty where another is not."""

    story_points: tuple[str, ...]
    sprint: str | None
    reviewer: str | None
    account: str | None
    epic_link: str | None
    story_points_pinned: bool = False
    names: tuple[tuple[str, str], ...] = ()  # (id, name) of each field above

    def name_of(self, field_id: str | None) -> str:
        return dict(self.names).get(field_id or "", field_id or "")

    def signature(self) -> str:
        """What the stored tickets were read with: when it changes, the next run reads every
        issue again (a changed setting backfills)."""
        points = ",".join(self.story_points) + ("!" if self.story_points_pinned else "")
        return ";".join(
            f"{k}={v or ''}"
            for k, v in (
                ("points", points),
                ("sprint", self.sprint),
                ("reviewer", self.reviewer),
                ("account", self.account),
                ("epic", self.epic_link),
            )
        )

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
            f for f in (*self.story_points, self.sprint, self.reviewer, self.account, self.epic_link) if f
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
    created: datetime | None = None
    # The story points field the points came from, and (the setting pinned a field that is
    # empty here) another story points field that has a value.
    story_points_field: str = ""
    points_elsewhere: str = ""

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


def _points(raw_points: Any) -> Decimal:
    if isinstance(raw_points, bool):
        raise ValueError(f"story points is not a number: {raw_points!r}")
    try:
        points = Decimal(str(raw_points))
    except InvalidOperation:
        raise ValueError(f"story points is not a number: {raw_points!r}") from None
    if points < 0 or not points.is_finite():
        raise ValueError(f"story points out of range: {raw_points!r}")
    return points


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
    points_field = points_elsewhere = ""
    for index, field_id in enumerate(ids.story_points):
        if fields.get(field_id) is None:
            continue
        if index and ids.story_points_pinned:
            points_elsewhere = field_id
        else:
            points, points_field = _points(fields[field_id]), field_id
        break
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
        created=parse_jira_datetime(fields.get("created")),
        story_points_field=points_field,
        points_elsewhere=points_elsewhere,
    )


def parse_fields(raw: Sequence[Any]) -> list[JiraField]:
    """``/rest/api/2/field`` as :class:`JiraField` (entries without an id are left out)."""
    result = []
    for f in raw:
        if not isinstance(f, dict) or not f.get("id"):
            continue
        schema = f.get("schema")
        if not isinstance(schema, dict):
            schema = {}
        result.append(
            JiraField(
                id=str(f["id"]),
                name=str(f.get("name") or ""),
                schema=str(schema.get("custom") or schema.get("system") or ""),
            )
        )
    return result


def _pinned(fields: Sequence[JiraField], wanted: str, setting: str) -> JiraField:
    """The field a setting names, by id first, else by name (case-insensitive)."""
    text = wanted.strip()
    for f in fields:
        if f.id == text:
            return f
    matches = [f for f in fields if f.name.strip().lower() == text.lower()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        ids = ", ".join(f"{f.id} ({f.flavour})" for f in matches)
        raise FieldSettingError(
            f"{setting}={text!r} names {len(matches)} JIRA fields ({ids}): set it to the id of the one to read.",
            service="JIRA",
        )
    raise FieldSettingError(
        f"{setting}={text!r} names no JIRA field: set it to a field id or name from "
        "`manage.py integrations_check`, or leave it empty to find the field by its type.",
        service="JIRA",
    )


def story_points_fields(fields: Sequence[JiraField]) -> list[JiraField]:
    """Every story points field, team-managed "Story point estimate" first."""
    estimate = [f for f in fields if f.schema == SCHEMA_STORY_POINT_ESTIMATE]
    classic = [
        f for f in fields if f.schema == SCHEMA_NUMBER and f.name.strip().lower() == CLASSIC_STORY_POINTS
    ]
    return estimate + classic


def resolve_field_ids(raw_fields: Sequence[Any], names: JiraFieldNames) -> JiraFieldIds:
    """The custom fields to read: pinned by a setting (id or name; one that JIRA does not have
    raises :class:`FieldSettingError`), else found by their schema type."""
    fields = parse_fields(raw_fields)

    def find(attr: str, schemas: Sequence[str], *, named: str = "") -> JiraField | None:
        wanted = getattr(names, attr)
        if wanted.strip():
            return _pinned(fields, wanted, FIELD_SETTINGS[attr])
        for f in fields:
            if f.schema in schemas and (not named or f.name.strip().lower() == named):
                return f
        return None

    candidates = story_points_fields(fields)
    pinned = bool(names.story_points.strip())
    if pinned:
        first = _pinned(fields, names.story_points, FIELD_SETTINGS["story_points"])
        candidates = [first, *(f for f in candidates if f.id != first.id)]
    found = {
        "sprint": find("sprint", SCHEMA_SPRINT),
        "reviewer": find("reviewer", SCHEMA_REVIEWER, named="reviewer"),
        "account": find("account", SCHEMA_ACCOUNT),
        "epic_link": find("epic_link", SCHEMA_EPIC_LINK),
    }
    used = [*candidates, *(f for f in found.values() if f is not None)]
    return JiraFieldIds(
        story_points=tuple(f.id for f in candidates),
        story_points_pinned=pinned,
        names=tuple((f.id, f.name) for f in used),
        **{k: (f.id if f else None) for k, f in found.items()},
    )


def jql_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jql_time(instant: datetime, zone: tzinfo, *, round_up: bool = False) -> str:
    """``instant`` as a JQL date literal (``"yyyy-MM-dd HH:mm"``) in ``zone``, the searching
    user's profile time zone, in which JIRA reads it.

    JQL has minute precision: a lower bound is floored, an upper bound (``round_up``) is
    ceiled, so the range only ever grows. A local time that a DST change makes ambiguous is
    written an hour wider too, so whichever offset JIRA picks, nothing falls outside."""
    if instant.tzinfo is None:
        raise ValueError("a JQL date needs an aware datetime")
    local = instant.astimezone(zone)
    step = timedelta(minutes=1)
    floored = local.replace(second=0, microsecond=0)
    if round_up and floored != local:
        floored = (floored.astimezone(UTC) + step).astimezone(zone)
    other = floored.replace(fold=1 - floored.fold)
    if other.utcoffset() != floored.utcoffset():  # ambiguous wall time
        gap = abs((other.utcoffset() or timedelta()) - (floored.utcoffset() or timedelta()))
        shifted = floored.astimezone(UTC) + (gap if round_up else -gap)
        floored = shifted.astimezone(zone)
    return floored.strftime("%Y-%m-%d %H:%M")


def issues_jql(
    *,
    project_keys: Sequence[str],
    updated_since: datetime | None = None,
    updated_before: datetime | None = None,
    epics: bool | None = None,
    zone: tzinfo = UTC,
) -> str:
    """Bounded JQL (Cloud refuses unbounded searches) in a stable order for paging.

    ``updated_since`` (inclusive) and ``updated_before`` (exclusive) are written in ``zone``,
    which must be the JIRA user's profile time zone (:meth:`JiraClient.user_time_zone`)."""
    clauses = [f"project in ({', '.join(jql_quote(k) for k in project_keys)})"]
    if epics is True:
        clauses.append("issuetype = Epic")
    elif epics is False:
        clauses.append("issuetype != Epic")
    if updated_since is not None:
        clauses.append(f'updated >= "{jql_time(updated_since, zone)}"')
    if updated_before is not None:
        clauses.append(f'updated < "{jql_time(updated_before, zone, round_up=True)}"')
    return " AND ".join(clauses) + " ORDER BY key ASC"
