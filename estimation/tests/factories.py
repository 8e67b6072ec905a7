"""Factories and helpers of the estimation tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from opencraft_ops import calendar
from roles.models import Member, Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sprints.tests.factories import SprintFactory, TicketFactory

__all__ = ["SprintFactory", "TicketFactory", "keeper_of", "next_sprint", "unestimated"]


def next_sprint() -> Any:
    return SprintFactory(number=calendar.sprint_on(timezone.localdate()).number + 1)


def unestimated(cell: Any, sprint: Any, key: str, **fields: Any) -> Any:
    """A ticket of ``cell`` in ``sprint`` without story points (assigned and reviewed unless told)."""
    return TicketFactory(key=key, cell=cell, sprint=sprint, story_points=None, **fields)


def keeper_of(cell: Any, *, username: str = "spm", role: str = "sprint-planning-manager") -> Member:
    """A member of ``cell`` holding ``role`` there (the sprint planning manager by default)."""
    member: Member = MemberFactory.create(
        cell=cell, user__username=username, user__password="correct-horse-battery"
    )
    RoleAssignmentFactory(
        member=member, role=Role.objects.get(slug=role), cell=cell, since=date.today() - timedelta(days=100)
    )
    return member
