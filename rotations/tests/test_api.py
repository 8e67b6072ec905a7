"""REST API of the rotations: CRUD with permissions, swaps, schedule, coverage, budget, schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from roles.tests.factories import TimeOffFactory
from rotations.models import RotationAssignment, RotationKind, Swap
from rotations.tests.factories import make_slot
from sprints import calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_anonymous_is_refused(api) -> None:
    assert api.get("/api/rotations/").status_code in (401, 403)
    assert api.get("/api/rotations/coverage/?cell=bebop").status_code in (401, 403)


def test_member_lists_own_cell_only_with_flat_queries(
    api, crew, outsider, current_sprint, django_assert_num_queries
) -> None:
    for offset in range(3):
        make_slot(member=crew[offset], sprint_number=current_sprint + offset)
        make_slot(
            member=crew[offset + 1], sprint_number=current_sprint + offset, kind=RotationKind.FIREFIGHTER_2
        )
    make_slot(member=outsider, sprint_number=current_sprint)
    api.force_authenticate(crew[1].user)
    # member (+cell), company-role check, count, page of rotations with member/user/cell/sprint joined.
    with django_assert_num_queries(4):
        response = api.get("/api/rotations/")
    assert response.status_code == 200
    assert response.data["count"] == 6
    assert {row["cell"] for row in response.data["results"]} == {"bebop"}
    filtered = api.get("/api/rotations/", {"kind": "firefighter_2", "sprint": current_sprint})
    assert [row["member"] for row in filtered.data["results"]] == [crew[1].pk]
    other = RotationAssignment.objects.get(member=outsider)
    assert api.get(f"/api/rotations/{other.pk}/").status_code == 404


def test_sprint_manager_creates_updates_deletes(api, crew, current_sprint) -> None:
    dates = calendar.sprint_dates(current_sprint)
    api.force_authenticate(crew[0].user)
    response = api.post(
        "/api/rotations/",
        {
            "kind": "firefighter_1",
            "cell": "bebop",
            "member": crew[2].pk,
            "start": dates.start,
            "end": dates.end,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["sprint"] == current_sprint
    assert response.data["reserved_hours"] == "18.00"  # six full-timers: 9 h/week each, two weeks
    pk = response.data["id"]
    response = api.patch(
        f"/api/rotations/{pk}/", {"member": crew[3].pk, "note": "swapped by phone"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert RotationAssignment.objects.get(pk=pk).member == crew[3]
    assert api.patch(f"/api/rotations/{pk}/", {"start": dates.end}, format="json").status_code == 400
    assert api.delete(f"/api/rotations/{pk}/").status_code == 204
    assert not RotationAssignment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"member": "newcomer"}, "detail"),  # only core members fight fires
        ({"end_offset": -1}, "end"),
        ({"kind": "bogus"}, "kind"),
        ({"member": 999999}, "member"),
        ({"duplicate": True}, "non_field_errors"),  # "This slot already has someone."
    ],
)
def test_create_bad_input_is_400(api, crew, newcomer, current_sprint, change, field) -> None:
    dates = calendar.sprint_dates(current_sprint)
    if change.get("duplicate"):
        make_slot(member=crew[4], sprint_number=current_sprint)
    member = newcomer.pk if change.get("member") == "newcomer" else change.get("member", crew[2].pk)
    payload = {
        "kind": change.get("kind", "firefighter_1"),
        "cell": "bebop",
        "member": member,
        "start": dates.start,
        "end": dates.start + __import__("datetime").timedelta(days=change.get("end_offset", 13)),
    }
    api.force_authenticate(crew[0].user)
    response = api.post("/api/rotations/", payload, format="json")
    assert response.status_code == 400
    assert field in response.data


def test_plain_member_and_outsider_cannot_write(api, crew, outsider, current_sprint) -> None:
    slot = make_slot(member=crew[2], sprint_number=current_sprint)
    dates = calendar.sprint_dates(current_sprint)
    payload = {
        "kind": "firefighter_2",
        "cell": "bebop",
        "member": crew[3].pk,
        "start": dates.start,
        "end": dates.end,
    }
    api.force_authenticate(crew[1].user)
    assert api.post("/api/rotations/", payload, format="json").status_code == 403
    assert api.delete(f"/api/rotations/{slot.pk}/").status_code == 403
    api.force_authenticate(outsider.user)
    assert api.post("/api/rotations/", payload, format="json").status_code == 403
    assert RotationAssignment.objects.count() == 1


def test_swap_through_api(api, crew, current_sprint) -> None:
    a = make_slot(member=crew[2], sprint_number=current_sprint)
    b = make_slot(member=crew[3], sprint_number=current_sprint + 1)
    api.force_authenticate(crew[1].user)
    assert (
        api.post(
            "/api/rotation-swaps/", {"first": a.pk, "second": b.pk, "agreed_on": "2026-11-01"}
        ).status_code
        == 403
    )
    api.force_authenticate(crew[0].user)
    response = api.post("/api/rotation-swaps/", {"first": a.pk, "second": b.pk, "agreed_on": "2026-11-01"})
    assert response.status_code == 201, response.data
    assert response.data["first_member"] == crew[2].pk and response.data["recorded_by"] == "sm"
    a.refresh_from_db()
    assert a.member == crew[3]
    assert (
        api.post(
            "/api/rotation-swaps/", {"first": a.pk, "second": a.pk, "agreed_on": "2026-11-01"}
        ).status_code
        == 400
    )
    assert api.get("/api/rotation-swaps/").data["count"] == Swap.objects.count() == 1


def test_schedule_preview_and_apply(api, crew, current_sprint) -> None:
    body = {"cell": "bebop", "first_sprint": current_sprint + 1, "sprints": 2}
    api.force_authenticate(crew[1].user)
    assert api.post("/api/rotations/schedule/preview/", body, format="json").status_code == 403
    api.force_authenticate(crew[0].user)
    preview = api.post("/api/rotations/schedule/preview/", body, format="json")
    assert preview.status_code == 200
    assert len(preview.data["slots"]) == 14
    assert all("chosen because" in s["reason"] for s in preview.data["slots"] if s["kind"] != "pager")
    assert not RotationAssignment.objects.exists()
    applied = api.post("/api/rotations/schedule/apply/", body, format="json")
    assert applied.status_code == 201 and applied.data["created"] == 14
    again = api.post("/api/rotations/schedule/apply/", body, format="json")
    assert again.status_code == 200 and again.data["created"] == 0
    assert (
        api.post(
            "/api/rotations/schedule/apply/", {"cell": "nope", "first_sprint": 0}, format="json"
        ).status_code
        == 400
    )


def test_coverage_and_budget(api, crew, outsider, current_sprint, django_assert_num_queries) -> None:
    dates = calendar.sprint_dates(current_sprint)
    make_slot(member=crew[2], sprint_number=current_sprint)
    TimeOffFactory(member=crew[2], start=dates.working_days[0], end=dates.working_days[1])
    api.force_authenticate(crew[1].user)
    # member, company-role check, cell, assignments, members, type periods, time off, history.
    with django_assert_num_queries(8):
        response = api.get("/api/rotations/coverage/", {"cell": "bebop", "sprint": current_sprint})
    assert response.status_code == 200
    assert response.data["uncovered_days"] == 2
    first = response.data["days"][0]
    assert first["covered"] is False and first["away"] == [crew[2].name] and first["suggested_backup"]
    assert api.get("/api/rotations/coverage/", {"cell": "nope"}).status_code == 400
    budget = api.get("/api/rotations/budget/", {"cell": "bebop"})
    assert budget.status_code == 200 and budget.data["firefighting_weekly"] == "18.00"
    assert api.get("/api/rotations/budget/", {"cell": "nope"}).status_code == 400
    api.force_authenticate(outsider.user)
    assert api.get("/api/rotations/coverage/", {"cell": "bebop"}).status_code == 403
    assert api.get("/api/rotations/budget/", {"cell": "bebop"}).status_code == 403


def test_schema_lists_rotation_endpoints(api, staff_user) -> None:
    api.force_authenticate(staff_user)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for p in (
        "/api/rotations/",
        "/api/rotations/{id}/",
        "/api/rotation-swaps/",
        "/api/rotations/schedule/preview/",
        "/api/rotations/schedule/apply/",
        "/api/rotations/coverage/",
        "/api/rotations/budget/",
    ):
        assert p in schema["paths"], p
