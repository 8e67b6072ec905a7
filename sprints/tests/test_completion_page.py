"""The sprint completion page (plan and request) through HTTP: refusals, bad input,
query counts. The run itself, with JIRA faults, is in test_completion.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opencraft_ops import calendar
from sprints.models import Sprint, SprintCompletion, Ticket
from sprints.tests.factories import SprintFactory, TicketFactory


def complete_url(cell: Any, number: int | str | None = None) -> str:
    url = reverse("sprints:complete", args=[cell.slug])
    return url if number is None else f"{url}?sprint={number}"


def test_refusals(client: Client, sprint_manager: Any, core_member: Any, outsider: Any) -> None:
    url = complete_url(sprint_manager.cell)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert client.post(url).status_code == 302
    client.force_login(outsider.user)
    assert client.get(url).status_code == 403  # another cell
    client.force_login(core_member.user)
    assert client.get(url).status_code == 403  # a member without the role
    assert client.post(url).status_code == 403
    client.force_login(sprint_manager.user)
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405
    assert not SprintCompletion.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "0", "10000"])
def test_bad_sprint_number_is_a_400_and_changes_nothing(
    client: Client, sprint_manager: Any, bad: str
) -> None:
    client.force_login(sprint_manager.user)
    sprints = Sprint.objects.count()
    assert client.get(complete_url(sprint_manager.cell, bad)).status_code == 400
    assert client.post(complete_url(sprint_manager.cell, bad)).status_code == 400
    assert Sprint.objects.count() == sprints and not SprintCompletion.objects.exists()


def test_refused_request_leaves_no_row_behind(client: Client, settings: Any, sprint_manager: Any) -> None:
    settings.JIRA_BASE_URL = ""
    client.force_login(sprint_manager.user)
    future = calendar.sprint_on(date.today()).number + 3  # no row yet, and not over
    assert not Sprint.objects.filter(number=future).exists()
    response = client.post(complete_url(sprint_manager.cell, future))
    assert response.status_code == 400
    assert "on or after" in response.content.decode()
    assert not Sprint.objects.filter(number=future).exists()
    assert not SprintCompletion.objects.exists()


@pytest.mark.parametrize("tickets", [2, 30])
def test_plan_query_count_is_constant(
    client: Client,
    django_assert_num_queries: Any,
    settings: Any,
    sprint_manager: Any,
    core_member: Any,
    tickets: int,
) -> None:
    settings.JIRA_BASE_URL = ""
    sprint: Any = SprintFactory(number=calendar.sprint_on(date.today()).number - 1)
    TicketFactory.create_batch(
        tickets, cell=sprint_manager.cell, sprint=sprint, status="In Progress", assignee=core_member
    )
    TicketFactory.create_batch(tickets, cell=sprint_manager.cell, sprint=sprint, status="Done")
    client.force_login(sprint_manager.user)
    # session, user (with the viewer's member), cell, viewer's roles, the plan: sprint, next sprint,
    # unfinished tickets, finished count, JIRA sprint ids, completion (with its steps: none)
    with django_assert_num_queries(10):
        response = client.get(complete_url(sprint_manager.cell, sprint.number))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert len(plan.spill) == tickets and plan.finished == tickets
    assert Ticket.objects.filter(sprint=sprint).count() == 2 * tickets  # the plan moved nothing
