from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duties.models import DutyDefinition
from duties.services import duty_instances_open
from opencraft_ops.process_checks import CheckContext, run_checks


@pytest.fixture(autouse=True)
def _duty_catalog_after_flush(request: Any) -> None:
    """Transactional (browser) tests flush the data migration's duty catalog when they end,
    for every later test of the session too: load it back for every database test, after the
    root conftest has put the role catalog back. One query when it is there."""
    names = set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None and not names & {
        "db",
        "transactional_db",
        "live_server",
    }:
        return
    request.getfixturevalue("_role_catalog_after_flush")
    from duties.catalog import load_duty_catalog
    from roles.models import Role

    if not DutyDefinition.objects.exists():
        load_duty_catalog(DutyDefinition, Role)


@pytest.fixture
def open_duties() -> Callable[..., Any]:
    """Opens the catalog's duties as of a day (default today) for the existing holders."""

    def run(as_of: date | None = None, lookback_days: int = 20) -> Any:
        return duty_instances_open(as_of=as_of or date.today(), lookback_days=lookback_days)

    return run


@pytest.fixture
def wrap_up(sprint_manager: Any) -> Any:
    """The sprint manager's wrap-up duty for their cell, due today, with its checklist."""
    from duties.tests.factories import DutyInstanceFactory

    definition = DutyDefinition.objects.get(slug="sprint-manager-wrap-up")
    return DutyInstanceFactory(
        definition=definition,
        cell=sprint_manager.cell,
        assignee=sprint_manager,
        period="S-test",
        opens_on=date.today() - timedelta(days=1),
        due_on=date.today(),
    )


@pytest.fixture
def check_queries() -> Callable[..., int]:
    """How many queries the registered process checks run for a context (other apps add
    rules over time, so page query budgets add this figure rather than hard-code it)."""

    def count(**kwargs: Any) -> int:
        with CaptureQueriesContext(connection) as ctx:
            run_checks(CheckContext(as_of=kwargs.pop("as_of", date.today()), **kwargs))
        return len(ctx.captured_queries)

    return count


@pytest.fixture
def capacity_queries() -> Callable[..., int]:
    """How many queries the sprints app's member capacity runs (its own fixed figure)."""
    from opencraft_ops import calendar
    from sprints.selectors import member_capacity

    def count(member: Any) -> int:
        member = type(member).objects.select_related("cell").get(pk=member.pk)  # as member_of loads it
        with CaptureQueriesContext(connection) as ctx:
            member_capacity(member=member, sprint_number=calendar.sprint_on(date.today()).number)
        return len(ctx.captured_queries)

    return count
