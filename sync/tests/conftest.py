from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from epics.models import Epic
from opencraft_ops.integrations.fakes import BoardSpec, DatasetSpec, MemberSpec, generate
from opencraft_ops.integrations.http import RetryPolicy
from opencraft_ops.integrations.jira import JiraClient
from opencraft_ops.integrations.tempo import TempoClient
from roles.tests.factories import CellFactory, MemberFactory
from sprints.models import BoardSprint, Ticket
from sustainability.models import Account, Worklog
from sync.models import SyncCursor

TODAY = date(2026, 11, 25)
MEMBERS = [f"acc-{i}" for i in range(6)]
GHOST = "ghost-1"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    bebop = CellFactory(name="Bebop", slug="bebop", jira_board_id=1, jira_project_key="BB")
    falcon = CellFactory(name="Falcon", slug="falcon", jira_board_id=2, jira_project_key="FAL")
    members = {
        account: MemberFactory(cell=bebop if i % 2 == 0 else falcon, jira_account_id=account)
        for i, account in enumerate(MEMBERS)
    }
    return {"bebop": bebop, "falcon": falcon, "members": members}


@pytest.fixture
def spec() -> DatasetSpec:
    return DatasetSpec(
        members=tuple(MemberSpec(a, board_id=1 + i % 2) for i, a in enumerate(MEMBERS)),
        boards=(BoardSpec(1, "BB", "Bebop"), BoardSpec(2, "FAL", "Falcon")),
        today=TODAY,
        history_days=12,
        seed=3,
        unknown_authors=(GHOST,),
    )


@pytest.fixture
def upstream(fake_jira, fake_tempo, spec):
    data = generate(spec)
    fake_jira.app.load(data)
    fake_tempo.app.load(data)
    return data


@pytest.fixture
def tempo(fake_tempo, sleeps) -> TempoClient:
    return TempoClient(
        base_url=fake_tempo.url, token=fake_tempo.app.token, sleep=sleeps, page_limit=50, timeout=2
    )


@pytest.fixture
def jira(fake_jira, sleeps) -> JiraClient:
    return JiraClient(
        server=fake_jira.url,
        user=fake_jira.app.user,
        token=fake_jira.app.token,
        sleep=sleeps,
        policy=RetryPolicy(max_delay=1),
        timeout=2,
    )


def snapshot() -> dict[str, Any]:
    """Everything the sync writes, in comparable form (local ids left out)."""
    return {
        "worklogs": sorted(
            Worklog.objects.values_list(
                "tempo_id",
                "member__jira_account_id",
                "author_account_id",
                "ticket__key",
                "jira_issue_id",
                "account__key",
                "account_key",
                "work_date",
                "start_time",
                "seconds",
                "billable_seconds",
                "description",
                "created_at",
                "updated_at",
            )
        ),
        "accounts": sorted(
            Account.objects.values_list(
                "tempo_id", "key", "name", "category", "billable", "cell__slug", "status"
            )
        ),
        "tickets": sorted(
            Ticket.objects.values_list(
                "jira_id",
                "key",
                "summary",
                "status",
                "cell__slug",
                "assignee__jira_account_id",
                "reviewer__jira_account_id",
                "story_points",
                "original_estimate_seconds",
                "remaining_estimate_seconds",
                "account__key",
                "epic__key",
                "sprint__number",
                "labels",
                "jira_updated_at",
            )
        ),
        "epics": sorted(
            Epic.objects.values_list("jira_id", "key", "title", "status", "cell__slug", "account__key")
        ),
        "board_sprints": sorted(
            BoardSprint.objects.values_list("jira_id", "cell__slug", "sprint__number", "state")
        ),
    }


def wipe() -> None:
    """Forget everything synced, as on a fresh database."""
    Worklog.objects.all().delete()
    Ticket.objects.all().delete()
    Epic.objects.all().delete()
    BoardSprint.objects.all().delete()
    Account.objects.all().delete()
    SyncCursor.objects.all().delete()
