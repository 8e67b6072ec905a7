"""Fixtures of the sprints app's tests (the epics app's tests use ``sprint`` too)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

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


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    """``clock(day)`` moves the portal's clock (``django.utils.timezone.now``, which
    ``localdate`` reads) to 10:00 of ``day`` in the portal's time zone; it keeps ticking from
    there. Every app reads the time through ``timezone``, so views, services and the live
    server's threads all see the same day."""
    real_now = timezone.now

    def set_day(day: date) -> None:
        target = datetime.combine(day, time(10, 0), tzinfo=timezone.get_default_timezone())
        offset = target - real_now()
        monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)

    return set_day
