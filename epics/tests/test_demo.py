"""The epic demo: adds to synced epics, never creates epics, idempotent, fine with none."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from epics import demo
from epics.models import Epic, EpicBudgetPeriod, EpicMilestone, EpicStatusChange, EpicUpdate
from epics.tests.factories import EpicFactory, TicketFactory, WorklogFactory

pytestmark = pytest.mark.django_db


def test_no_epics_no_failure() -> None:
    out = io.StringIO()
    demo.seed(out)
    assert "no epics" in out.getvalue()
    assert not EpicUpdate.objects.exists() and not Epic.objects.exists()


def test_keeps_budgets_chosen_before(cell: Any, epic_owner: Any) -> None:
    monthly: Any = EpicFactory(cell=cell, owner=epic_owner, budget_kind="monthly", budget_hours=Decimal("70"))
    fixed: Any = EpicFactory(cell=cell, owner=epic_owner, budget_kind="fixed", budget_hours=Decimal("55"))
    demo.seed(io.StringIO())
    monthly.refresh_from_db()
    fixed.refresh_from_db()
    assert (monthly.budget_kind, fixed.budget_kind, fixed.budget_hours) == ("monthly", "fixed", Decimal("55"))
    assert monthly.budget_periods.order_by("since").last().hours_per_month == Decimal("70")


def test_seeds_once_on_top_of_existing_epics(cell: Any, epic_owner: Any, epic_reviewer: Any) -> None:
    epics = [
        EpicFactory(cell=cell, owner=epic_owner, status="in_development", budget_hours=None) for _ in range(6)
    ]
    EpicFactory(cell=cell, status="prospect")
    for epic in epics:
        WorklogFactory(ticket=TicketFactory(epic=epic), seconds=3 * 3600, billable_seconds=3600)
    demo.seed(io.StringIO())
    counts = (
        Epic.objects.count(),
        EpicMilestone.objects.count(),
        EpicBudgetPeriod.objects.count(),
        EpicUpdate.objects.count(),
        EpicStatusChange.objects.count(),
    )
    assert counts[0] == 7
    assert counts[1] == 6 * 3  # the prospect gets no timeline
    assert counts[2] == 2 * sum(1 for e in Epic.objects.all() if e.budget_kind == "monthly")
    # Every in-development epic has last sprint's update, two in three this sprint's too.
    assert counts[3] == 6 + 4 and counts[4] == 6
    assert {e.budget_kind for e in Epic.objects.filter(status="in_development")} == {
        "fixed",
        "monthly",
        "none",
    }
    demo.seed(io.StringIO())
    assert (
        Epic.objects.count(),
        EpicMilestone.objects.count(),
        EpicBudgetPeriod.objects.count(),
        EpicUpdate.objects.count(),
        EpicStatusChange.objects.count(),
    ) == counts
