"""Realistic data sets for the fake servers, generated from a seed.

Given the members' JIRA account ids and the cells' boards, builds per cell:
Tempo accounts of the three categories (client, internal non-cell incl.
"Community Relations", internal cell), epics with statuses, past, current and
next sprints on the two-week calendar, tickets in them (some unestimated,
some without reviewer) and worklogs for every member going back in time.
The same seed gives the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

FIELD_STORY_POINTS = "customfield_10016"  # classic "Story Points" (company-managed projects)
FIELD_STORY_POINT_ESTIMATE = "customfield_10026"  # "Story point estimate" (team-managed projects)
FIELD_SPRINT = "customfield_10020"
FIELD_EPIC_LINK = "customfield_10014"
FIELD_REVIEWER = "customfield_10040"
FIELD_ACCOUNT = "customfield_10050"

EPIC_STATUSES = [
    "Prospect",
    "Offer / Waiting on client",
    "Accepted",
    "In Development",
    "Delivered to client / QA",
    "Done",
]
TICKET_STATUSES = [
    "Backlog",
    "To Do",
    "In Progress",
    "Code Review",
    "External Review",
    "Merged",
    "Deployed & Delivered",
    "Done",
]
DONE_STATUSES = {"Done", "Deployed & Delivered"}
CLIENTS = [
    "Harmony Learning",
    "Blue Fjord University",
    "Northwind Academy",
    "Atlas Health",
    "Kestrel Media",
    "Orion Labs",
]
TOPICS = [
    "Upgrade the course catalogue to the new release",
    "Fix grading export timeouts",
    "Add SSO with the client's identity provider",
    "Theme the learner dashboard",
    "Migrate the database to managed PostgreSQL",
    "Investigate slow video transcoding",
    "Write the deployment playbook",
    "Review the analytics pipeline",
    "Add accessibility labels to forms",
    "Automate certificate generation",
    "Harden the backup jobs",
    "Improve search relevance",
    "Prototype the mobile offline mode",
    "Clean up feature flags",
    "Document the plugin API",
]
LABELS = ["backend", "frontend", "devops", "newcomer-friendly", "client", "security", "docs"]
FIELDS_BY_NAME = {
    "Story Points": FIELD_STORY_POINTS,
    "Story point estimate": FIELD_STORY_POINT_ESTIMATE,
    "Sprint": FIELD_SPRINT,
    "Epic Link": FIELD_EPIC_LINK,
    "Reviewer": FIELD_REVIEWER,
    "Account": FIELD_ACCOUNT,
}
WORK_START = time(9, 0)


@dataclass(frozen=True)
class MemberSpec:
    account_id: str
    board_id: int | None = None  # the member's cell board; None: spreads over every board
    daily_hours: float = 6.0


@dataclass(frozen=True)
class BoardSpec:
    board_id: int
    project_key: str
    name: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    members: tuple[MemberSpec, ...]
    boards: tuple[BoardSpec, ...]
    today: date
    sprint_epoch: date = date(2019, 1, 1)
    seed: int = 1
    history_days: int = 60
    worklogs: int | None = None  # an exact total; extends the history as needed
    past_sprints: int = 4
    tickets_per_sprint: int = 8
    backlog_tickets: int = 6
    epics_per_board: int = 4
    unknown_authors: tuple[str, ...] = ()


@dataclass
class Dataset:
    """Plain data, in the shapes the fakes keep in memory."""

    accounts: list[dict[str, Any]] = field(default_factory=list)
    boards: list[dict[str, Any]] = field(default_factory=list)
    sprints: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)  # internal issue records (see FakeJira)
    worklogs: list[tuple[Any, ...]] = field(default_factory=list)  # FakeWorklog field tuples


def _sprint_start(number: int, epoch: date) -> date:
    return epoch + timedelta(days=14 * (number - 1))


def _sprint_number_on(day: date, epoch: date) -> int:
    return (day - epoch).days // 14 + 1


def _utc(day: date, at: time = WORK_START) -> datetime:
    return datetime.combine(day, at, tzinfo=UTC)


def generate(spec: DatasetSpec) -> Dataset:
    rng = random.Random(spec.seed)
    data = Dataset()
    account_id = 100
    # Company-wide internal accounts, shared by every cell.
    global_accounts = [
        ("CR", "Community Relations"),
        ("OPS", "Company operations"),
        ("RECRUIT", "Recruitment"),
    ]
    for key, name in global_accounts:
        account_id += 1
        data.accounts.append(
            {
                "id": account_id,
                "key": key,
                "name": name,
                "status": "OPEN",
                "global": True,
                "category": ("NONCELL", "Internal (non-cell)", "OPERATIONAL"),
                "customer": "",
                "budget": None,
            }
        )
    now = _utc(spec.today, time(0, 0))  # everything generated happened before today
    current = _sprint_number_on(spec.today, spec.sprint_epoch)
    sprint_id = 1000
    issue_id = 10000
    for b_index, board in enumerate(spec.boards):
        key = board.project_key
        data.boards.append(
            {"id": board.board_id, "name": board.name or f"{key} board", "type": "scrum", "projectKey": key}
        )
        board_accounts: list[str] = []
        clients = rng.sample(CLIENTS, 2)
        for c_index, client in enumerate(clients):
            account_id += 1
            acc_key = f"{key}-CLIENT{c_index + 1}"
            data.accounts.append(
                {
                    "id": account_id,
                    "key": acc_key,
                    "name": f"{client} ({key})",
                    "status": "OPEN",
                    "global": False,
                    "category": ("CLIENT", "Client", "BILLABLE"),
                    "customer": client,
                    "budget": str(rng.choice([40, 60, 80, 120])),
                }
            )
            board_accounts.append(acc_key)
        account_id += 1
        cell_account = f"{key}-INTERNAL"
        data.accounts.append(
            {
                "id": account_id,
                "key": cell_account,
                "name": f"{board.name or key} cell internal",
                "status": "OPEN",
                "global": False,
                "category": ("CELL", "Internal (cell)", "INTERNAL"),
                "customer": "",
                "budget": None,
            }
        )
        board_accounts.append(cell_account)
        board_members = [m.account_id for m in spec.members if m.board_id in (None, board.board_id)] or [
            m.account_id for m in spec.members
        ]
        number = 0

        def new_issue(summary: str, issue_type: str, project: str = key, **fields: Any) -> dict[str, Any]:
            nonlocal issue_id, number
            issue_id += 1
            number += 1
            created = now - timedelta(days=rng.randint(20, 400), minutes=rng.randint(0, 600))
            record = {
                "id": issue_id,
                "key": f"{project}-{number}",
                "project": project,
                "summary": summary,
                "issuetype": issue_type,
                "status": fields.pop("status", "To Do"),
                "assignee": fields.pop("assignee", None),
                "reviewer": fields.pop("reviewer", None),
                "story_points": fields.pop("story_points", None),
                "sprint_ids": fields.pop("sprint_ids", []),
                "account_id": fields.pop("account_id", None),
                "epic_key": fields.pop("epic_key", None),
                "labels": fields.pop("labels", []),
                "original_estimate": fields.pop("original_estimate", None),
                "remaining_estimate": fields.pop("remaining_estimate", None),
                "time_spent": 0,
                "created": created,
                "updated": created + timedelta(days=rng.randint(0, 15)),
            }
            record["updated"] = min(record["updated"], now)
            data.issues.append(record)
            return record

        account_ids = {a["key"]: a["id"] for a in data.accounts}
        epics = []
        for e in range(spec.epics_per_board):
            account_key = board_accounts[e % len(board_accounts)]
            epic = new_issue(
                f"{rng.choice(clients)}: {rng.choice(TOPICS).lower()} (phase {e + 1})",
                "Epic",
                status=EPIC_STATUSES[(e + b_index + 2) % len(EPIC_STATUSES)],
                assignee=rng.choice(board_members),
                account_id=account_ids[account_key],
            )
            epics.append(epic)
        for offset in range(-spec.past_sprints, 2):
            sprint_number = current + offset
            if sprint_number < 1:
                continue
            start = _sprint_start(sprint_number, spec.sprint_epoch)
            state = "closed" if offset < 0 else ("active" if offset == 0 else "future")
            sprint_id += 1
            data.sprints.append(
                {
                    "id": sprint_id,
                    "name": f"{key}.{sprint_number}",
                    "state": state,
                    "originBoardId": board.board_id,
                    "startDate": _utc(start) if state != "future" else None,
                    "endDate": _utc(start + timedelta(days=13), time(17, 0)) if state != "future" else None,
                    "completeDate": _utc(start + timedelta(days=14)) if state == "closed" else None,
                    "goal": "",
                }
            )
            for t in range(spec.tickets_per_sprint):
                epic = rng.choice(epics)
                points = rng.choice([1, 2, 3, 5, 8])
                unestimated = offset >= 0 and t % 5 == 4
                no_reviewer = offset >= 0 and t % 6 == 5
                estimate = points * 3600 * 2
                status = (
                    rng.choice(sorted(DONE_STATUSES))
                    if state == "closed"
                    else rng.choice(TICKET_STATUSES[1:6])
                    if state == "active"
                    else "To Do"
                )
                assignee = rng.choice(board_members)
                reviewers = [m for m in board_members if m != assignee] or board_members
                new_issue(
                    rng.choice(TOPICS),
                    rng.choice(["Story", "Story", "Bug", "Task"]),
                    status=status,
                    assignee=assignee,
                    reviewer=None if no_reviewer else rng.choice(reviewers),
                    story_points=None if unestimated else points,
                    sprint_ids=[sprint_id],
                    account_id=epic["account_id"],
                    epic_key=epic["key"],
                    labels=rng.sample(LABELS, rng.randint(0, 2)),
                    original_estimate=None if unestimated else estimate,
                    remaining_estimate=None
                    if unestimated
                    else (0 if status in DONE_STATUSES else estimate // 2),
                )
        for _ in range(spec.backlog_tickets):
            epic = rng.choice(epics)
            new_issue(
                rng.choice(TOPICS),
                "Story",
                status="Backlog",
                account_id=epic["account_id"],
                epic_key=epic["key"],
            )
    _generate_worklogs(spec, data, rng, now)
    return data


def _generate_worklogs(spec: DatasetSpec, data: Dataset, rng: random.Random, now: datetime) -> None:
    account_key_by_id = {a["id"]: a["key"] for a in data.accounts}
    work_issues = [i for i in data.issues if i["issuetype"] != "Epic"]
    if not work_issues or not spec.members:
        return
    board_projects = {b["id"]: b["projectKey"] for b in data.boards}
    issues_by_project: dict[str, list[dict[str, Any]]] = {}
    for issue in work_issues:
        issues_by_project.setdefault(issue["project"], []).append(issue)
    community = next((a["key"] for a in data.accounts if a["key"] == "CR"), "")
    authors = [(m.account_id, m.board_id, m.daily_hours) for m in spec.members]
    authors += [(a, None, 4.0) for a in spec.unknown_authors]
    target = spec.worklogs
    worklog_id = 0
    day = spec.today - timedelta(days=1)
    days_done = 0
    while True:
        if target is None and days_done >= spec.history_days:
            break
        if target is not None and worklog_id >= target:
            break
        if day.weekday() < 5:
            for account_id, board_id, hours in authors:
                project = board_projects.get(board_id) if board_id is not None else None
                pool = issues_by_project.get(project, work_issues) if project else work_issues
                remaining = int(hours * 3600)
                pieces = rng.randint(1, 3)
                for p in range(pieces):
                    if target is not None and worklog_id >= target:
                        break
                    seconds = (
                        remaining if p == pieces - 1 else rng.randint(1, max(1, remaining // 900)) * 900 // 2
                    )
                    seconds = max(900, seconds - seconds % 900)
                    remaining = max(900, remaining - seconds)
                    issue = rng.choice(pool)
                    acc_key = account_key_by_id.get(issue["account_id"], "")
                    if community and rng.random() < 0.04:
                        acc_key = community
                    worklog_id += 1
                    start = WORK_START.replace(hour=9 + p * 2)
                    created = _utc(day, start) + timedelta(hours=rng.randint(1, 10))
                    updated = created + (
                        timedelta(days=rng.randint(1, 5)) if rng.random() < 0.1 else timedelta(0)
                    )
                    updated = min(updated, now)
                    created = min(created, updated)
                    billable = seconds if acc_key.endswith(("CLIENT1", "CLIENT2")) else 0
                    data.worklogs.append(
                        (
                            worklog_id,
                            issue["id"],
                            account_id,
                            seconds,
                            billable,
                            day,
                            start,
                            f"Work on {issue['key']}",
                            created,
                            updated,
                            acc_key,
                        )
                    )
                    issue["time_spent"] += seconds
            days_done += 1
        day -= timedelta(days=1)
        if target is None and day < spec.sprint_epoch:
            break
