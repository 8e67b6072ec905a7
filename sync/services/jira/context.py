"""What a JIRA run maps remote ids through, and what it saw (for deletions and injections)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from opencraft_ops import calendar
from opencraft_ops.integrations.jira import JiraIssue, JiraSprint
from roles.models import Cell, Member
from sprints import calculations
from sprints.models import BoardSprint
from sprints.services import sprint_ensure
from sustainability.models import Account
from sync.calculations import Mapped, epic_status_for, ticket_status_for
from sync.models import JiraStatus

ISSUE_CURSOR = "jira.issues"


def sprint_number_for(sprint: JiraSprint) -> int | None:
    """Our sprint number for a dated JIRA sprint: the one containing its middle day."""
    if sprint.start is None:
        return None
    end = sprint.end or sprint.start + timedelta(days=13)
    middle = (sprint.start + (end - sprint.start) / 2).date()
    try:
        return calculations.sprint_number_on(middle, epoch=calendar.epoch())
    except ValueError:
        return None


@dataclass
class Seen:
    """The JIRA ids a complete read of the projects returned (and the records it skipped,
    by id or key): any other synced ticket or epic of those projects is gone from JIRA."""

    epics: set[str] = field(default_factory=set)
    tickets: set[str] = field(default_factory=set)
    projects: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class SprintEntry:
    """When a synced ticket entered its sprint, for injections (JIRA does not say without
    its changelog). ``history_since`` is the watermark of the syncs before this run: None on
    the very first sync, when what is read is history and nothing is stamped."""

    history_since: datetime | None
    now: datetime

    def for_new(self, issue: JiraIssue) -> datetime | None:
        """A ticket seen for the first time, already in a sprint: created since the last sync
        means it was created there (or moved in since); otherwise the sync noticed it now."""
        if self.history_since is None:
            return None
        if issue.created is not None and issue.created >= self.history_since:
            return issue.created
        return self.moved(issue)

    def moved(self, issue: JiraIssue) -> datetime | None:
        """A ticket that changed sprint: the move is its latest change (JIRA bumps ``updated``)."""
        if self.history_since is None:
            return None
        return issue.updated or self.now


MAX_STATUS_KEYS = 20


@dataclass
class StatusesSeen:
    """The JIRA statuses a run read: their category, the latest issue keys, and those mapped
    only by their category (unknown to the portal)."""

    category: dict[str, str] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    unknown: Counter[str] = field(default_factory=Counter)

    def note(self, issue: JiraIssue, mapped: Mapped) -> None:
        name = issue.status[:100]
        if not name:
            return
        self.category[name] = issue.status_category
        keys = self.keys.setdefault(name, [])
        if len(keys) < MAX_STATUS_KEYS and issue.key not in keys:
            keys.append(issue.key)
        if not mapped.known:
            self.unknown[name] += 1


class SyncContext:
    """Everything a run maps remote ids through, loaded once (a handful of queries)."""

    def __init__(self) -> None:
        self.cells = list(Cell.objects.exclude(jira_board_id=None).order_by("jira_board_id"))
        self.cell_by_project = {
            c.jira_project_key.upper(): c.pk for c in Cell.objects.exclude(jira_project_key="")
        }
        self.members: dict[str, int] = {
            a: i
            for a, i in Member.objects.exclude(jira_account_id=None).values_list("jira_account_id", "id")
            if a
        }
        self.accounts_by_tempo: dict[int, int] = {
            t: i
            for t, i in Account.objects.exclude(tempo_id=None).values_list("tempo_id", "id")
            if t is not None
        }
        self.accounts_by_key: dict[str, int] = dict(Account.objects.values_list("key", "id"))
        self.sprint_by_jira: dict[int, int] = {
            j: s
            for j, s in BoardSprint.objects.exclude(jira_id=None).values_list("jira_id", "sprint_id")
            if j is not None
        }
        self.sprint_ids: dict[int, int] = {}
        self.status_overrides: dict[str, tuple[str, str]] = {
            name: (ticket, epic)
            for name, ticket, epic in JiraStatus.objects.values_list("name", "ticket_status", "epic_status")
        }
        self.statuses = StatusesSeen()
        # Story points field (pinned by a setting, empty here) -> issues with points in another one.
        self.points_elsewhere: Counter[str] = Counter()

    def ticket_status(self, issue: JiraIssue) -> Mapped:
        mapped = ticket_status_for(
            issue.status, issue.status_category, override=self.status_overrides.get(issue.status, ("", ""))[0]
        )
        self.statuses.note(issue, mapped)
        if issue.points_elsewhere:
            self.points_elsewhere[issue.points_elsewhere] += 1
        return mapped

    def epic_status(self, issue: JiraIssue, current: str | None) -> Mapped:
        mapped = epic_status_for(
            issue.status,
            issue.status_category,
            override=self.status_overrides.get(issue.status, ("", ""))[1],
            current=current,
        )
        self.statuses.note(issue, mapped)
        return mapped

    def our_sprint(self, number: int) -> int:
        if number not in self.sprint_ids:
            self.sprint_ids[number] = sprint_ensure(number=number).pk
        return self.sprint_ids[number]

    def account_of(self, issue: JiraIssue) -> int | None:
        if issue.account_id is not None and issue.account_id in self.accounts_by_tempo:
            return self.accounts_by_tempo[issue.account_id]
        return self.accounts_by_key.get(issue.account_key) if issue.account_key else None

    def sprint_of(self, issue: JiraIssue) -> int | None:
        current = issue.current_sprint
        if current is None:
            return None
        if current.id in self.sprint_by_jira:
            return self.sprint_by_jira[current.id]
        number = sprint_number_for(current)
        return self.our_sprint(number) if number is not None else None
