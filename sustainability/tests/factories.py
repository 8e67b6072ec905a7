from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import factory
from django.utils.formats import date_format

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


def shown(day: date) -> str:
    """A date as the pages show it (the portal's DATE_FORMAT: Thu 15 Jan 2026)."""
    return date_format(day)


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


def sprint_estimates(cell: Any, accounts: dict[str, Any], current_number: int) -> None:
    """Tickets of ``cell`` in sprint ``current_number`` and the next one, worked out
    by the sprint commitment's rule:

    ============  ========  ==============  ===========  ===========================  ======
    sprint        account   status          remaining    original / recurring          counts
    ============  ========  ==============  ===========  ===========================  ======
    current       ACME      In Progress     10 h                                       10 h
    current       ACME      Done            8 h                                        0 (finished)
    current       BB-INT    To Do           --           6 h                           6 h (original)
    current       BB-INT    Stretch Goals   5 h                                        0 (not committed)
    next          ACME      To Do           --           --                            0 (unestimated)
    next          BB-INT    In Progress     9 h          recurring, 2.5 h a sprint     2.5 h
    next          ACME      To Do           20 h         30 h                          20 h (remaining)
    next          ACME      Deployed & D.   --           5 h                           0 (finished)
    ============  ========  ==============  ===========  ===========================  ======

    Billable: 10 (current) + 20 (next) = 30 h; non-billable: 6 + 2.5 = 8.5 h;
    ratio 8.5 / 38.5 = 22.1 %.
    """
    from sprints.models import Ticket
    from sprints.services import sprint_ensure

    this, following = sprint_ensure(number=current_number), sprint_ensure(number=current_number + 1)
    acme, internal = accounts["acme"], accounts["internal"]
    h = 3600
    rows: list[tuple[Any, Any, str, int | None, int | None, Decimal | None]] = [
        (this, acme, "In Progress", 10 * h, None, None),
        (this, acme, "Done", 8 * h, None, None),
        (this, internal, "To Do", None, 6 * h, None),
        (this, internal, "Stretch Goals", 5 * h, None, None),
        (following, acme, "To Do", None, None, None),
        (following, internal, "In Progress", 9 * h, None, Decimal("2.5")),
        (following, acme, "To Do", 20 * h, 30 * h, None),
        (following, acme, "Deployed & Delivered", None, 5 * h, None),
    ]
    for n, (sprint, account, status, remaining, original, recurring) in enumerate(rows):
        Ticket.objects.create(
            key=f"BB-{100 + n}",
            summary=f"Estimated {n}",
            cell=cell,
            sprint=sprint,
            account=account,
            status=status,
            remaining_estimate_seconds=remaining,
            original_estimate_seconds=original,
            is_recurring=recurring is not None,
            recurring_hours_per_sprint=recurring or Decimal(0),
        )
