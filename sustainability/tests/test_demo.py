"""The demo seed: targets, budgets and one accounts review on top of synced data; harmless without it."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sustainability import demo
from sustainability.models import Account, AccountBudget, AccountsReview, SustainabilityTarget, Worklog
from sustainability.tests.factories import hours

pytestmark = pytest.mark.django_db


def test_seed_without_synced_data(cell: Any) -> None:
    demo.seed(io.StringIO())
    assert SustainabilityTarget.objects.filter(cell=cell).exists()
    assert SustainabilityTarget.objects.filter(cell__isnull=True).count() == 1
    assert not Account.objects.exists() and not Worklog.objects.exists()
    assert AccountsReview.objects.count() == 1


def test_seed_is_idempotent_and_budgets_existing_accounts(bebop_data: Any, core_member: Any) -> None:
    hours(core_member, bebop_data["acme"], timezone.localdate() - timedelta(days=20), 30)
    accounts, worklogs = Account.objects.count(), Worklog.objects.count()
    demo.seed(io.StringIO())
    out = io.StringIO()
    demo.seed(out)
    assert "0 targets, 0 budgets, 0 accounts reviews added" in out.getvalue()
    assert AccountBudget.objects.count() == accounts
    assert (Account.objects.count(), Worklog.objects.count()) == (accounts, worklogs)
    assert AccountBudget.objects.get(account=bebop_data["community"]).kind == "yearly"
    assert AccountBudget.objects.get(account=bebop_data["acme"]).since == date(
        timezone.localdate().year, 1, 1
    )
