"""Pager shifts set by hand (grid, API, admin) keep their holder when the firefighters
change; two fills of one sprint at once; a refusal the admin form could not foresee."""

from __future__ import annotations

import html
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils.formats import date_format
from rest_framework.test import APIClient

from opencraft_ops import calendar
from roles.tests.factories import TimeOffFactory
from rotations.models import RotationAssignment, RotationKind
from rotations.services import editing, rules
from sprints.services import sprint_ensure

pytestmark = pytest.mark.django_db


def _pager(sprint_number: int) -> list[tuple[int, bool]]:
    """(holder, set by hand) of the sprint's pager shifts, week 1 first."""
    start = calendar.sprint_dates(sprint_number).start
    return list(
        RotationAssignment.objects.filter(
            kind=RotationKind.PAGER, start__gte=start, start__lte=start + timedelta(days=13)
        )
        .order_by("start")
        .values_list("member", "set_by_hand")
    )


def _fill(client: Any, cell: Any, kind: str, start: Any, member: Any) -> Any:
    return client.post(
        reverse("rotations:fill", args=[cell.slug]),
        {"kind": kind, "start": start.isoformat(), "member": member.pk},
        follow=True,
    )


def test_newcomer_persona_is_in_the_team_for_the_whole_current_sprint(newcomer, current_sprint) -> None:
    """Whatever the day of the sprint, only their type keeps the newcomer off the firefighters."""
    s = calendar.sprint_dates(current_sprint)
    assert newcomer.joined_on < s.start
    problem = rules.eligibility_problem(
        newcomer, kind=RotationKind.FIREFIGHTER_1, cell=newcomer.cell, start=s.start, end=s.end
    )
    assert problem is not None and problem.startswith("Only core members can be firefighter 1")


def test_pager_changed_by_hand_in_the_grid_keeps_its_holder(client, crew, current_sprint) -> None:
    cell = crew[0].cell
    s = calendar.sprint_dates(current_sprint)
    client.force_login(crew[0].user)
    _fill(client, cell, "firefighter_1", s.start, crew[2])
    _fill(client, cell, "firefighter_2", s.start, crew[3])
    assert _pager(current_sprint) == [(crew[2].pk, False), (crew[3].pk, False)]
    week1 = RotationAssignment.objects.get(kind=RotationKind.PAGER, start=s.start)
    response = client.post(
        reverse("rotations:change", args=[cell.slug, week1.pk]), {"member": crew[4].pk}, follow=True
    )
    assert f"Pager is now {crew[4]}" in response.content.decode()
    week1.refresh_from_db()
    assert week1.set_by_hand and "Set by hand" in week1.reason
    page = response.content.decode()
    assert "set by hand" in page and "Back to the firefighters" in page

    # Both firefighters change hands: week 2 follows firefighter 2, week 1 keeps its holder.
    ff1 = RotationAssignment.objects.get(kind=RotationKind.FIREFIGHTER_1)
    ff2 = RotationAssignment.objects.get(kind=RotationKind.FIREFIGHTER_2)
    client.post(reverse("rotations:change", args=[cell.slug, ff2.pk]), {"member": crew[5].pk})
    client.post(reverse("rotations:change", args=[cell.slug, ff1.pk]), {"member": crew[1].pk})
    assert _pager(current_sprint) == [(crew[4].pk, True), (crew[5].pk, False)]

    # A shift that follows the firefighters cannot be removed (it would come back)...
    week2 = RotationAssignment.objects.get(kind=RotationKind.PAGER, start=s.start + timedelta(days=7))
    response = client.post(reverse("rotations:remove", args=[cell.slug, week2.pk]), follow=True)
    assert "follows the sprint&#x27;s firefighters" in response.content.decode()
    assert _pager(current_sprint) == [(crew[4].pk, True), (crew[5].pk, False)]
    # ...while removing the one set by hand hands it back to firefighter 1 at once.
    response = client.post(reverse("rotations:remove", args=[cell.slug, week1.pk]), follow=True)
    assert (
        f"Pager from {date_format(s.start, 'DATE_FORMAT')} follows the firefighters again"
        in response.content.decode()
    )
    assert _pager(current_sprint) == [(crew[1].pk, False), (crew[5].pk, False)]


