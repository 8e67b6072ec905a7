from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import factory

from roles.tests.factories import MemberFactory
from sustainability.models import Account, AccountBudget, SustainabilityTarget, Worklog


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"ACC-{n}")
    name = factory.LazyAttribute(lambda a: f"Account {a.key}")
    category = "client"
    billable = True
    cell = None


class WorklogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worklog

    member = factory.SubFactory(MemberFactory)
    account = factory.SubFactory(AccountFactory)
    account_key = factory.LazyAttribute(lambda w: w.account.key if w.account else "")
    work_date = factory.LazyFunction(date.today)
    seconds = 3600
    billable_seconds = factory.LazyAttribute(lambda w: w.seconds)
    created_at = factory.LazyAttribute(lambda w: datetime.combine(w.work_date, time(18, 0), tzinfo=UTC))
    updated_at = factory.LazyAttribute(lambda w: w.created_at)


def hours(member: Any, account: Any, day: date, h: int | str, **kwargs: Any) -> Worklog:
    """A worklog of ``h`` hours."""
    seconds = int(Decimal(str(h)) * 3600)
    worklog: Worklog = WorklogFactory(  # type: ignore[assignment]
        member=member, account=account, work_date=day, seconds=seconds, **kwargs
    )
    return worklog


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountBudget

    account = factory.SubFactory(AccountFactory)
    kind = "monthly"
    hours = Decimal("100")
    since = date(2020, 1, 1)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SustainabilityTarget

    cell = None
    max_non_billable_percent = Decimal("30")
    since = date(2020, 1, 1)
    reference_start = factory.LazyAttribute(lambda t: t.since)
