"""The admin refuses what the forms and the API refuse, and shows history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from roles.models import Member, Role, RoleAssignment, WeeklyCommitment

TODAY = date.today()
pytestmark = pytest.mark.django_db


def test_admin_needs_staff(client, core_member):
    client.force_login(core_member.user)
    response = client.get("/admin/roles/roleassignment/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_second_sprint_manager_in_admin_is_a_field_error(client, staff_user, sprint_manager, core_member):
    client.force_login(staff_user)
    response = client.post(
        "/admin/roles/roleassignment/add/",
        {
            "member": core_member.pk,
            "role": Role.objects.get(slug="sprint-manager").pk,
            "cell": sprint_manager.cell_id,
            "since": str(TODAY),
        },
    )
    assert response.status_code == 200
    assert "already has a sprint manager" in response.content.decode()
    assert RoleAssignment.objects.count() == 1


def test_assignment_ending_before_start_in_admin(client, staff_user, core_member):
    client.force_login(staff_user)
    response = client.post(
        "/admin/roles/roleassignment/add/",
        {
            "member": core_member.pk,
            "role": Role.objects.get(slug="mentor").pk,
            "since": str(TODAY),
            "until": str(TODAY - timedelta(days=1)),
        },
    )
    assert "An assignment cannot end before it starts." in response.content.decode()
    assert not RoleAssignment.objects.exists()


def test_negative_commitment_in_admin(client, staff_user, core_member):
    client.force_login(staff_user)
    response = client.post(
        "/admin/roles/weeklycommitment/add/",
        {"member": core_member.pk, "hours_per_week": "-3", "since": str(TODAY)},
    )
    assert "Weekly hours cannot be negative." in response.content.decode()
    assert WeeklyCommitment.objects.filter(member=core_member).count() == 1


def test_member_admin_page_with_inlines_and_history(client, staff_user, sprint_manager):
    client.force_login(staff_user)
    page = client.get(f"/admin/roles/member/{sprint_manager.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for inline in [
        "assignments-TOTAL_FORMS",
        "commitments-TOTAL_FORMS",
        "type_periods-TOTAL_FORMS",
        "time_off-TOTAL_FORMS",
    ]:
        assert inline in html
    history = client.get(f"/admin/roles/member/{sprint_manager.pk}/history/")
    assert history.status_code == 200
    assert client.get("/admin/roles/roleassignment/?current=yes&q=sm").status_code == 200
    assert client.get("/admin/roles/member/?active=no").status_code == 200


def test_role_catalog_editable_in_admin(client, staff_user):
    client.force_login(staff_user)
    mentor = Role.objects.get(slug="mentor")
    page = client.get(f"/admin/roles/role/{mentor.pk}/change/")
    assert page.status_code == 200 and "Guides one newcomer" in page.content.decode()
    listing = client.get("/admin/roles/role/?scope=cell")
    assert listing.status_code == 200 and "Sprint manager" in listing.content.decode()


def test_member_admin_list(client, staff_user, core_member, newcomer):
    client.force_login(staff_user)
    response = client.get("/admin/roles/member/?q=newcomer")
    assert response.status_code == 200
    assert newcomer.name in response.content.decode()
    assert Member.objects.count() == 2


def test_end_today_admin_action(client, staff_user, sprint_manager):
    from django.utils import timezone

    assignment = RoleAssignment.objects.get(member=sprint_manager)
    client.force_login(staff_user)
    response = client.post(
        "/admin/roles/roleassignment/",
        {"action": "end_today", "_selected_action": [assignment.pk], "index": 0, "select_across": 0},
        follow=True,
    )
    assert response.status_code == 200 and "Ended 1 assignment" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.until == timezone.localdate()
    assert assignment.history.first().history_user == staff_user