def test_pager_swapped_or_filled_by_hand_is_kept(client, crew, current_sprint) -> None:
    cell = crew[0].cell
    s = calendar.sprint_dates(current_sprint)
    client.force_login(crew[0].user)
    _fill(client, cell, "firefighter_1", s.start, crew[2])
    _fill(client, cell, "firefighter_2", s.start, crew[3])
    first, second = RotationAssignment.objects.filter(kind=RotationKind.PAGER).order_by("start")
    response = client.post(
        reverse("rotations:swap", args=[cell.slug]),
        {"slots": [first.pk, second.pk], "agreed_on": s.start.isoformat(), "agreed_by": crew[3].pk},
        follow=True,
    )
    assert f"Swapped {crew[2]} and {crew[3]}" in response.content.decode()
    assert _pager(current_sprint) == [(crew[3].pk, True), (crew[2].pk, True)]
    ff1 = RotationAssignment.objects.get(kind=RotationKind.FIREFIGHTER_1)
    client.post(reverse("rotations:change", args=[cell.slug, ff1.pk]), {"member": crew[4].pk})
    assert _pager(current_sprint) == [(crew[3].pk, True), (crew[2].pk, True)]

    # Next sprint both firefighters are away in week 2: no shift; the sprint manager fills it.
    n = current_sprint + 1
    nxt = calendar.sprint_dates(n)
    for member in (crew[2], crew[3]):
        TimeOffFactory(member=member, start=nxt.start + timedelta(days=7), end=nxt.end)
    _fill(client, cell, "firefighter_1", nxt.start, crew[2])
    _fill(client, cell, "firefighter_2", nxt.start, crew[3])
    assert _pager(n) == [(crew[2].pk, False)]
    _fill(client, cell, "pager", nxt.start + timedelta(days=7), crew[5])
    ff2 = RotationAssignment.objects.get(kind=RotationKind.FIREFIGHTER_2, start=nxt.start)
    client.post(reverse("rotations:change", args=[cell.slug, ff2.pk]), {"member": crew[1].pk})
    # Week 2 now has a firefighter present (crew[1]), but the shift filled by hand stays.
    assert _pager(n) == [(crew[2].pk, False), (crew[5].pk, True)]


