"""REST API: sprints, tickets, spillovers and computed capacity rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from roles.tests.factories import MemberFactory
from sprints.models import Spillover, Ticket
from sprints.tests.factories import SpilloverFactory, SprintFactory, TicketFactory, sprint_added_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_ticket_list_is_limited_to_own_cell_with_flat_queries(
    api: APIClient, django_assert_num_queries: Any, core_member: Any, outsider: Any, sprint: Any
) -> None:
    for i in range(8):
        TicketFactory(
            cell=core_member.cell, sprint=sprint, assignee=core_member, story_points=None if i % 2 else 3
        )
    TicketFactory(cell=outsider.cell, sprint=sprint)
    api.force_authenticate(core_member.user)
    # viewer's member, count, page of tickets (sprint, cell, epic joined)
    with django_assert_num_queries(3):
        response = api.get(reverse("ticket-list"))
    assert response.status_code == 200
    assert response.json()["count"] == 8
    first = response.json()["results"][0]
    assert first["sprint"] == sprint.number and first["cell"] == core_member.cell.slug
    assert {r["is_unestimated"] for r in response.json()["results"]} == {True, False}


def test_staff_creates_and_updates_ticket(api: APIClient, staff_user: Any, cell: Any, sprint: Any) -> None:
    member: Any = MemberFactory(cell=cell)
    api.force_authenticate(staff_user)
    payload = {
        "key": "SE-900",
        "summary": "Upgrade the platform",
        "status": "To Do",
        "cell": cell.slug,
        "sprint": sprint.number,
        "assignee": member.pk,
        "story_points": "5",
        "labels": ["newcomer-friendly"],
        "needs_production_access": True,
    }
    response = api.post(reverse("ticket-list"), payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["is_green"] is False  # no reviewer yet
    response = api.patch(reverse("ticket-detail", args=["SE-900"]), {"reviewer": member.pk}, format="json")
    assert response.status_code == 200 and response.json()["is_green"] is True
    ticket = Ticket.objects.get(key="SE-900")
    assert ticket.story_points == Decimal(5) and ticket.needs_production_access


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"story_points": "-1"}, "story_points"),
        ({"sprint": 999999}, "sprint"),
        ({"cell": "nowhere"}, "cell"),
        ({"assignee": 987654}, "assignee"),
        ({"status": "  "}, "status"),
        ({"labels": "not-a-list"}, "labels"),
        ({"recurring_hours_per_sprint": "3"}, "recurring_hours_per_sprint"),
        ({"key": "SE-1"}, "key"),  # duplicate key
    ],
)
def test_bad_ticket_input_is_a_400_with_message(
    api: APIClient, staff_user: Any, cell: Any, payload: dict[str, Any], field: str
) -> None:
    TicketFactory(key="SE-1", cell=cell)
    api.force_authenticate(staff_user)
    body = {"key": "SE-77", "summary": "x", "status": "To Do", **payload}
    response = api.post(reverse("ticket-list"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Ticket.objects.filter(key="SE-77").exists()


def test_ticket_write_refusals(api: APIClient, core_member: Any) -> None:
    assert api.get(reverse("ticket-list")).status_code in (401, 403)
    api.force_authenticate(core_member.user)
    response = api.post(reverse("ticket-list"), {"key": "SE-5", "summary": "x"}, format="json")
    assert response.status_code == 403


def test_injection_flag(api: APIClient, core_member: Any, sprint: Any) -> None:
    TicketFactory(
        key="SE-50", cell=core_member.cell, sprint=sprint, added_to_sprint_at=sprint_added_at(sprint, 12)
    )
    api.force_authenticate(core_member.user)
    data = api.get(reverse("ticket-detail", args=["SE-50"])).json()
    assert data["is_injection"] is True and data["injection_is_accepted"] is False


def test_sprints_list(api: APIClient, core_member: Any) -> None:
    for n in (5, 6, 7):
        SprintFactory(number=n)
    api.force_authenticate(core_member.user)
    response = api.get(reverse("sprint-list"), {"number": 6})
    assert [s["number"] for s in response.json()["results"]] == [6]


def test_spillover_explanation_through_api(
    api: APIClient,
    django_assert_num_queries: Any,
    core_member: Any,
    sprint_manager: Any,
    outsider: Any,
    sprint: Any,
) -> None:
    spills: list[Any] = [
        SpilloverFactory(sprint=sprint, ticket__cell=core_member.cell, ticket__assignee=core_member)
        for _ in range(4)
    ]
    api.force_authenticate(core_member.user)
    # viewer's member, count, page (sprint, ticket, cell joined)
    with django_assert_num_queries(3):
        response = api.get(reverse("spillover-list"))
    assert response.json()["count"] == 4
    url = reverse("spillover-detail", args=[spills[0].pk])
    response = api.patch(url, {"explanation": "Blocked on the client's review."}, format="json")
    assert response.status_code == 200 and response.json()["is_explained"]
    assert Spillover.objects.get(pk=spills[0].pk).explained_by == core_member.user
    assert api.patch(url, {"explanation": "   "}, format="json").status_code == 400
    assert api.put(url, {"explanation": "x"}, format="json").status_code == 405
    api.force_authenticate(outsider.user)
    assert (
        api.patch(url, {"explanation": "hijack"}, format="json").status_code == 404
    )  # other cell: not visible
    other: Any = MemberFactory(cell=core_member.cell)
    api.force_authenticate(other.user)
    assert api.patch(url, {"explanation": "hijack"}, format="json").status_code == 403
    api.force_authenticate(sprint_manager.user)
    assert api.patch(url, {"explanation": "Updated by the sprint manager."}, format="json").status_code == 200


@pytest.mark.parametrize("members", [2, 8])
def test_capacity_rows_api(
    api: APIClient, django_assert_num_queries: Any, core_member: Any, sprint: Any, members: int
) -> None:
    people: list[Any] = [MemberFactory(cell=core_member.cell) for _ in range(members)]
    for p in people:
        TicketFactory(cell=core_member.cell, sprint=sprint, assignee=p, reviewer=core_member)
    api.force_authenticate(core_member.user)
    # viewer's member, cell, members, commitments, time off, rotations, roles, assigned and reviewed (one), epics
    with django_assert_num_queries(9):
        response = api.get(reverse("capacity"), {"cell": core_member.cell.slug, "sprint": sprint.number})
    assert response.status_code == 200
    rows = {r["member_id"]: r for r in response.json()}
    assert len(rows) == members + 1
    # reviewing `members` 3-point tickets: 2 h each, plus 2 h meetings
    assert Decimal(rows[core_member.pk]["committed"]) == Decimal(2 * members + 2)
    assert Decimal(rows[people[0].pk]["committed"]) == Decimal(5 + 2)


def test_capacity_api_refusals(api: APIClient, core_member: Any, outsider: Any) -> None:
    url = reverse("capacity")
    assert api.get(url, {"cell": core_member.cell.slug}).status_code in (401, 403)
    api.force_authenticate(outsider.user)
    assert api.get(url, {"cell": core_member.cell.slug}).status_code == 403
    assert api.get(url, {"cell": "nowhere"}).status_code == 404
    assert api.get(url).status_code == 400
    assert api.get(url, {"cell": core_member.cell.slug, "sprint": "x"}).status_code == 400


def test_member_capacity_api(api: APIClient, core_member: Any, outsider: Any, sprint: Any) -> None:
    api.force_authenticate(core_member.user)
    url = reverse("member-capacity", args=[core_member.pk])
    response = api.get(url, {"sprint": sprint.number})
    assert response.status_code == 200 and Decimal(response.json()["capacity"]) == Decimal(80)
    api.force_authenticate(outsider.user)
    assert api.get(url).status_code == 403


def test_schema_lists_sprint_endpoints(api: APIClient, staff_user: Any) -> None:
    api.force_authenticate(staff_user)
    schema = api.get(reverse("api-schema"), {"format": "json"}).json()
    for route in ("/api/tickets/", "/api/spillovers/{id}/", "/api/capacity/", "/api/sprints/"):
        assert route in schema["paths"], route


def test_a_ticket_entering_a_sprint_through_the_api_is_stamped(
    api: APIClient, staff_user: Any, cell: Any, sprint: Any
) -> None:
    api.force_authenticate(staff_user)
    base = {"summary": "Late request", "status": "To Do", "cell": cell.slug}
    response = api.post(
        reverse("ticket-list"), {**base, "key": "SE-901", "sprint": sprint.number}, format="json"
    )
    assert response.status_code == 201
    created = Ticket.objects.get(key="SE-901")
    assert created.added_to_sprint_at is not None  # created into the sprint: stamped
    # moved into the next sprint: stamped again, and an old acceptance no longer holds
    Ticket.objects.filter(pk=created.pk).update(injection_accepted=True, added_to_sprint_at=None)
    nxt: Any = SprintFactory(number=sprint.number + 1)
    response = api.patch(reverse("ticket-detail", args=["SE-901"]), {"sprint": nxt.number}, format="json")
    assert response.status_code == 200
    moved = Ticket.objects.get(pk=created.pk)
    assert moved.added_to_sprint_at is not None and not moved.injection_accepted
    # an edit that keeps the sprint changes neither
    Ticket.objects.filter(pk=created.pk).update(injection_accepted=True, added_to_sprint_at=None)
    api.patch(reverse("ticket-detail", args=["SE-901"]), {"summary": "Reworded"}, format="json")
    kept = Ticket.objects.get(pk=created.pk)
    assert kept.added_to_sprint_at is None and kept.injection_accepted
    # a time given with the change is the one kept
    given = "2026-01-05T10:00:00Z"
    response = api.post(
        reverse("ticket-list"),
        {**base, "key": "SE-902", "sprint": sprint.number, "added_to_sprint_at": given},
        format="json",
    )
    assert response.status_code == 201
    assert Ticket.objects.get(key="SE-902").added_to_sprint_at.isoformat() == "2026-01-05T10:00:00+00:00"  # type: ignore[union-attr]
    # without a sprint nothing is stamped
    api.post(reverse("ticket-list"), {**base, "key": "SE-903"}, format="json")
    assert Ticket.objects.get(key="SE-903").added_to_sprint_at is None


def test_a_ticket_moved_in_the_admin_is_stamped(client: Any, staff_user: Any, cell: Any, sprint: Any) -> None:
    ticket: Any = TicketFactory(cell=cell, sprint=sprint, added_to_sprint_at=None)
    nxt: Any = SprintFactory(number=sprint.number + 1)
    client.force_login(staff_user)
    url = reverse("admin:sprints_ticket_change", args=[ticket.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "key": ticket.key,
            "summary": ticket.summary,
            "status": ticket.status,
            "sprint": nxt.pk,
            "labels": "[]",
            "priority_category": ticket.priority_category,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    ticket.refresh_from_db()
    assert ticket.sprint_id == nxt.pk and ticket.added_to_sprint_at is not None


def test_ticking_injection_accepted_in_the_ticket_list_keeps_the_sprint_entry(
    client: Any, staff_user: Any, cell: Any, sprint: Any
) -> None:
    entered = sprint_added_at(sprint, 12)
    ticket: Any = TicketFactory(cell=cell, sprint=sprint, added_to_sprint_at=entered)
    untouched: Any = TicketFactory(cell=cell, sprint=sprint, added_to_sprint_at=None)
    client.force_login(staff_user)
    url = reverse("admin:sprints_ticket_changelist")
    form = client.get(url).context["cl"].formset
    data = {key: value for key, value in form.management_form.initial.items()}
    data = {f"form-{k}": v for k, v in data.items()}
    for i, row in enumerate(form.forms):
        data[f"form-{i}-id"] = row.instance.pk
        if row.instance.pk == ticket.pk:
            data[f"form-{i}-injection_accepted"] = "on"
    data["_save"] = "Save"
    response = client.post(url, data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    untouched.refresh_from_db()
    assert ticket.injection_accepted and ticket.added_to_sprint_at == entered
    assert untouched.added_to_sprint_at is None
