from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from opencraft_ops import calendar
from roles.tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Factories hash a password per user; the default hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def current_sprint() -> int:
    """Today's sprint in the site's time zone, as the pages and services see it."""
    return calendar.sprint_on(timezone.localdate()).number


@pytest.fixture
def crew(cell: Any, sprint_manager: Any, core_member: Any) -> list[Any]:
    """Six core members of the cell (incl. the sprint manager and core_member), named for a stable order."""
    others = [
        MemberFactory(
            cell=cell,
            member_type="core",
            user__username=f"crew{i}",
            user__first_name=f"Crew{i}",
            user__last_name="X",
        )
        for i in range(4)
    ]
    return [sprint_manager, core_member, *others]


@pytest.fixture
def newcomer(cell: Any, current_sprint: int) -> Any:
    """The root persona, but in the team for the whole current sprint whatever day it is:
    joined ten days before the sprint started. (Joining "ten days ago" falls inside the sprint
    from its twelfth day on, and then the rules refuse them as "not in the team for the whole
    period" before saying they are not core, and the budgets count one member fewer.)"""
    return MemberFactory(
        cell=cell,
        member_type="newcomer",
        joined_on=calendar.sprint_dates(current_sprint).start - timedelta(days=10),
        user__username="newcomer",
        user__password=PASSWORD,
    )
