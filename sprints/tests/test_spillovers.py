"""Spillovers: recording at sprint end, the explanation form and the wrap-up list."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opencraft_ops import calendar
from roles.tests.factories import MemberFactory
from sprints import services
from sprints.models import Spillover
from sprints.tests.factories import SpilloverFactory, SprintFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_record_spillovers_is_idempotent(cell: Any, core_member: Any) -> None:
    sprint: Any = SprintFactory(number=40)
    todo: Any = TicketFactory(cell=cell, sprint=sprint, assignee=core_member, status="In Progress")
    TicketFactory(cell=cell, sprint=sprint, status="Done")
    TicketFactory(cell=cell, sprint=sprint, status="Deployed & Delivered")
    TicketFactory(cell=cell, sprint=sprint, status="External Review")
    TicketFactory(cell=cell, sprint=sprint, status="Stretch Goals")
    first = services.spillovers_record(cell=cell, sprint=sprint)
    assert [s.ticket_id for s in first] == [todo.pk]
    Spillover.objects.filter(ticket=todo).update(explanation="kept")
    again = services.spillovers_record(cell=cell, sprint=sprint)
    assert len(again) == 1 and again[0].explanation == "kept"


def test_wrap_up_lists_spillovers_and_clean_members(
    client: Client, django_assert_num_queries: Any, sprint_manager: Any, core_member: Any
) -> None:
    number = calendar.sprint_on(date.today()).number - 1
    sprint: Any = SprintFactory(number=number)
    clean: Any = MemberFactory(cell=core_member.cell)
    for _ in range(3):
        SpilloverFactory(sprint=sprint, ticket__cell=core_member.cell, ticket__assignee=core_member)
    SpilloverFactory(
        sprint=sprint,
        ticket__cell=core_member.cell,
        ticket__assignee=core_member,
        explanation="Client waited",
    )
    client.force_login(sprint_manager.user)
    url = reverse("sprints:wrap_up", args=[core_member.cell.slug]) + f"?sprint={number}"
    # session, user (with the viewer's member), cell, spillovers, members, delivered tickets,
    # viewer's roles
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    wrap = response.context["wrap"]
    assert wrap.unexplained == 3 and len(wrap.spillovers) == 4
    assert {m.pk for m in wrap.clean_members} == {clean.pk, sprint_manager.pk}
    assert "3 without explanation" in response.content.decode()


def test_wrap_up_lists_delivered_tickets_to_move_to_done(
    client: Client, sprint_manager: Any, core_member: Any, other_cell: Any
) -> None:
    number = calendar.sprint_on(date.today()).number - 1
    sprint: Any = SprintFactory(number=number)
    carried: Any = SprintFactory(number=number + 1)  # JIRA carries a sprint's unfinished tickets on
    cell = core_member.cell
    delivered = "Deployed & Delivered"
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, status=delivered, key="WU-1")
    TicketFactory(cell=cell, sprint=carried, assignee=core_member, status=delivered, key="WU-2")
    # Held: already Done, still in review, another cell's, a sprint long past.
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, status="Done", key="WU-3")
    TicketFactory(cell=cell, sprint=sprint, assignee=core_member, status="External Review", key="WU-4")
    TicketFactory(cell=other_cell, sprint=sprint, status=delivered, key="WU-5")
    TicketFactory(cell=cell, sprint=SprintFactory(number=number - 3), status=delivered, key="WU-6")
    client.force_login(sprint_manager.user)
    url = reverse("sprints:wrap_up", args=[cell.slug]) + f"?sprint={number}"
    response = client.get(url)
    assert [t.key for t in response.context["wrap"].delivered] == ["WU-1", "WU-2"]
    html = response.content.decode()
    assert "Delivered, to move to Done" in html and "WU-2" in html and "WU-3" not in html
    # A sprint with none says so.
    empty = client.get(reverse("sprints:wrap_up", args=[cell.slug]) + f"?sprint={number - 5}")
    assert empty.context["wrap"].delivered == [] and "No ticket waits in Deployed" in empty.content.decode()


def test_wrap_up_refusals(client: Client, outsider: Any, cell: Any) -> None:
    url = reverse("sprints:wrap_up", args=[cell.slug])
    assert client.get(url).status_code == 302
    client.force_login(outsider.user)
    assert client.get(url).status_code == 403


def test_assignee_explains_spillover(client: Client, core_member: Any) -> None:
    spill: Any = SpilloverFactory(ticket__cell=core_member.cell, ticket__assignee=core_member)
    url = reverse("sprints:explain_spillover", args=[spill.pk])
    client.force_login(core_member.user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"explanation": "   "})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert not Spillover.objects.get(pk=spill.pk).is_explained
    response = client.post(url, {"explanation": "Waited for the upstream review."})
    assert response.status_code == 302
    saved = Spillover.objects.get(pk=spill.pk)
    assert saved.explanation == "Waited for the upstream review." and saved.explained_by == core_member.user
    assert client.put(url).status_code == 405


def test_explanation_refused_to_others(
    client: Client, core_member: Any, outsider: Any, sprint_manager: Any
) -> None:
    spill: Any = SpilloverFactory(ticket__cell=core_member.cell, ticket__assignee=core_member)
    url = reverse("sprints:explain_spillover", args=[spill.pk])
    assert client.get(url).status_code == 302
    intruders: list[Any] = [outsider, MemberFactory(cell=core_member.cell)]
    for intruder in intruders:
        client.force_login(intruder.user)
        assert client.post(url, {"explanation": "not mine"}).status_code == 403
    assert not Spillover.objects.get(pk=spill.pk).is_explained
    client.force_login(sprint_manager.user)
    assert client.post(url, {"explanation": "Explained by the sprint manager"}).status_code == 302
    assert client.get(reverse("sprints:explain_spillover", args=[999999])).status_code == 404
