"""Epic process checks: what each finds, what it leaves alone, and constant query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from epics import services
from epics.tests.answers import FIXED_ANSWERS_OK
from epics.tests.factories import (
    BudgetPeriodFactory,
    EpicFactory,
    MilestoneFactory,
    TicketFactory,
    WorklogFactory,
)
from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, Severity, run_checks
from roles.tests.factories import MemberFactory, TimeOffFactory
from sprints.calculations import thursday_w2

pytestmark = pytest.mark.django_db

SPRINT = calendar.sprint_on(date(2026, 11, 25))
DUE = thursday_w2(SPRINT)
AFTER = DUE + timedelta(days=1)


def findings(rule: str, as_of: date, cell: Any = None) -> list[Any]:
    context = CheckContext(as_of=as_of, cell_ids=frozenset({cell.pk}) if cell else None)
    return run_checks(context, only=[rule])


def test_update_missing_after_the_due_day_only(
    cell: Any, fixed_epic: Any, epic_owner: Any, epic_reviewer: Any
) -> None:
    EpicFactory(cell=cell, status="accepted")  # not in development: no update needed
    assert findings("epic-update-missing", DUE) == []
    found = findings("epic-update-missing", AFTER)
    assert [f.subject for f in found] == [f"epic:FIX-1:sprint:{SPRINT.number}"]
    assert found[0].member_id == epic_owner.pk and found[0].severity == Severity.WARNING
    # The owner was off on the due day: the reviewer owed it.
    TimeOffFactory(member=epic_owner, start=DUE, end=DUE)
    assert findings("epic-update-missing", AFTER)[0].member_id == epic_reviewer.pk
    services.epic_update_save(
        epic=fixed_epic, sprint_number=SPRINT.number, author=epic_reviewer, answers=FIXED_ANSWERS_OK
    )
    assert findings("epic-update-missing", AFTER) == []


def test_update_due_reminder_in_the_days_before(
    cell: Any, fixed_epic: Any, epic_owner: Any, epic_reviewer: Any
) -> None:
    monday_w2 = DUE - timedelta(days=3)
    assert findings("epic-update-due", monday_w2 - timedelta(days=1)) == []
    assert findings("epic-update-due", AFTER) == []
    found = findings("epic-update-due", monday_w2)
    assert [(f.member_id, f.severity, f.url) for f in found] == [
        (epic_owner.pk, Severity.INFO, "/epics/FIX-1/update/")
    ]
    TimeOffFactory(member=epic_owner, start=DUE, end=DUE)
    assert findings("epic-update-due", DUE)[0].member_id == epic_reviewer.pk
    services.epic_update_save(
        epic=fixed_epic, sprint_number=SPRINT.number, author=epic_reviewer, answers=FIXED_ANSWERS_OK
    )
    assert findings("epic-update-due", DUE) == []


def test_past_due_date(cell: Any, fixed_epic: Any, epic_owner: Any) -> None:
    MilestoneFactory(epic=fixed_epic, deadline=AFTER - timedelta(days=3))
    MilestoneFactory(epic=fixed_epic, deadline=AFTER - timedelta(days=9))
    MilestoneFactory(epic=fixed_epic, deadline=AFTER - timedelta(days=20), done=True)
    done = EpicFactory(cell=cell, status="done")
    MilestoneFactory(epic=done, deadline=AFTER - timedelta(days=3))
    ok = EpicFactory(cell=cell)
    MilestoneFactory(epic=ok, deadline=AFTER + timedelta(days=3))
    found = findings("epic-past-due-date", AFTER)
    assert [(f.subject, f.member_id) for f in found] == [
        (f"epic:FIX-1:due:{(AFTER - timedelta(days=9)).isoformat()}", epic_owner.pk)
    ]


def test_fixed_budget_over_and_projected_over(cell: Any, fixed_epic: Any) -> None:
    WorklogFactory(
        ticket=TicketFactory(epic=fixed_epic, remaining_estimate_seconds=30 * 3600), seconds=80 * 3600
    )
    over = EpicFactory(cell=cell, key="OVER-1", budget_hours=Decimal("10"))
    WorklogFactory(ticket=TicketFactory(epic=over), seconds=11 * 3600)
    fine = EpicFactory(cell=cell, key="FINE-1", budget_hours=Decimal("100"))
    WorklogFactory(ticket=TicketFactory(epic=fine, remaining_estimate_seconds=5 * 3600), seconds=50 * 3600)
    closed = TicketFactory(epic=fine, status="Done", remaining_estimate_seconds=500 * 3600)
    assert closed.status == "Done"
    found = {f.subject: f for f in findings("epic-fixed-over-budget", AFTER)}
    assert set(found) == {"epic:FIX-1:budget", "epic:OVER-1:budget"}
    assert found["epic:OVER-1:budget"].severity == Severity.CRITICAL
    assert found["epic:FIX-1:budget"].severity == Severity.WARNING
    assert "80.00 h used + 30.00 h remaining of a 100.00 h budget" in found["epic:FIX-1:budget"].message


def test_fixed_budget_projection_uses_the_original_estimate_without_a_remaining_one(
    cell: Any, fixed_epic: Any
) -> None:
    WorklogFactory(ticket=TicketFactory(epic=fixed_epic, remaining_estimate_seconds=None), seconds=70 * 3600)
    TicketFactory(epic=fixed_epic, original_estimate_seconds=40 * 3600, remaining_estimate_seconds=None)
    TicketFactory(epic=fixed_epic, status="Done", original_estimate_seconds=90 * 3600)
    # 70 h used + 40 h (original estimate, nothing remaining given) > 100 h; the Done ticket counts 0.
    found = findings("epic-fixed-over-budget", AFTER)
    assert [f.subject for f in found] == ["epic:FIX-1:budget"]
    assert "70.00 h used + 40.00 h remaining of a 100.00 h budget" in found[0].message


def test_monthly_over_budget(cell: Any, monthly_epic: Any) -> None:
    BudgetPeriodFactory(epic=monthly_epic, hours_per_month=Decimal("10"), since=date(2026, 1, 1))
    ticket = TicketFactory(epic=monthly_epic)
    WorklogFactory(ticket=ticket, seconds=8 * 3600, work_date=AFTER.replace(day=1))
    WorklogFactory(ticket=ticket, seconds=30 * 3600, work_date=AFTER.replace(day=1) - timedelta(days=1))
    assert findings("epic-monthly-over-budget", AFTER) == []
    WorklogFactory(ticket=ticket, seconds=3 * 3600, work_date=AFTER)
    found = findings("epic-monthly-over-budget", AFTER)
    assert [f.subject for f in found] == [f"epic:MON-1:month:{AFTER:%Y-%m}"]
    assert "11.00 h logged this month for a 10.00 h monthly budget" in found[0].message
    # A later, bigger budget in force clears it.
    BudgetPeriodFactory(epic=monthly_epic, hours_per_month=Decimal("20"), since=AFTER.replace(day=1))
    assert findings("epic-monthly-over-budget", AFTER) == []


def test_nobody_available_for_the_update(cell: Any, epic_owner: Any) -> None:
    lonely = EpicFactory(cell=cell, key="LONE-1", owner=epic_owner, reviewer=None)
    EpicFactory(cell=cell, key="ORPHAN-1", owner=None, reviewer=None)
    EpicFactory(cell=cell, key="COVERED-1", owner=epic_owner, reviewer=MemberFactory(cell=cell))
    assert [f.subject for f in findings("epic-update-nobody-available", DUE)] == [
        f"epic:ORPHAN-1:sprint:{SPRINT.number}:nobody"
    ]
    TimeOffFactory(member=epic_owner, start=DUE - timedelta(days=2), end=DUE + timedelta(days=2))
    found = findings("epic-update-nobody-available", DUE)
    assert [f.subject.split(":")[1] for f in found] == ["LONE-1", "ORPHAN-1"]
    assert all(f.role_slug == "epic-planning-sustainability-manager" for f in found)
    assert lonely.key in found[0].message and "is off that day" in found[0].message


def test_scoped_to_the_context_cells(cell: Any, other_cell: Any, fixed_epic: Any) -> None:
    EpicFactory(cell=other_cell, key="OTHER-1")
    assert {f.subject.split(":")[1] for f in findings("epic-update-missing", AFTER, cell)} == {"FIX-1"}
    assert {f.subject.split(":")[1] for f in findings("epic-update-missing", AFTER)} == {"FIX-1", "OTHER-1"}


RULES = {
    "epic-update-due": 2,  # epics without update, owners' time off
    "epic-update-missing": 2,  # epics without update, owners' time off
    "epic-past-due-date": 1,  # epics with the oldest missed deadline
    "epic-fixed-over-budget": 3,  # epics, worklog aggregate, estimate aggregate
    "epic-monthly-over-budget": 2,  # epics with budget in force, worklog aggregate
    "epic-update-nobody-available": 2,  # epics without update, owners' time off
}


@pytest.mark.parametrize(("rule", "queries"), RULES.items())
def test_constant_queries(rule: str, queries: int, cell: Any, django_assert_num_queries: Any) -> None:
    def grow(n: int, reviewer: Any) -> None:
        for i in range(n):
            owner = MemberFactory(cell=cell)
            TimeOffFactory(member=owner, start=DUE, end=DUE)
            kind = "monthly" if rule == "epic-monthly-over-budget" else "fixed"
            epic = EpicFactory(
                cell=cell, owner=owner, reviewer=reviewer, budget_kind=kind, budget_hours=Decimal("1")
            )
            if kind == "monthly":
                BudgetPeriodFactory(epic=epic, hours_per_month=Decimal("1"), since=date(2026, 1, 1))
            MilestoneFactory(epic=epic, deadline=AFTER - timedelta(days=1 + i))
            WorklogFactory(
                ticket=TicketFactory(epic=epic, remaining_estimate_seconds=3600),
                seconds=7200,
                work_date=AFTER,
            )

    day = DUE if rule == "epic-update-due" else AFTER
    reviewer = MemberFactory(cell=cell) if rule == "epic-update-due" else None

    grow(2, reviewer)
    with django_assert_num_queries(queries):
        few = findings(rule, day)
    grow(6, reviewer)
    with django_assert_num_queries(queries):
        many = findings(rule, day)
    assert len(few) == 2 and len(many) == 8
