"""The duties API: definitions, instances (tick, complete), my findings, the clock."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from duties.models import DutyDefinition, DutyInstance
from duties.tests.factories import DutyInstanceFactory, make_member

TODAY = date.today()


@pytest.fixture
def api():
    return APIClient()


def as_user(api, member_or_user):
    api.force_authenticate(getattr(member_or_user, "user", member_or_user))
    return api


def test_everything_needs_authentication(api, db):
    for url in (
        "/api/duty-definitions/",
        "/api/duty-instances/",
        "/api/duties/findings/mine/",
        "/api/duties/clock/",
    ):
        assert api.get(url).status_code in (401, 403), url


def test_definitions_read_and_staff_edit(api, core_member, staff_user):
    as_user(api, core_member)
    response = api.get("/api/duty-definitions/", {"cadence": "monthly"})
    assert response.status_code == 200
    from duties.catalog import DUTY_CATALOG

    monthly = {e["slug"] for e in DUTY_CATALOG if e["cadence"] == "monthly"}
    assert {d["slug"] for d in response.data["results"]} == monthly and "monthly-accounts-review" in monthly
    definition = DutyDefinition.objects.get(slug="monthly-accounts-review")
    assert api.patch(f"/api/duty-definitions/{definition.pk}/", {"day_of_month": 6}).status_code == 403
    as_user(api, staff_user)
    assert api.patch(f"/api/duty-definitions/{definition.pk}/", {"day_of_month": 6}).status_code == 200
    bad = api.patch(f"/api/duty-definitions/{definition.pk}/", {"cadence": "sprint"}, format="json")
    assert bad.status_code == 400
    definition.refresh_from_db()
    assert (definition.cadence, definition.day_of_month) == ("monthly", 6)
    assert api.delete(f"/api/duty-definitions/{definition.pk}/").status_code == 405


def test_instances_list_my_cell_and_filters(api, sprint_manager, outsider, wrap_up):
    DutyInstanceFactory(
        assignee=outsider, cell=outsider.cell, due_on=TODAY - timedelta(days=2), opens_on=TODAY - timedelta(5)
    )
    as_user(api, sprint_manager)
    response = api.get("/api/duty-instances/")
    assert [d["id"] for d in response.data["results"]] == [wrap_up.pk]
    assert response.data["results"][0]["status"] == "open"
    assert len(response.data["results"][0]["items"]) == 4
    assert api.get("/api/duty-instances/", {"status": "overdue"}).data["results"] == []
    assert api.get("/api/duty-instances/", {"status": "sideways"}).status_code == 400
    assert api.get("/api/duty-instances/", {"cell": "x"}).status_code == 400
    as_user(api, outsider)
    assert [d["status"] for d in api.get("/api/duty-instances/", {"mine": "1"}).data["results"]] == [
        "overdue"
    ]
    assert api.get(f"/api/duty-instances/{wrap_up.pk}/").status_code == 404


def test_tick_and_complete(api, sprint_manager, wrap_up):
    as_user(api, sprint_manager)
    url = f"/api/duty-instances/{wrap_up.pk}/"
    for position in (1, 2, 3, 4):
        response = api.post(url + "tick/", {"position": position}, format="json")
        assert response.status_code == 200
    assert response.data["status"] == "done" and response.data["done_by"] == sprint_manager.pk
    response = api.post(url + "tick/", {"position": 2, "ticked": False}, format="json")
    assert response.data["status"] == "open"
    response = api.post(url + "complete/", {"notes": "Retro poll posted."}, format="json")
    assert response.status_code == 200 and response.data["status"] == "done"
    assert DutyInstance.objects.get(pk=wrap_up.pk).notes == "Retro poll posted."


def test_tick_refusals(api, sprint_manager, core_member, wrap_up):
    url = f"/api/duty-instances/{wrap_up.pk}/"
    as_user(api, core_member)  # same cell: reads, cannot tick
    assert api.get(url).status_code == 200
    assert api.post(url + "tick/", {"position": 1}, format="json").status_code == 403
    assert api.post(url + "complete/", {}, format="json").status_code == 403
    as_user(api, sprint_manager)
    assert api.post(url + "tick/", {"position": 99}, format="json").status_code == 400
    assert api.post(url + "tick/", {"position": "first"}, format="json").status_code == 400
    assert api.post(url + "complete/", {"notes": "x" * 10_001}, format="json").status_code == 400
    assert api.get(url + "tick/").status_code == 405
    assert not DutyInstance.objects.filter(done_at__isnull=False).exists()


@pytest.mark.parametrize("count", [2, 10])
def test_instances_query_count(api, sprint_manager, django_assert_num_queries, count):
    for i in range(count):
        DutyInstanceFactory(assignee=sprint_manager, cell=sprint_manager.cell, period=f"Q{i}")
    as_user(api, sprint_manager)
    # member (+cell), company-role check, count, page of instances, their checklist items.
    with django_assert_num_queries(5):
        response = api.get("/api/duty-instances/")
    assert response.data["count"] == count


def test_my_findings(api, sprint_manager, check_queries):
    DutyInstanceFactory(
        assignee=sprint_manager,
        cell=sprint_manager.cell,
        due_on=TODAY - timedelta(1),
        opens_on=TODAY - timedelta(3),
    )
    as_user(api, sprint_manager)
    response = api.get("/api/duties/findings/mine/")
    assert response.status_code == 200
    overdue = [f for f in response.data if f["rule"] == "duty-overdue"]
    assert len(overdue) == 1 and overdue[0]["member"] == sprint_manager.pk
    assert api.get("/api/duties/findings/mine/", {"as_of": "someday"}).status_code == 400


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_my_findings_refuses_days_out_of_range(api, sprint_manager, as_of):
    as_user(api, sprint_manager)
    response = api.get("/api/duties/findings/mine/", {"as_of": as_of})
    assert response.status_code == 400
    assert response.data == {"as_of": ["Give a date between 2000 and 2100."]}


@pytest.mark.parametrize("at", ["9999-12-30T00:00:00Z", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00Z"])
def test_clock_refuses_instants_out_of_range(api, core_member, at):
    as_user(api, core_member)
    response = api.get("/api/duties/clock/", {"member": core_member.pk, "at": at, "window": "24h"})
    assert response.status_code == 400
    assert list(response.data) == ["at"] and response.data["at"][0]


def test_duties_with_no_cell_are_not_listed_for_members_outside_the_cells(api, staff_user, outsider):
    from roles.models import Role
    from roles.tests.factories import RoleAssignmentFactory

    supporter = make_member(cell=None)
    RoleAssignmentFactory(member=supporter, role=Role.objects.get(slug="cell-supporter"), since=TODAY)
    duty: Any = DutyInstanceFactory(
        definition=DutyDefinition.objects.get(slug="cell-supporter-quarterly-check-in"),
        cell=None,
        subject_key=f"member:{supporter.pk}",
        subject_member=supporter,
        assignee=supporter,
    )
    loner = make_member(cell=None)  # no cell either: "cell IS NULL" must not let them in
    url = f"/api/duty-instances/{duty.pk}/"
    for stranger in (loner, outsider):
        as_user(api, stranger)
        assert api.get("/api/duty-instances/").data["results"] == []
        assert api.get(url).status_code == 404
        assert api.post(url + "tick/", {"position": 1}, format="json").status_code == 404
    other_supporter = make_member(cell=None)
    RoleAssignmentFactory(member=other_supporter, role=Role.objects.get(slug="cell-supporter"), since=TODAY)
    for allowed in (supporter, other_supporter, staff_user):
        as_user(api, allowed)
        assert [d["id"] for d in api.get("/api/duty-instances/").data["results"]] == [duty.pk]
    assert not DutyInstance.objects.filter(items__ticked_at__isnull=False).exists()


def test_clock_endpoint(api, core_member, cell, outsider):
    la = make_member(cell=cell, timezone="America/Los_Angeles")
    as_user(api, core_member)
    response = api.get("/api/duties/clock/", {"member": la.pk, "at": "2026-11-21T02:00:00Z", "window": "24h"})
    assert response.status_code == 200
    assert response.data["due_at"] == "2026-11-23T18:00:00-08:00"
    pager = api.get("/api/duties/clock/", {"member": la.pk, "at": "2026-11-21T02:00:00Z", "window": "30m"})
    assert pager.data["due_at"] == "2026-11-20T18:30:00-08:00"
    assert api.get("/api/duties/clock/", {"member": la.pk, "at": "noon", "window": "3d"}).status_code == 400
    assert api.get("/api/duties/clock/", {"member": 999999, "at": "2026-11-21T02:00:00Z"}).status_code == 404
    assert (
        api.get("/api/duties/clock/", {"member": outsider.pk, "at": "2026-11-21T02:00:00Z"}).status_code
        == 403
    )


def test_schema_lists_the_duties_endpoints(api, staff_user):
    as_user(api, staff_user)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for p in (
        "/api/duty-definitions/",
        "/api/duty-instances/{id}/tick/",
        "/api/duty-instances/{id}/complete/",
        "/api/duties/findings/mine/",
        "/api/duties/clock/",
    ):
        assert p in schema["paths"], p


def test_definitions_query_count(api, core_member, django_assert_num_queries):
    from duties.tests.factories import DutyDefinitionFactory

    as_user(api, core_member)
    for _ in range(5):
        DutyDefinitionFactory()
    # count, page of definitions with their role (joined).
    with django_assert_num_queries(2):
        response = api.get("/api/duty-definitions/")
    assert response.data["count"] == DutyDefinition.objects.count() >= 20


def test_my_findings_query_count(api, sprint_manager, django_assert_num_queries, fresh_findings):
    for count, start in ((4, 0), (8, 4)):  # twice the findings, the same queries
        for i in range(start, start + count - (start and 4)):
            DutyInstanceFactory(
                assignee=sprint_manager,
                cell=sprint_manager.cell,
                period=f"F{i}",
                due_on=TODAY - timedelta(days=i + 1),
                opens_on=TODAY - timedelta(days=10),
            )
        fresh_findings()
        as_user(api, type(sprint_manager.user).objects.get(pk=sprint_manager.user_id))
        # member (+cell), the roles they hold, the rotations the schedule gives them today
        # (roles.rotation_holders), the stored findings for them: no process check runs.
        with django_assert_num_queries(4):
            response = api.get("/api/duties/findings/mine/")
        assert len([f for f in response.data if f["rule"] == "duty-overdue"]) == count


def test_clock_endpoint_client_window_runs_on_the_cells_sla(api, core_member, cell):
    from decimal import Decimal

    cell.client_sla_hours = Decimal("4.5")
    cell.save()
    member = make_member(cell=cell, timezone="UTC")
    as_user(api, core_member)
    at = "2026-11-20T10:00:00Z"
    strict = api.get("/api/duties/clock/", {"member": member.pk, "at": at, "window": "client"})
    assert strict.status_code == 200
    assert strict.data["due_at"] == "2026-11-20T14:30:00+00:00"
    cell.client_sla_hours = Decimal("24")
    cell.save()
    default = api.get("/api/duties/clock/", {"member": member.pk, "at": at, "window": "client"})
    assert default.data["due_at"] == "2026-11-23T10:00:00+00:00"
