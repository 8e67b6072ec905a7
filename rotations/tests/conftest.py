from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from roles.tests.factories import MemberFactory
from sprints import calendar


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Factories hash a password per user; the default hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def current_sprint() -> int:
    return calendar.sprint_on(date.today()).number


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
