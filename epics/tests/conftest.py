"""Fixtures of the epics app's tests.

Epics: an owner, a reviewer, the cell's epic planning and sustainability
manager, and one epic of each budget kind in the ``cell`` persona's cell.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from epics.tests.factories import EpicFactory
from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sprints.tests.conftest import sprint  # noqa: F401  (the current sprint, shared)

PASSWORD = "correct-horse-battery"


@pytest.fixture
def epic_owner(cell: Any) -> Any:
    return MemberFactory(cell=cell, user__username="owner", user__password=PASSWORD)


@pytest.fixture
def epic_reviewer(cell: Any) -> Any:
    return MemberFactory(cell=cell, user__username="reviewer", user__password=PASSWORD)


@pytest.fixture
def epic_manager(cell: Any) -> Any:
    member = MemberFactory(cell=cell, user__username="epm", user__password=PASSWORD)
    RoleAssignmentFactory(
        member=member,
        role=Role.objects.get(slug="epic-planning-sustainability-manager"),
        cell=cell,
        since=date.today() - timedelta(days=100),
    )
    return member


@pytest.fixture
def fixed_epic(cell: Any, epic_owner: Any, epic_reviewer: Any) -> Any:
    return EpicFactory(key="FIX-1", cell=cell, owner=epic_owner, reviewer=epic_reviewer, budget_kind="fixed")


@pytest.fixture
def monthly_epic(cell: Any, epic_owner: Any, epic_reviewer: Any) -> Any:
    return EpicFactory(
        key="MON-1",
        cell=cell,
        owner=epic_owner,
        reviewer=epic_reviewer,
        budget_kind="monthly",
        budget_hours=None,
    )


@pytest.fixture
def adhoc_epic(cell: Any, epic_owner: Any, epic_reviewer: Any) -> Any:
    return EpicFactory(
        key="ADH-1",
        cell=cell,
        owner=epic_owner,
        reviewer=epic_reviewer,
        budget_kind="none",
        budget_hours=None,
    )
