"""The newcomer page: limits, goals, production access and onboarding budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opencraft_ops import calendar
from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sprints.tests.factories import EpicFactory, SprintFactory, TicketFactory
from sustainability.models import Worklog

pytestmark = pytest.mark.django_db


def setup_newcomer(cell: Any, tickets: int) -> dict[str, Any]:
    current: Any = SprintFactory(number=calendar.sprint_on(date.today()).number)
    nc: Any = MemberFactory(cell=cell, member_type="newcomer", joined_on=current.start, user__username="nc")
    mentor: Any = MemberFactory(cell=cell, user__username="mentor")
    epic: Any = EpicFactory(cell=cell, owner=nc, reviewer=mentor, title="Onboarding: Nc")
    onboarding: Any = TicketFactory(cell=cell, epic=epic)
    for i in range(tickets):
        TicketFactory(
            cell=cell,
            sprint=current,
            assignee=nc,
            story_points=Decimal(3),
            needs_production_access=(i == 0),
        )
        for who, hours in ((nc, 20), (mentor, 10)):
            Worklog.objects.create(
                member=who,
                ticket=onboarding,
                work_date=date.today(),
                seconds=hours * 3600,
                created_at=timezone.now(),
                updated_at=timezone.now(),
            )
    return {"nc": nc, "mentor": mentor, "epic": epic, "sprint": current}


@pytest.mark.parametrize("tickets", [1, 4])
def test_newcomer_sees_limits_goals_and_budget(
    client: Client, django_assert_num_queries: Any, cell: Any, tickets: int
) -> None:
    data = setup_newcomer(cell, tickets)
    client.force_login(data["nc"].user)
    url = reverse("sprints:newcomer", args=[data["nc"].pk])
    # session, user (with member), type periods, tickets, onboarding epic, worklog sums, core count, viewer
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    o = response.context["o"]
    (limit,) = o.limits
    assert limit.limit == Decimal(8) and limit.points == Decimal(3 * tickets)
    assert limit.over is (tickets > 2)
    assert o.goals.first_task.met
    assert [t.needs_production_access for t in o.production_access] == [True]
    assert o.budget.newcomer_mentor_hours == Decimal(30 * tickets)
    assert o.budget.over is (tickets * 30 > 80)
    assert "needs production access" in response.content.decode()


def test_mentor_and_role_holders_see_the_page(client: Client, cell: Any, sprint_manager: Any) -> None:
    data = setup_newcomer(cell, 1)
    url = reverse("sprints:newcomer", args=[data["nc"].pk])
    for user in (data["mentor"].user, sprint_manager.user):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_cell_mentor_role_is_the_fallback_mentor(client: Client, cell: Any) -> None:
    data = setup_newcomer(cell, 1)
    data["epic"].delete()
    holder: Any = MemberFactory(cell=cell)
    RoleAssignmentFactory(member=holder, role=Role.objects.get(slug="mentor"), cell=cell)
    client.force_login(holder.user)
    response = client.get(reverse("sprints:newcomer", args=[data["nc"].pk]))
    assert response.status_code == 200 and response.context["o"].budget is None
    assert "No onboarding epic" in response.content.decode()


def test_newcomer_page_refusals(client: Client, cell: Any, core_member: Any, outsider: Any) -> None:
    data = setup_newcomer(cell, 1)
    url = reverse("sprints:newcomer", args=[data["nc"].pk])
    assert client.get(url).status_code == 302
    for user in (core_member.user, outsider.user):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(data["nc"].user)
    assert client.post(url).status_code == 405
    assert client.get(reverse("sprints:newcomer", args=[999999])).status_code == 404