def test_pager_set_by_hand_through_the_api_and_the_admin(client, staff_user, crew, current_sprint) -> None:
    s = calendar.sprint_dates(current_sprint)
    api = APIClient()
    api.force_authenticate(crew[0].user)
    for kind, member in (("firefighter_1", crew[2]), ("firefighter_2", crew[3])):
        body = {"kind": kind, "cell": "bebop", "member": member.pk, "start": s.start, "end": s.end}
        assert api.post("/api/rotations/", body, format="json").status_code == 201
    week1, week2 = RotationAssignment.objects.filter(kind=RotationKind.PAGER).order_by("start")
    response = api.patch(f"/api/rotations/{week1.pk}/", {"member": crew[4].pk}, format="json")
    assert response.status_code == 200 and response.data["set_by_hand"] is True
    response = api.delete(f"/api/rotations/{week2.pk}/")
    assert response.status_code == 400 and "follows the sprint's firefighters" in str(response.data)

    client.force_login(staff_user)
    url = reverse("admin:rotations_rotationassignment_change", args=[week2.pk])
    response = client.post(url, {"member": crew[5].pk, "reserved_hours": "0", "note": ""})
    assert response.status_code == 302
    assert _pager(current_sprint) == [(crew[4].pk, True), (crew[5].pk, True)]
    ff1 = RotationAssignment.objects.get(kind=RotationKind.FIREFIGHTER_1)
    assert api.patch(f"/api/rotations/{ff1.pk}/", {"member": crew[1].pk}, format="json").status_code == 200
    assert _pager(current_sprint) == [(crew[4].pk, True), (crew[5].pk, True)]
    # Deleting the admin one hands it back; the automatic one refused there too, as a message.
    delete = reverse("admin:rotations_rotationassignment_delete", args=[week2.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert _pager(current_sprint) == [(crew[4].pk, True), (crew[3].pk, False)]
    week2 = RotationAssignment.objects.get(kind=RotationKind.PAGER, set_by_hand=False)
    delete = reverse("admin:rotations_rotationassignment_delete", args=[week2.pk])
    response = client.post(delete, {"post": "yes"}, follow=True)
    assert "Not saved: This pager shift follows" in html.unescape(response.content.decode())
    assert RotationAssignment.objects.filter(pk=week2.pk).exists()


def test_admin_bulk_delete_of_a_sprint_takes_its_pager_along(
    client, staff_user, crew, current_sprint
) -> None:
    s = calendar.sprint_dates(current_sprint)
    editing.rotation_create(kind="firefighter_1", cell=crew[0].cell, member=crew[2], start=s.start, end=s.end)
    editing.rotation_create(kind="firefighter_2", cell=crew[0].cell, member=crew[3], start=s.start, end=s.end)
    everything = list(RotationAssignment.objects.values_list("pk", flat=True))
    assert len(everything) == 4
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:rotations_rotationassignment_changelist"),
        {"action": "delete_selected", "_selected_action": everything, "post": "yes"},
    )
    assert response.status_code == 302
    assert not RotationAssignment.objects.exists()


# --- Concurrent edits ---------------------------------------------------------------------------


def _while_held(work: Any, request: Any) -> dict[str, Any]:
    """Run ``work`` in a transaction of another connection and hold it open while ``request``
    (an HTTP call) starts; commit after a second. Returns the request's response."""
    done, release = threading.Event(), threading.Event()
    result: dict[str, Any] = {}

    def other() -> None:
        try:
            with transaction.atomic():
                work()
                done.set()
                release.wait(20)
        finally:
            connection.close()

    def call() -> None:
        try:
            result["response"] = request()
        finally:
            connection.close()

    holder, caller = threading.Thread(target=other), threading.Thread(target=call)
    holder.start()
    try:
        assert done.wait(20)
        caller.start()
        caller.join(1.0)
        result["waited"] = caller.is_alive()
    finally:
        release.set()
        holder.join(20)
        if caller.is_alive() or "response" not in result:
            caller.join(20)
    return result


@pytest.mark.django_db(transaction=True)
def test_two_fills_of_one_sprint_at_once_share_the_pager(client, crew, current_sprint) -> None:
    """Firefighter 1 is being filled (its pager shifts written, not committed) when firefighter
    2 is posted: the second waits, then sees the first and gives it week 2, instead of
    creating week 1's shift again (an IntegrityError, a 500)."""
    cell = crew[0].cell
    s = calendar.sprint_dates(current_sprint)
    sprint_ensure(number=current_sprint)
    client.force_login(crew[0].user)
    result = _while_held(
        lambda: editing.rotation_create(
            kind="firefighter_1", cell=cell, member=crew[2], start=s.start, end=s.end
        ),
        lambda: _fill(client, cell, "firefighter_2", s.start, crew[3]),
    )
    assert result["waited"]
    assert result["response"].status_code == 200
    assert (
        f"{crew[3]} is firefighter 2 from {date_format(s.start, 'DATE_FORMAT')}"
        in result["response"].content.decode()
    )
    assert _pager(current_sprint) == [(crew[2].pk, False), (crew[3].pk, False)]


@pytest.mark.django_db(transaction=True)
def test_admin_add_of_a_slot_taken_meanwhile_is_a_message(client, staff_user, crew, current_sprint) -> None:
    """The form found the slot free; by the time it saves, another edit has filled it."""
    cell = crew[0].cell
    s = calendar.sprint_dates(current_sprint)
    sprint_ensure(number=current_sprint)
    client.force_login(staff_user)
    data = {
        "kind": "firefighter_1",
        "cell": cell.pk,
        "member": crew[3].pk,
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "reserved_hours": "",
        "note": "",
    }
    result = _while_held(
        lambda: editing.rotation_create(
            kind="firefighter_1", cell=cell, member=crew[2], start=s.start, end=s.end
        ),
        lambda: client.post(reverse("admin:rotations_rotationassignment_add"), data, follow=True),
    )
    assert result["waited"]
    response = result["response"]
    assert response.status_code == 200
    assert "Not saved: This slot already has someone" in html.unescape(response.content.decode())
    assert list(RotationAssignment.objects.filter(kind="firefighter_1").values_list("member", flat=True)) == [
        crew[2].pk
    ]
