"""Process checks of the sprints app: findings and constant query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from opencraft_ops.process_checks import CheckContext, run_checks
from roles.tests.factories import MemberFactory
from sprints import calendar
from sprints.tests.factories import (
    EpicFactory,
    SpilloverFactory,
    SprintFactory,
    TicketFactory,
    sprint_added_at,
)
from sustainability.models import Worklog

pytestmark = pytest.mark.django_db

RULES = [
    "sprint-ticket-not-green",
    "sprint-member-over-committed",
    "sprint-ticket-unestimated",
    "sprint-newcomer-over-limit",
    "sprint-onboarding-budget-over",
    "sprint-spillover-unexplained",
    "sprint-injection-not-accepted",
]


def populate(cell: Any, n: int) -> dict[str, Any]:
    today = date.today()
    current: Any = SprintFactory(number=calendar.sprint_on(today).number)
    nxt: Any = SprintFactory(number=current.number + 1)
    newcomer: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=current.start)
    mentor: Any = MemberFactory(cell=cell)
    busy: Any = MemberFactory(cell=cell, weekly_hours=Decimal(10))
    onboarding: Any = EpicFactory(
        cell=cell, owner=newcomer, reviewer=mentor, title="Onboarding of the newcomer"
    )
    onboarding_ticket: Any = TicketFactory(cell=cell, epic=onboarding)
    for _ in range(n):
        TicketFactory(cell=cell, sprint=nxt, assignee=busy, reviewer=None)  # not green
        TicketFactory(cell=cell, sprint=current, assignee=busy, story_points=None)  # unestimated
        TicketFactory(cell=cell, sprint=current, assignee=newcomer, reviewer=mentor, story_points=Decimal(5))
        SpilloverFactory(
            sprint=SprintFactory(number=current.number - 1), ticket__cell=cell, ticket__assignee=busy
        )
        TicketFactory(
            cell=cell, sprint=current, assignee=busy, added_to_sprint_at=sprint_added_at(current, 13)
        )
        for who in (newcomer, mentor):
            Worklog.objects.create(
                member=who,
                ticket=onboarding_ticket,
                work_date=today,
                seconds=30 * 3600,
                created_at=timezone.now(),
                updated_at=timezone.now(),
            )
    return {"newcomer": newcomer, "busy": busy, "onboarding": onboarding}


def test_every_rule_finds_its_problem(cell: Any) -> None:
    people = populate(cell, 2)
    findings = run_checks(CheckContext(as_of=date.today(), cell_ids=frozenset({cell.pk})), only=RULES)
    by_rule: dict[str, list[Any]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    assert set(by_rule) == set(RULES)
    assert len(by_rule["sprint-spillover-unexplained"]) == 2
    assert {f.member_id for f in by_rule["sprint-member-over-committed"]} >= {people["busy"].pk}
    (limit,) = by_rule["sprint-newcomer-over-limit"]
    assert limit.member_id == people["newcomer"].pk and "limit is 8" in limit.message
    (budget,) = by_rule["sprint-onboarding-budget-over"]
    assert "120.0 h" in budget.message  # 2 x 30 h each by the newcomer and the mentor


def test_other_cells_are_left_out(cell: Any, other_cell: Any) -> None:
    populate(cell, 1)
    assert run_checks(CheckContext(as_of=date.today(), cell_ids=frozenset({other_cell.pk})), only=RULES) == []


@pytest.mark.parametrize("n", [1, 4])
def test_constant_queries(cell: Any, django_assert_num_queries: Any, n: int) -> None:
    populate(cell, n)
    context = CheckContext(as_of=date.today() + timedelta(days=0), cell_ids=frozenset({cell.pk}))
    # not green 1, over-committed 2 x (members + 7 inputs) = 16, unestimated 2, newcomer limit 2,
    # onboarding 3, spillovers 1, injections 1
    with django_assert_num_queries(26):
        findings = run_checks(context, only=RULES)
    assert findings
