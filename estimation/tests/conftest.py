from __future__ import annotations

from typing import Any

import pytest

from estimation import services
from estimation.tests.factories import keeper_of, next_sprint, unestimated


@pytest.fixture
def keeper(cell: Any) -> Any:
    """The cell's sprint planning manager."""
    return keeper_of(cell)


@pytest.fixture
def sprint(db: Any) -> Any:
    return next_sprint()


@pytest.fixture
def session(cell: Any, sprint: Any, core_member: Any, keeper: Any) -> Any:
    """Bebop's open session for the next sprint with two unestimated tickets (SE-1, SE-2),
    a core member and the keeper as voters."""
    unestimated(cell, sprint, "SE-1", assignee=core_member, reviewer=keeper)
    unestimated(cell, sprint, "SE-2", assignee=keeper, reviewer=core_member)
    return services.session_open(cell=cell, sprint_number=sprint.number)
