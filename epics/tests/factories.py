"""Factories for epics, their tickets, worklogs, milestones and updates."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import factory

from epics.models import Epic, EpicBudgetPeriod, EpicMilestone
from roles.tests.factories import CellFactory
from sprints.models import Ticket
from sustainability.models import Account, Worklog


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    key = factory.Sequence(lambda n: f"ACC-{n}")
    name = factory.Sequence(lambda n: f"Account {n}")
    category = "client"
    billable = True


class EpicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epic

    key = factory.Sequence(lambda n: f"EP-{n}")
    title = factory.Sequence(lambda n: f"Epic {n}")
    cell = factory.SubFactory(CellFactory)
    status = "in_development"
    budget_kind = "fixed"
    budget_hours = Decimal("100")


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    key = factory.Sequence(lambda n: f"TK-{n}")
    summary = factory.Sequence(lambda n: f"Ticket {n}")
    epic = factory.SubFactory(EpicFactory)
    cell = factory.LazyAttribute(lambda t: t.epic.cell if t.epic else None)
    status = "In Progress"


class WorklogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worklog

    ticket = factory.SubFactory(TicketFactory)
    work_date = factory.LazyFunction(lambda: datetime.now(UTC).date())
    seconds = 3600
    billable_seconds = factory.LazyAttribute(lambda w: w.seconds)
    created_at = factory.LazyFunction(lambda: datetime.now(UTC))
    updated_at = factory.LazyFunction(lambda: datetime.now(UTC))


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EpicMilestone

    epic = factory.SubFactory(EpicFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    deadline = factory.LazyFunction(lambda: datetime.now(UTC).date())


class BudgetPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EpicBudgetPeriod

    epic = factory.SubFactory(EpicFactory, budget_kind="monthly", budget_hours=None)
    hours_per_month = Decimal("40")
    since = factory.LazyFunction(lambda: datetime.now(UTC).date().replace(day=1))
