"""Rotation roles are held through the rotation schedule (``roles.rotation_holders``):
assignments of them are refused everywhere, rows stored from before are kept but named
nowhere, and the registry, its API and the checks that ask "who holds it" read the schedule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from findings.models import Finding
from notifications.services import role_holders
from opencraft_ops.process_checks import CheckContext, run_checks
from roles import rotation_holders, services
from roles.models import Role, RoleAssignment
from roles.selectors import member_check_context
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from rotations.models import RotationAssignment

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _legacy(member: Any, slug: str = "firefighter-1", **fields: Any) -> RoleAssignment:
    """A rotation-role assignment as stored before the schedule was the only answer
    (``bulk_create`` skips ``clean()``, which refuses it now)."""
    (row,) = RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                member=member, role=Role.objects.get(slug=slug), cell=member.cell, since=TODAY, **fields
            )
        ]
    )
    return row


def _slot(
    member: Any, kind: str = "firefighter_1", start: date = TODAY, days: int = 13
) -> RotationAssignment:
    return RotationAssignment.objects.create(
        kind=kind, cell=member.cell, member=member, start=start, end=start + timedelta(days=days)
    )


# --- Refused, with a message that points at the schedule ------------------------------


@pytest.mark.parametrize("slug", ["firefighter-1", "firefighter-2", "discovery-duty", "ops-reviewer"])
def test_service_refuses_every_rotation_role(core_member, slug):
    with pytest.raises(ValidationError) as err:
        services.role_assign(
            member=core_member, role=Role.objects.get(slug=slug), cell=core_member.cell, since=TODAY
        )
    message = err.value.message_dict["role"][0]
    assert "rotation schedule" in message and Role.objects.get(slug=slug).name in message
    assert not RoleAssignment.objects.exists()


def test_admin_refuses_a_rotation_role_as_a_field_error(client, staff_user, core_member):
    client.force_login(staff_user)
    response = client.post(
        "/admin/roles/roleassignment/add/",
        {
            "member": core_member.pk,
            "role": Role.objects.get(slug="discovery-duty").pk,
            "cell": core_member.cell_id,
            "since": str(TODAY),
        },
    )
    assert response.status_code == 200
    assert "Discovery duty assignee is a rotation role" in response.content.decode()
    assert not RoleAssignment.objects.exists()


def test_moving_an_assignment_to_a_rotation_role_is_refused(core_member):
    mentor = services.role_assign(member=core_member, role=Role.objects.get(slug="mentor"), since=TODAY)
    with pytest.raises(ValidationError) as err:
        services.role_assignment_update(assignment=mentor, role=Role.objects.get(slug="ops-reviewer"))
    assert "rotation schedule" in err.value.message_dict["role"][0]
    assert RoleAssignment.objects.get(pk=mentor.pk).role.slug == "mentor"


def test_a_stored_row_can_still_be_ended(core_member):
    row = _legacy(core_member)
    services.role_assignment_end(assignment=row, until=TODAY + timedelta(days=3))
    row.refresh_from_db()
    assert row.until == TODAY + timedelta(days=3)


# --- Stored rows: kept, shown nowhere as holders ---------------------------------------


def test_stored_rows_are_kept_but_named_nowhere(client, api, staff_user, core_member):
    row = _legacy(core_member)
    mentor = RoleAssignmentFactory.create(
        member=core_member, role=Role.objects.get(slug="mentor"), cell=core_member.cell
    )
    assert RoleAssignment.objects.count() == 2  # nothing deleted
    client.force_login(staff_user)
    listed = client.get("/admin/roles/roleassignment/").content.decode()
    assert f"/admin/roles/roleassignment/{mentor.pk}/change/" in listed
    assert f"/admin/roles/roleassignment/{row.pk}/change/" not in listed
    member_admin = client.get(f"/admin/roles/member/{core_member.pk}/change/").content.decode()
    assert f'value="{mentor.pk}"' in member_admin and f'value="{row.pk}"' not in member_admin
    page = client.get(f"/org/members/{core_member.pk}/").content.decode()
    assert "Firefighter 1" not in page and "No rotation in the next four weeks." in page
    api.force_authenticate(staff_user)
    ids = [a["id"] for a in api.get("/api/assignments/").json()["results"]]
    assert ids == [mentor.pk]
    assert api.get(f"/api/assignments/{row.pk}/").status_code == 404


def test_findings_for_a_firefighter_reach_who_the_schedule_names(core_member, cell):
    scheduled = MemberFactory.create(cell=cell, member_type="core")
    _legacy(core_member)
    _slot(scheduled)
    held = member_check_context(member_id=scheduled.pk, as_of=TODAY).member_roles
    assert ("firefighter-1", cell.pk) in held
    assert ("firefighter-1", cell.pk) not in member_check_context(
        member_id=core_member.pk, as_of=TODAY
    ).member_roles
    now = timezone.now()
    assert role_holders(role_slug="firefighter-1", cell_id=cell.pk, as_of=now) == [scheduled.pk]
    # The day after the slot ends nobody holds it.
    later = now + timedelta(days=14)
    assert role_holders(role_slug="firefighter-1", cell_id=cell.pk, as_of=later) == []


def test_home_lists_no_rotation_role_and_shows_findings_to_the_scheduled_firefighter(
    client, core_member, cell, fresh_findings
):
    _legacy(core_member)
    scheduled = MemberFactory.create(cell=cell, member_type="core")
    _slot(scheduled)
    fresh_findings()
    Finding.objects.create(
        key="test|firefighter",
        scope=f"cell:{cell.pk}",
        rule="test-rule",
        subject="firefighter-finding",
        severity=2,
        message="A ticket needs the firefighters.",
        cell_id=cell.pk,
        role_slug="firefighter-1",
        first_seen=timezone.now(),
        last_seen=timezone.now(),
    )
    client.force_login(core_member.user)
    mine = client.get("/").content.decode()
    assert "A ticket needs the firefighters." not in mine and "<strong>Firefighter 1</strong>" not in mine
    client.force_login(scheduled.user)
    theirs = client.get("/").content.decode()
    assert "A ticket needs the firefighters." in theirs and "<strong>Firefighter 1</strong>" in theirs


def test_holder_left_check_reads_the_schedule(cell):
    gone = MemberFactory.create(cell=cell, member_type="core", left_on=TODAY - timedelta(days=2))
    _legacy(gone, "ops-reviewer")  # an old row: not reported, the schedule is
    _slot(gone, "ops_reviewer", start=TODAY - timedelta(days=3))
    _slot(gone, "firefighter_1", start=TODAY - timedelta(days=3))  # core-only: rotations' own check
    found = list(run_checks(CheckContext(as_of=TODAY), only=["assignment-holder-left"]))
    assert [(f.cell_id, f.role_slug) for f in found] == [(cell.pk, "cell-supporter")]
    assert "still names them ops reviewer" in found[0].message


# --- The registry and its endpoint -----------------------------------------------------


def test_registry_answers_per_cell_role_and_day(cell, other_cell):
    a = MemberFactory.create(cell=cell, member_type="core")
    b = MemberFactory.create(cell=other_cell, member_type="core")
    _slot(a, "pager", days=1)
    _slot(b, "ops_reviewer", days=0)
    answer = rotation_holders.holders(None, TODAY, TODAY + timedelta(days=2))
    assert answer == {
        (cell.pk, "pager", TODAY): [a.pk],
        (cell.pk, "pager", TODAY + timedelta(days=1)): [a.pk],
        (other_cell.pk, "ops-reviewer", TODAY): [b.pk],
    }
    assert rotation_holders.holders([other_cell.pk], TODAY, TODAY) == {
        (other_cell.pk, "ops-reviewer", TODAY): [b.pk]
    }
    assert rotation_holders.holds(start=TODAY, end=TODAY, cell_ids=[]) == []
    with pytest.raises(ValueError, match="before its start"):
        rotation_holders.holds(start=TODAY, end=TODAY - timedelta(days=1))


def test_registry_without_a_reader_names_nobody(core_member, monkeypatch):
    _slot(core_member)
    monkeypatch.setattr(rotation_holders, "_registry", rotation_holders._Registry())
    assert rotation_holders.holds(start=TODAY, end=TODAY) == []
    assert not rotation_holders.is_rotation_slug("firefighter-1")


def test_rotation_holders_endpoint(api, core_member, cell, other_cell, django_assert_max_num_queries):
    assert api.get("/api/rotation-holders/", {"start": TODAY, "end": TODAY}).status_code in (401, 403)
    api.force_authenticate(core_member.user)
    _slot(core_member, days=1)
    other = MemberFactory.create(cell=other_cell, member_type="core")
    _slot(other, "discovery_duty", days=0)
    body = api.get(
        "/api/rotation-holders/", {"start": TODAY, "end": TODAY + timedelta(days=1), "cell": cell.pk}
    )
    assert body.status_code == 200
    days = body.json()["days"]
    assert [(d["date"], d["cell"], [h["role"] for h in d["holders"]]) for d in days] == [
        (str(TODAY), cell.pk, ["firefighter-1"]),
        (str(TODAY + timedelta(days=1)), cell.pk, ["firefighter-1"]),
    ]
    assert days[0]["holders"][0]["name"] == core_member.name
    everywhere = api.get("/api/rotation-holders/", {"start": TODAY, "end": TODAY}).json()["days"]
    assert {d["cell"] for d in everywhere} == {cell.pk, other_cell.pk}
    # More slots, same queries: session, user, the slots.
    for i in range(5):
        _slot(MemberFactory.create(cell=other_cell, member_type="core"), "firefighter_backup", days=i)
    with django_assert_max_num_queries(4):
        assert api.get("/api/rotation-holders/", {"start": TODAY, "end": TODAY}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"end": "2030-01-01"}, "start", "required"),
        ({"start": "2030-01-02", "end": "2030-01-01"}, "end", "before the start"),
        ({"start": "2030-01-01", "end": "2030-06-01"}, "end", "at most 92 days"),
        ({"start": "tuesday", "end": "2030-01-01"}, "start", "format"),
        ({"start": "2030-01-01", "end": "2030-01-01", "cell": "999999"}, "cell", "No cell has id"),
    ],
)
def test_rotation_holders_endpoint_refuses_bad_input(api, core_member, params, field, says):
    api.force_authenticate(core_member.user)
    response = api.get("/api/rotation-holders/", params)
    assert response.status_code == 400
    assert says in str(response.json()[field])
