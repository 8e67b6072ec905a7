"""The roles REST API through HTTP: reads, writes, refusals and query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from roles.auth import token_issue
from roles.models import Member, Role, RoleAssignment, TimeOff, WeeklyCommitment
from roles.tests.factories import TimeOffFactory

TODAY = date.today()
pytestmark = pytest.mark.django_db


def test_anonymous_is_refused_everywhere(api, cell):
    for url in [
        "/api/members/",
        "/api/cells/",
        "/api/roles/",
        "/api/assignments/",
        "/api/time-off/",
        "/api/commitments/",
        "/api/member-type-periods/",
        "/api/findings/",
        "/api/schema/",
    ]:
        assert api.get(url).status_code in (401, 403), url
    assert api.post("/api/cells/", {"name": "X", "slug": "x"}).status_code in (401, 403)


def test_token_auth_reads_members(api, core_member, newcomer):
    raw, _ = token_issue(core_member.user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = api.get("/api/members/")
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()["results"]}
    assert rows["newcomer"]["current_type"] == "newcomer"
    assert rows["core"]["current_weekly_hours"] == "40.00"


def test_members_filters(api, core_member, newcomer, outsider):
    api.force_authenticate(core_member.user)
    by_cell = api.get("/api/members/", {"cell": core_member.cell_id}).json()["results"]
    assert {r["username"] for r in by_cell} == {"core", "newcomer"}
    by_type = api.get("/api/members/", {"member_type": "newcomer"}).json()["results"]
    assert [r["username"] for r in by_type] == ["newcomer"]
    assert api.get("/api/members/", {"cell": "nope"}).status_code == 400


def test_member_create_by_staff_and_refusals(api, staff_user, core_member, cell):
    payload = {"username": "lambert", "first_name": "Joan", "cell": cell.pk, "joined_on": str(TODAY)}
    api.force_authenticate(core_member.user)
    assert api.post("/api/members/", payload, format="json").status_code == 403
    api.force_authenticate(staff_user)
    response = api.post("/api/members/", {**payload, "weekly_hours": "-5"}, format="json")
    assert response.status_code == 400
    assert response.json()["weekly_hours"] == ["Weekly hours cannot be negative."]
    assert not Member.objects.filter(user__username="lambert").exists()
    response = api.post("/api/members/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["current_type"] == "newcomer"
    again = api.post("/api/members/", payload, format="json")
    assert again.status_code == 400 and "username" in again.json()
    assert Member.objects.filter(user__username="lambert").count() == 1
    assert api.delete(f"/api/members/{core_member.pk}/").status_code == 405


def test_member_update_validation(api, staff_user, core_member):
    api.force_authenticate(staff_user)
    bad = api.patch(
        f"/api/members/{core_member.pk}/",
        {"left_on": str(core_member.joined_on - timedelta(1))},
        format="json",
    )
    assert bad.status_code == 400 and "left_on" in bad.json()
    bad_tz = api.patch(f"/api/members/{core_member.pk}/", {"timezone": "Moon/Base"}, format="json")
    assert bad_tz.status_code == 400 and "timezone" in bad_tz.json()
    ok = api.patch(f"/api/members/{core_member.pk}/", {"timezone": "Asia/Tokyo"}, format="json")
    assert ok.status_code == 200
    core_member.refresh_from_db()
    assert core_member.timezone == "Asia/Tokyo" and core_member.left_on is None


def test_cells_and_roles_write_staff_only(api, core_member, staff_user):
    api.force_authenticate(core_member.user)
    assert api.get("/api/roles/", {"is_cell_management": "true"}).json()["count"] == 3
    assert (
        api.patch(f"/api/cells/{core_member.cell_id}/", {"description": "x"}, format="json").status_code
        == 403
    )
    api.force_authenticate(staff_user)
    bad = api.patch(f"/api/cells/{core_member.cell_id}/", {"client_sla_hours": "48"}, format="json")
    assert bad.status_code == 400 and "client_sla_hours" in bad.json()
    sprint_manager = Role.objects.get(slug="sprint-manager")
    ok = api.patch(f"/api/roles/{sprint_manager.pk}/", {"backups_required": 1}, format="json")
    assert ok.status_code == 200
    assert Role.objects.get(slug="sprint-manager").backups_required == 1


def test_second_sprint_manager_is_a_400_with_field_message(api, staff_user, sprint_manager, core_member):
    api.force_authenticate(staff_user)
    payload = {
        "member": core_member.pk,
        "role": Role.objects.get(slug="sprint-manager").pk,
        "cell": core_member.cell_id,
        "since": str(TODAY),
    }
    response = api.post("/api/assignments/", payload, format="json")
    assert response.status_code == 400
    assert "already has a sprint manager" in response.json()["since"][0]
    assert RoleAssignment.objects.filter(role__slug="sprint-manager").count() == 1


def test_assignment_create_and_bad_input(api, staff_user, core_member, newcomer):
    api.force_authenticate(staff_user)
    mentor = Role.objects.get(slug="mentor")
    bad = api.post(
        "/api/assignments/",
        {
            "member": core_member.pk,
            "role": mentor.pk,
            "since": str(TODAY),
            "until": str(TODAY - timedelta(1)),
        },
        format="json",
    )
    assert bad.status_code == 400 and "until" in bad.json()
    rotation = api.post(
        "/api/assignments/",
        {"member": newcomer.pk, "role": Role.objects.get(slug="firefighter-1").pk, "since": str(TODAY)},
        format="json",
    )
    # Rotation roles are held through the rotation schedule: refused, pointing there.
    assert rotation.status_code == 400 and "rotation schedule" in rotation.json()["role"][0]
    ok = api.post(
        "/api/assignments/",
        {"member": core_member.pk, "role": mentor.pk, "since": str(TODAY), "backup": newcomer.pk},
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["role_slug"] == "mentor"
    assert api.get("/api/assignments/", {"role": "mentor", "current": "true"}).json()["count"] == 1


def test_assignment_writes_refused_for_members(api, core_member):
    api.force_authenticate(core_member.user)
    response = api.post(
        "/api/assignments/",
        {"member": core_member.pk, "role": Role.objects.get(slug="mentor").pk, "since": str(TODAY)},
        format="json",
    )
    assert response.status_code == 403
    assert not RoleAssignment.objects.exists()


def test_member_records_own_time_off(api, core_member):
    api.force_authenticate(core_member.user)
    payload = {
        "member": core_member.pk,
        "start": str(TODAY),
        "end": str(TODAY + timedelta(2)),
        "kind": "vacation",
    }
    assert api.post("/api/time-off/", payload, format="json").status_code == 201
    overlap = api.post("/api/time-off/", payload, format="json")
    assert overlap.status_code == 400 and "overlaps" in overlap.json()["start"][0]
    backwards = api.post(
        "/api/time-off/",
        {**payload, "start": str(TODAY + timedelta(30)), "end": str(TODAY + timedelta(29))},
        format="json",
    )
    assert backwards.status_code == 400 and "end" in backwards.json()
    assert TimeOff.objects.filter(member=core_member).count() == 1


def test_time_off_refusals_for_colleagues_and_outsiders(api, core_member, newcomer, outsider):
    theirs = TimeOffFactory.create(member=newcomer)
    api.force_authenticate(core_member.user)
    payload = {"member": newcomer.pk, "start": str(TODAY + timedelta(40)), "end": str(TODAY + timedelta(41))}
    assert api.post("/api/time-off/", payload, format="json").status_code == 403
    assert api.delete(f"/api/time-off/{theirs.pk}/").status_code == 403
    api.force_authenticate(outsider.user)
    assert api.get(f"/api/time-off/{theirs.pk}/").status_code == 404  # other cell: not visible
    assert api.get("/api/time-off/").json()["count"] == 0
    assert TimeOff.objects.filter(member=newcomer).count() == 1


def test_cell_epsm_edits_commitments_and_time_off_of_its_cell_only(api, epsm, newcomer, outsider):
    api.force_authenticate(epsm.user)
    response = api.post(
        "/api/commitments/",
        {"member": newcomer.pk, "hours_per_week": "30", "since": str(TODAY + timedelta(7))},
        format="json",
    )
    assert response.status_code == 201, response.json()
    negative = api.post(
        "/api/commitments/",
        {"member": newcomer.pk, "hours_per_week": "-2", "since": str(TODAY)},
        format="json",
    )
    assert negative.status_code == 400
    assert negative.json()["hours_per_week"] == ["Weekly hours cannot be negative."]
    elsewhere = api.post(
        "/api/commitments/",
        {"member": outsider.pk, "hours_per_week": "20", "since": str(TODAY)},
        format="json",
    )
    assert elsewhere.status_code == 403
    time_off = api.post(
        "/api/time-off/", {"member": newcomer.pk, "start": str(TODAY), "end": str(TODAY)}, format="json"
    )
    assert time_off.status_code == 201
    assert WeeklyCommitment.objects.filter(member=outsider).count() == 1
    assert WeeklyCommitment.objects.filter(member=newcomer).count() == 2


def test_member_cannot_change_own_commitment(api, core_member):
    api.force_authenticate(core_member.user)
    response = api.post(
        "/api/commitments/",
        {"member": core_member.pk, "hours_per_week": "10", "since": str(TODAY)},
        format="json",
    )
    assert response.status_code == 403


def test_type_periods_staff_write(api, staff_user, newcomer):
    api.force_authenticate(staff_user)
    response = api.post(
        "/api/member-type-periods/",
        {"member": newcomer.pk, "member_type": "core", "since": str(TODAY), "note": "Trial passed"},
        format="json",
    )
    assert response.status_code == 201
    assert newcomer.type_on(TODAY) == "core"
    bad = api.post(
        "/api/member-type-periods/",
        {"member": newcomer.pk, "member_type": "boss", "since": str(TODAY)},
        format="json",
    )
    assert bad.status_code == 400 and "member_type" in bad.json()


def test_schema_and_docs(client, core_member):
    client.force_login(core_member.user)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/members/",
        "/api/cells/",
        "/api/roles/",
        "/api/assignments/",
        "/api/time-off/",
        "/api/commitments/",
        "/api/member-type-periods/",
        "/api/findings/",
    ]:
        assert path in paths, path
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"//cdn" not in docs.content and b"https://" not in docs.content.split(b"<body")[0]


# --- query counts: constant with the number of rows --------------------------
# Session auth: session + user (2); then paginator count (1) and the page (1).
LIST_QUERIES = {
    "/api/members/": 4,  # members with user, cell, type and commitment subqueries
    "/api/cells/": 4,
    "/api/roles/": 4,
    "/api/assignments/": 4,  # assignments with role and member's user
    # time off / commitments / types: + the company-role check (1); the caller's member
    # comes with the token's or the session's user
    "/api/time-off/": 6,  # + the caller's current roles: who reads an absence's kind (1)
    "/api/commitments/": 5,
    "/api/member-type-periods/": 5,
}


@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_list_endpoints_query_count_is_flat(client, core_member, populated, django_assert_num_queries, url):
    client.force_login(core_member.user)
    populated(2)
    with django_assert_num_queries(LIST_QUERIES[url]):
        small = client.get(url)
    populated(6)
    with django_assert_num_queries(LIST_QUERIES[url]):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    if url != "/api/roles/":  # the role catalog does not grow with the organisation
        assert large.json()["count"] > small.json()["count"]


def test_handover_endpoint(api, staff_user, sprint_manager, core_member):
    current = RoleAssignment.objects.get(member=sprint_manager)
    url = f"/api/assignments/{current.pk}/handover/"
    starts = TODAY + timedelta(days=3)
    api.force_authenticate(core_member.user)
    assert (
        api.post(url, {"to_member": core_member.pk, "starts_on": str(starts)}, format="json").status_code
        == 403
    )
    api.force_authenticate(staff_user)
    same = api.post(url, {"to_member": sprint_manager.pk, "starts_on": str(starts)}, format="json")
    assert same.status_code == 400 and "to_member" in same.json()
    early = api.post(url, {"to_member": core_member.pk, "starts_on": str(current.since)}, format="json")
    assert early.status_code == 400 and "starts_on" in early.json()
    assert RoleAssignment.objects.count() == 1
    ok = api.post(url, {"to_member": core_member.pk, "starts_on": str(starts)}, format="json")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["member"] == core_member.pk and ok.json()["since"] == str(starts)
    current.refresh_from_db()
    assert current.until == starts - timedelta(
        days=1
    ) and current.transition_until == current.until + timedelta(14)


def test_load_role_catalog_command_keeps_edits():
    from io import StringIO

    from django.core.management import call_command

    Role.objects.filter(slug="mentor").update(purpose="Edited in the admin")
    Role.objects.filter(slug="ceo").delete()
    out = StringIO()
    call_command("load_role_catalog", stdout=out)
    assert "1 added" in out.getvalue()
    assert Role.objects.get(slug="mentor").purpose == "Edited in the admin"
    assert Role.objects.filter(slug="ceo").exists()


def test_time_off_saved_meanwhile_is_a_400_with_field_message(api, core_member, saved_meanwhile):
    """Two requests race past the overlap check; the database constraint
    refuses the second and the API says why (PostgreSQL)."""
    api.force_authenticate(core_member.user)
    saved_meanwhile(TimeOff)
    response = api.post(
        "/api/time-off/",
        {"member": core_member.pk, "start": str(TODAY), "end": str(TODAY + timedelta(2))},
        format="json",
    )
    assert response.status_code == 400
    assert "overlaps time off recorded meanwhile" in response.json()["start"][0]
    assert not TimeOff.objects.exists()


def test_sprint_manager_saved_meanwhile_is_a_400_with_field_message(
    api, staff_user, core_member, newcomer, saved_meanwhile
):
    api.force_authenticate(staff_user)
    saved_meanwhile(RoleAssignment, member_id=newcomer.pk)
    response = api.post(
        "/api/assignments/",
        {
            "member": core_member.pk,
            "role": Role.objects.get(slug="sprint-manager").pk,
            "cell": core_member.cell_id,
            "since": str(TODAY),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "single-holder role over these dates meanwhile" in response.json()["since"][0]
    assert not RoleAssignment.objects.exists()


def test_time_off_update_checks_overlap_like_a_new_record(api, core_member, saved_meanwhile):
    first = TimeOffFactory.create(member=core_member, start=TODAY, end=TODAY + timedelta(2))
    second = TimeOffFactory.create(member=core_member, start=TODAY + timedelta(10), end=TODAY + timedelta(12))
    api.force_authenticate(core_member.user)
    url = f"/api/time-off/{second.pk}/"
    onto_first = api.patch(url, {"start": str(TODAY + timedelta(1))}, format="json")
    assert onto_first.status_code == 400
    assert f"already recorded from {first.start}" in onto_first.json()["start"][0]
    backwards = api.patch(url, {"end": str(TODAY + timedelta(9))}, format="json")
    assert backwards.status_code == 400 and "end" in backwards.json()
    moved = api.patch(url, {"start": str(TODAY + timedelta(5)), "note": "Shorter"}, format="json")
    assert moved.status_code == 200 and moved.json()["note"] == "Shorter"
    assert second.history.count() == 2  # created, changed (through the service)
    second.refresh_from_db()
    assert (second.start, second.end) == (TODAY + timedelta(5), TODAY + timedelta(12))


@pytest.mark.parametrize(
    ("url", "payload", "text"),
    [
        ("/api/commitments/", {"hours_per_week": "30"}, "already has a commitment starting on"),
        ("/api/member-type-periods/", {"member_type": "core"}, "already has a type change starting on"),
    ],
)
def test_second_change_on_the_same_day_is_a_field_message(api, staff_user, newcomer, url, payload, text):
    api.force_authenticate(staff_user)
    body = {"member": newcomer.pk, "since": str(newcomer.joined_on), **payload}
    response = api.post(url, body, format="json")
    assert response.status_code == 400
    assert text in response.json()["since"][0]
    assert WeeklyCommitment.objects.filter(member=newcomer).count() == 1
    assert newcomer.type_periods.count() == 1


def test_negative_and_excessive_commitment_updates_are_refused(api, staff_user, newcomer):
    commitment = WeeklyCommitment.objects.get(member=newcomer)
    api.force_authenticate(staff_user)
    for hours, text in [("-1", "cannot be negative"), ("81", "cannot exceed 80")]:
        response = api.patch(f"/api/commitments/{commitment.pk}/", {"hours_per_week": hours}, format="json")
        assert response.status_code == 400 and text in response.json()["hours_per_week"][0]
    commitment.refresh_from_db()
    assert commitment.hours_per_week == 40
