from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

import factory
from django.utils import timezone

from epics.models import Epic
from opencraft_ops import calendar
from roles.tests.factories import CellFactory, MemberFactory
from sprints.models import Spillover, Sprint, Ticket


class SprintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sprint
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    start = factory.LazyAttribute(lambda s: calendar.sprint_dates(s.number).start)
    end = factory.LazyAttribute(lambda s: calendar.sprint_dates(s.number).end)
    name = factory.LazyAttribute(lambda s: f"Sprint {s.number}")


def current_sprint() -> Sprint:
    number = calendar.sprint_on(timezone.localdate()).number
    sprint: Sprint = SprintFactory.create(number=number)
    return sprint


def sprint_added_at(sprint: Sprint, day_number: int) -> datetime:
    """Noon (UTC) on day ``day_number`` (1-14) of ``sprint``."""
    day = calendar.sprint_dates(sprint.number).days[day_number - 1]
    return datetime.combine(day, time(12, 0), tzinfo=timezone.get_current_timezone())


class EpicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epic

    key = factory.Sequence(lambda n: f"EP-{n + 1}")
    title = factory.Sequence(lambda n: f"Epic {n + 1}")
    cell = factory.SubFactory(CellFactory)
    status = "in_development"


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    key = factory.Sequence(lambda n: f"SE-{n + 1}")
    summary = factory.Sequence(lambda n: f"Ticket {n + 1}")
    status = "To Do"
    cell = factory.SubFactory(CellFactory)
    story_points = Decimal("3")
    original_estimate_seconds = 5 * 3600
    remaining_estimate_seconds = 5 * 3600


class SpilloverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spillover

    sprint = factory.SubFactory(SprintFactory)
    ticket = factory.SubFactory(TicketFactory, sprint=factory.SelfAttribute("..sprint"))
    cell = factory.LazyAttribute(lambda s: s.ticket.cell)
    assignee = factory.LazyAttribute(lambda s: s.ticket.assignee)
    status = "In Progress"


__all__ = ["EpicFactory", "MemberFactory", "SpilloverFactory", "SprintFactory", "TicketFactory"]
