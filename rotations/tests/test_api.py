"""REST API of the rotations: CRUD with permissions, swaps, schedule, coverage, budget, schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from opencraft_ops import calendar
from roles.tests.factories import TimeOffFactory
from rotations.models import RotationAssignment, RotationKind, Swap
from rotations.tests.factories import make_slot

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
    # The pager follows the sprint's firefighters: the only one takes both weeks.
    pager = RotationAssignment.objects.filter(kind=RotationKind.PAGER).order_by("start")
    assert [p.member for p in pager] == [crew[2], crew[2]]
    response = api.patch(
        f"/api/rotations/{pk}/", {"member": crew[3].pk, "note": "swapped by phone"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert RotationAssignment.objects.get(pk=pk).member == crew[3]
    assert [p.member for p in pager.all()] == [crew[3], crew[3]]
    assert api.patch(f"/api/rotations/{pk}/", {"start": dates.end}, format="json").status_code == 400
    assert api.delete(f"/api/rotations/{pk}/").status_code == 204
    assert not RotationAssignment.objects.exists()  # no firefighter left: no pager either


def _create(api, kind: str, start, end, member, cell: str = "bebop"):
    return api.post(
        "/api/rotations/",
        {"kind": kind, "cell": cell, "member": member.pk, "start": start, "end": end},
        format="json",
    )


@pytest.mark.parametrize(
    ("kind", "start_offset", "end_offset", "field", "message"),
    [
        # Discovery duty and the pager hold a duty week: Tuesday to Monday, either half of a sprint.
        ("discovery_duty", 1, 7, "start", "starts on a duty week's first day"),
        ("discovery_duty", 3, 9, "start", "starts on a duty week's first day"),
        ("discovery_duty", 0, 13, "end", "lasts one duty week"),
        ("pager", 7, 12, "end", "lasts one duty week"),
        # Firefighters and the ops reviewer hold a whole sprint.
        ("firefighter_1", 1, 14, "start", "starts on a sprint's first day"),
        ("ops_reviewer", 0, 6, "end", "ends on the sprint's last day"),
        # A backup covers days of one sprint.
        ("firefighter_backup", 10, 16, "end", "days of one sprint"),
    ],
)
def test_create_refuses_periods_that_are_not_the_kinds(
    api, crew, current_sprint, kind, start_offset, end_offset, field, message
) -> None:
    from datetime import timedelta

    start = calendar.sprint_dates(current_sprint).start
    api.force_authenticate(crew[0].user)
    response = _create(
        api, kind, start + timedelta(days=start_offset), start + timedelta(days=end_offset), crew[2]
    )
    assert response.status_code == 400, response.data
    assert message in " ".join(response.data[field])
    assert not RotationAssignment.objects.exists()


def test_create_accepts_both_duty_weeks_and_the_grid_shows_them(api, client, crew, current_sprint) -> None:
    from datetime import timedelta

    start = calendar.sprint_dates(current_sprint).start
    api.force_authenticate(crew[0].user)
    for week, member in ((0, crew[2]), (7, crew[3])):
        day = start + timedelta(days=week)
        assert _create(api, "discovery_duty", day, day + timedelta(days=6), member).status_code == 201
    client.force_login(crew[0].user)
    html = client.get(f"/rotations/bebop/?from={current_sprint}").content.decode()
    for slot in RotationAssignment.objects.filter(kind="discovery_duty"):
        assert f'data-slot-id="{slot.pk}"' in html  # visible in the grid, so counted as held


@pytest.mark.parametrize(
    ("policy", "kind", "message"),
    [
        ({"firefighters_per_sprint": 1}, "firefighter_2", "1 firefighter(s) per sprint"),
        ({"firefighters_per_sprint": 0}, "firefighter_1", "0 firefighter(s) per sprint"),
        ({"ops_reviewer": False}, "ops_reviewer", "has no ops reviewer"),
        ({"pager": False}, "pager", "has no pager shifts"),
    ],
)
def test_create_respects_the_cells_firefighting_policy(
    api, crew, current_sprint, policy, kind, message
) -> None:
    from rotations.models import FirefightingPolicy

    FirefightingPolicy.objects.create(cell=crew[0].cell, **policy)
    dates = calendar.sprint_dates(current_sprint)
    end = dates.start + __import__("datetime").timedelta(days=6) if kind == "pager" else dates.end
    api.force_authenticate(crew[0].user)
    response = _create(api, kind, dates.start, end, crew[2])
    assert response.status_code == 400, response.data
    assert message in " ".join(response.data["kind"])
    assert not RotationAssignment.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [("1999-01-05", "1999-01-18"), ("9999-12-28", "9999-12-31"), ("2000-01-04", "9999-12-31")],
)
def test_create_with_dates_outside_the_sprint_calendar_is_400(api, crew, start, end) -> None:
    api.force_authenticate(crew[0].user)
    response = _create(api, "firefighter_1", start, end, crew[2])
    assert response.status_code == 400, response.data
    assert "start" in response.data or "end" in response.data
    assert not RotationAssignment.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_sprint": 9999, "sprints": 3}, "sprints"),  # would run past sprint 9999
        ({"first_sprint": 10000, "sprints": 1}, "first_sprint"),
        ({"first_sprint": 10**30, "sprints": 1}, "first_sprint"),
    ],
)
def test_schedule_past_the_last_sprint_is_400(api, crew, body, field) -> None:
    api.force_authenticate(crew[0].user)
    for path in ("/api/rotations/schedule/preview/", "/api/rotations/schedule/apply/"):
        response = api.post(path, {"cell": "bebop", **body}, format="json")
        assert response.status_code == 400 and field in response.data, response.data
    assert not RotationAssignment.objects.exists()


@pytest.mark.parametrize("sprint", ["10000", "99999999999999999999", "0", "x"])
def test_coverage_of_an_impossible_sprint_is_400(api, crew, sprint) -> None:
    api.force_authenticate(crew[1].user)
    response = api.get("/api/rotations/coverage/", {"cell": "bebop", "sprint": sprint})
    assert response.status_code == 400 and "sprint" in response.data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"member": "newcomer"}, "member"),  # only core members fight fires
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
    body = {"first": a.pk, "second": b.pk, "agreed_on": "2026-11-01", "agreed_by": crew[3].pk}
    api.force_authenticate(crew[1].user)
    assert api.post("/api/rotation-swaps/", body).status_code == 403
    api.force_authenticate(crew[0].user)
    # Who agreed is required, and must be one of the two.
    missing = api.post("/api/rotation-swaps/", {**body, "agreed_by": ""})
    assert missing.status_code == 400 and "agreed_by" in missing.data
    stranger = api.post("/api/rotation-swaps/", {**body, "agreed_by": crew[4].pk})
    assert stranger.status_code == 400 and "must be" in str(stranger.data)
    assert not Swap.objects.exists()
    response = api.post("/api/rotation-swaps/", body)
    assert response.status_code == 201, response.data
    assert response.data["first_member"] == crew[2].pk and response.data["recorded_by"] == "sm"
    assert response.data["agreed_by"] == crew[3].pk
    a.refresh_from_db()
    assert a.member == crew[3] and "agreed by" in a.reason
    assert api.post("/api/rotation-swaps/", {**body, "second": a.pk}).status_code == 400
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
