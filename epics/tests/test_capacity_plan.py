"""The forward capacity plan: the monthly hours open epics ask for against the cell's
hours in the next three months (ep-capacity-plan), its maths, the check that fires when a
month is short, and the epic planning page that shows it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from epics import calculations as calc
from epics import services
from epics.capacity_plan import capacity_plans
from epics.tests.answers import FIXED_ANSWERS_OK, MONTHLY_ANSWERS_OK
from epics.tests.factories import BudgetPeriodFactory, EpicFactory
from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, run_checks
from roles.tests.factories import MemberFactory, TimeOffFactory

AS_OF = date(2026, 12, 7)  # the plan covers January, February and March 2027
JANUARY = date(2027, 1, 1)


@pytest.mark.parametrize(
    ("answers", "hours"),
    [
        ({}, None),
        ({"monthly_budget_hours": "40"}, Decimal(40)),
        ({"monthly_budget_hours": "40", "new_monthly_hours": "60"}, Decimal(60)),
        ({"monthly_hours_needed": "25.5", "hours_used": "10"}, Decimal("25.5")),
        ({"new_monthly_hours": "", "monthly_budget_hours": "30"}, Decimal(30)),
        ({"new_monthly_hours": "lots"}, None),
        ({"new_monthly_hours": "-5"}, None),
        ({"new_monthly_hours": "NaN", "monthly_budget_hours": "8"}, Decimal(8)),
    ],
)
def test_asked_monthly_hours(answers, hours):
    assert calc.asked_monthly_hours(answers) == hours


def test_plan_months_and_usable_hours():
    assert calc.plan_months(date(2026, 11, 30)) == [
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 1, 31)),
        (date(2027, 2, 1), date(2027, 2, 28)),
    ]
    assert calc.usable_hours(
        Decimal(1000), firefighting_percent=Decimal("7.5"), discovery_percent=Decimal("2.5")
    ) == Decimal(900)
    assert (
        calc.usable_hours(Decimal(10), firefighting_percent=Decimal(80), discovery_percent=Decimal(40)) == 0
    )
    month = calc.PlanMonth(start=JANUARY, demand=Decimal(120), available=Decimal(100))
    assert month.short and month.balance == -20 and month.use_percent == 120
    assert calc.PlanMonth(start=JANUARY, demand=Decimal(5), available=Decimal(0)).use_percent is None


def _update(epic: Any, author: Any, answers: dict[str, str], sprint_number: int) -> None:
    services.epic_update_save(epic=epic, sprint_number=sprint_number, author=author, answers=answers)


@pytest.mark.django_db
def test_plan_counts_latest_updates_budgets_joiners_leavers_and_time_off(cell: Any) -> None:
    one: Any = MemberFactory(cell=cell, joined_on=date(2020, 1, 1), weekly_hours=Decimal(40))
    MemberFactory(cell=cell, joined_on=date(2027, 2, 1), weekly_hours=Decimal(20))  # joins in February
    MemberFactory(cell=cell, joined_on=date(2020, 1, 1), left_on=date(2027, 1, 31), weekly_hours=Decimal(40))
    TimeOffFactory(member=one, start=date(2027, 3, 1), end=date(2027, 3, 5))  # a week off in March
    sprint = calendar.sprint_on(AS_OF).number
    monthly = EpicFactory(cell=cell, owner=one, key="PL-1", budget_kind="monthly", budget_hours=None)
    _update(monthly, one, {**MONTHLY_ANSWERS_OK, "monthly_budget_hours": "40"}, sprint - 1)
    _update(
        monthly, one, {**MONTHLY_ANSWERS_OK, "allocation_change": "yes", "new_monthly_hours": "60"}, sprint
    )
    budgeted = EpicFactory(cell=cell, owner=one, key="PL-2", budget_kind="monthly", budget_hours=None)
    BudgetPeriodFactory(epic=budgeted, since=date(2026, 1, 1), hours_per_month=Decimal(30))
    fixed = EpicFactory(cell=cell, owner=one, key="PL-3")
    _update(fixed, one, FIXED_ANSWERS_OK, sprint)  # fits: asks for no monthly hours
    EpicFactory(cell=cell, owner=one, key="PL-4", status="done", budget_kind="monthly", budget_hours=None)
    (plan,) = capacity_plans(as_of=AS_OF, cell_ids=[cell.pk])
    assert [(e.key, e.hours_per_month) for e in plan.epics] == [("PL-1", Decimal(60)), ("PL-2", Decimal(30))]
    assert [m.demand for m in plan.months] == [Decimal(90)] * 3

    # Working days: January 21, February 20, March 23; 8 h a day at 40 h a week; 90% for epics
    # (7.5% firefighting, 2.5% discovery). January: the two full-timers; February: the one
    # who stays and the joiner at 20 h; March: a week off for the first.
    def usable(hours: int) -> Decimal:
        return calc.usable_hours(
            Decimal(hours), firefighting_percent=Decimal("7.5"), discovery_percent=Decimal("2.5")
        )

    assert [m.available for m in plan.months] == [
        usable(21 * 8 * 2),
        usable(20 * 8 + 20 * 4),
        usable(18 * 8 + 23 * 4),
    ]
    assert not plan.short_months


@pytest.mark.django_db
def test_check_fires_for_a_short_month_and_holds_when_it_fits(cell: Any) -> None:
    one: Any = MemberFactory(cell=cell, joined_on=date(2020, 1, 1), weekly_hours=Decimal(40))
    epic = EpicFactory(cell=cell, owner=one, key="PL-9", budget_kind="monthly", budget_hours=None)
    BudgetPeriodFactory(epic=epic, since=date(2026, 1, 1), hours_per_month=Decimal(100))
    context = CheckContext(as_of=AS_OF, cell_ids=frozenset({cell.pk}))
    assert run_checks(context, only=["cell-capacity-plan-short"]) == []  # about 150 h a month
    # The member leaves at the end of January: February and March are short.
    one.left_on = date(2027, 1, 31)
    one.save()
    found = run_checks(context, only=["cell-capacity-plan-short"])
    assert [f.subject for f in found] == [f"cell:{cell.pk}:plan:2027-02", f"cell:{cell.pk}:plan:2027-03"]
    assert all(f.role_slug == "epic-planning-sustainability-manager" and f.member_id is None for f in found)
    assert "ask for 100 h in February 2027; the cell has 0 h for epics then (100 h short)" in found[0].message
    assert found[0].url == f"/epics/cell/{cell.slug}/planning/#capacity-plan"


@pytest.mark.django_db
def test_planning_page_shows_the_plan_with_a_fixed_number_of_queries(
    client: Any, cell: Any, epic_manager: Any, django_assert_max_num_queries: Any
) -> None:
    def grow(n: int) -> None:
        for _ in range(n):
            member: Any = MemberFactory(cell=cell)
            epic = EpicFactory(cell=cell, owner=member, budget_kind="monthly", budget_hours=None)
            BudgetPeriodFactory(
                epic=epic, since=date.today() - timedelta(days=40), hours_per_month=Decimal(10)
            )

    grow(2)
    client.force_login(epic_manager.user)
    url = reverse("epics:epic-planning", args=[cell.slug])
    with django_assert_max_num_queries(40) as small:
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="capacity-plan"' in html and "Forward capacity plan" in html
    assert response.context["plan"].months[0].demand == Decimal(20)
    grow(4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["plan"].months[0].demand == Decimal(60)
