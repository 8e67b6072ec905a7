"""Fixtures of the sprints app's tests (the epics app's tests use ``sprint`` too)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sprints.tests.factories import current_sprint


@pytest.fixture
def sprint(db: Any) -> Any:
    return current_sprint()


@pytest.fixture
def planning_manager(cell: Any) -> Any:
    member = MemberFactory(cell=cell, user__username="spm")
    RoleAssignmentFactory(
        member=member,
        role=Role.objects.get(slug="sprint-planning-manager"),
        cell=cell,
        since=date.today() - timedelta(days=400),
    )
    return member
