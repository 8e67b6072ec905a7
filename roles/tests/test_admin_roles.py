"""The admin site for role holders (issue 13), persona by persona: which models each
sees, which rows, what they may change, and refusals for rows and choices of
another cell."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from roles.models import Member, Role, TimeOff
from roles.tests.factories import MemberFactory, RoleAssignmentFactory, TimeOffFactory
from sprints.tests.factories import EpicFactory, TicketFactory
from sustainability.tests.factories import AccountFactory

TODAY = date.today()
pytestmark = pytest.mark.django_db

SPRINT_MANAGER_MODELS = ["/admin/sprints/ticket/", "/admin/sprints/spillover/", "/admin/roles/timeoff/"]
SPRINT_MANAGER_MODELS += ["/admin/rotations/rotationassignment/", "/admin/rotations/swap/"]
EPSM_MODELS = ["/admin/epics/epic/", "/admin/sustainability/account/", "/admin/sustainability/accountbudget/"]
EPSM_MODELS += ["/admin/sustainability/sustainabilitytarget/", "/admin/roles/weeklycommitment/"]
RECRUITMENT_MODELS = ["/admin/roles/member/", "/admin/roles/membertypeperiod/"]
STAFF_ONLY = [
    "/admin/roles/role/",
    "/admin/roles/roleassignment/",
    "/admin/sync/syncrun/",
    "/admin/auth/user/",
]


@pytest.fixture
def rows(cell: Any, other_cell: Any, outsider: Member) -> dict[str, Any]:
    """A ticket, an epic, an account and a time off in each of the two cells."""
    return {
        "ticket": TicketFactory.create(cell=cell, summary="Our ticket"),
        "their_ticket": TicketFactory.create(cell=other_cell, summary="Their ticket"),
        "epic": EpicFactory.create(cell=cell, title="Our epic"),
        "their_epic": EpicFactory.create(cell=other_cell, title="Their epic"),
        "account": AccountFactory.create(cell=cell, name="Our account"),
        "their_account": AccountFactory.create(cell=other_cell, name="Their account"),
        "their_time_off": TimeOffFactory.create(member=outsider, start=TODAY, end=TODAY, note="Theirs"),
    }


@pytest.fixture
def epsm(cell: Any) -> Member:
    member = MemberFactory.create(cell=cell, user__username="epsm")
    RoleAssignmentFactory.create(
        member=member, role=Role.objects.get(slug="epic-planning-sustainability-manager"), cell=cell
    )
    return member


@pytest.fixture
def recruiter(other_cell: Any) -> Member:
    member = MemberFactory.create(cell=other_cell, user__username="recruiter")
    RoleAssignmentFactory.create(member=member, role=Role.objects.get(slug="recruitment-manager"), cell=None)
    return member


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["core_member", "newcomer", "outsider", "no_cell", "leaver"])
def test_members_without_an_admin_role_are_refused(request, persona, cell):
    if persona == "no_cell":
        user = MemberFactory.create(cell=None, user__username="nocell").user
    elif persona == "leaver":
        user = MemberFactory.create(cell=cell, user__username="gone", left_on=TODAY).user
    else:
        user = request.getfixturevalue(persona).user
    client = _signed_in(user)
    index = client.get("/admin/", follow=True)
    if persona == "leaver":  # not signed in any more: the portal's login page
        assert index.redirect_chain[-1][0].startswith("/login/")
        assert index.status_code == 200
    else:
        assert (
            index.status_code == 403
            and "The admin site is for staff and for holders" in index.content.decode()
        )
    for url in SPRINT_MANAGER_MODELS + EPSM_MODELS + RECRUITMENT_MODELS:
        assert client.get(url).status_code in (302, 403), url
    assert 'href="/admin/"' not in client.get("/").content.decode()


def test_anonymous_admin_login_is_the_portal_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/?next=%2Fadmin%2F"


def test_sprint_manager_keeps_sprint_records_of_their_cell(sprint_manager, rows):
    client = _signed_in(sprint_manager.user)
    home = client.get("/").content.decode()
    assert 'href="/admin/"' in home  # the menu offers the admin site
    index = client.get("/admin/")
    assert index.status_code == 200
    html = index.content.decode()
    for url in SPRINT_MANAGER_MODELS:
        assert f'href="{url}"' in html, url
        assert client.get(url).status_code == 200, url
    for url in EPSM_MODELS + RECRUITMENT_MODELS + STAFF_ONLY:
        assert f'href="{url}"' not in html, url
        assert client.get(url).status_code == 403, url
    tickets = client.get("/admin/sprints/ticket/").content.decode()
    assert "Our ticket" in tickets and "Their ticket" not in tickets
    # Another cell's row opened by URL: not found for them (the admin's refusal), never shown.
    their = client.get(f"/admin/sprints/ticket/{rows['their_ticket'].pk}/change/", follow=True)
    assert "Their ticket" not in their.content.decode() and "doesn’t exist" in their.content.decode()
    assert client.get(f"/admin/sprints/ticket/{rows['ticket'].pk}/change/").status_code == 200
    time_off = client.get("/admin/roles/timeoff/").content.decode()
    assert "Theirs" not in time_off


def test_sprint_manager_time_off_choices_stay_in_the_cell(sprint_manager, core_member, outsider, rows):
    client = _signed_in(sprint_manager.user)
    form = client.get("/admin/roles/timeoff/add/").content.decode()
    assert f'<option value="{core_member.pk}"' in form
    assert f'<option value="{outsider.pk}"' not in form  # another cell's member is not offered
    posted = {"member": outsider.pk, "kind": "vacation", "start": TODAY, "end": TODAY, "note": "moved"}
    refused = client.post("/admin/roles/timeoff/add/", posted)
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not TimeOff.objects.filter(note="moved").exists()
    posted["member"] = core_member.pk
    assert client.post("/admin/roles/timeoff/add/", posted).status_code == 302
    assert TimeOff.objects.filter(note="moved", member=core_member).exists()
    # Another cell's time off by URL: not theirs to change or delete.
    theirs = rows["their_time_off"]
    client.post(f"/admin/roles/timeoff/{theirs.pk}/delete/", {"post": "yes"})
    assert TimeOff.objects.filter(pk=theirs.pk).exists()


def test_sprint_manager_cannot_move_a_ticket_to_another_cell(sprint_manager, rows, other_cell, cell):
    client = _signed_in(sprint_manager.user)
    ticket = rows["ticket"]
    form = client.get(f"/admin/sprints/ticket/{ticket.pk}/change/").content.decode()
    assert f'<option value="{other_cell.pk}"' not in form and f'<option value="{cell.pk}" selected' in form
    data = {"key": ticket.key, "summary": ticket.summary, "status": ticket.status, "cell": other_cell.pk}
    refused = client.post(f"/admin/sprints/ticket/{ticket.pk}/change/", data)
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.cell_id == cell.pk


def test_epic_planning_and_sustainability_manager_keeps_epics_and_accounts(epsm, rows):
    client = _signed_in(epsm.user)
    html = client.get("/admin/").content.decode()
    for url in EPSM_MODELS:
        assert f'href="{url}"' in html, url
        assert client.get(url).status_code == 200, url
    for url in ["/admin/sprints/ticket/", "/admin/rotations/swap/", *RECRUITMENT_MODELS, *STAFF_ONLY]:
        assert client.get(url).status_code == 403, url
    epics = client.get("/admin/epics/epic/").content.decode()
    assert "Our epic" in epics and "Their epic" not in epics
    accounts = client.get("/admin/sustainability/account/").content.decode()
    assert "Our account" in accounts and "Their account" not in accounts
    their = client.get(f"/admin/sustainability/account/{rows['their_account'].pk}/change/", follow=True)
    assert "Their account" not in their.content.decode()


def test_recruitment_manager_keeps_every_cells_members(recruiter, core_member, outsider):
    client = _signed_in(recruiter.user)
    for url in RECRUITMENT_MODELS:
        assert client.get(url).status_code == 200, url
    members = client.get("/admin/roles/member/").content.decode()
    assert core_member.name in members and outsider.name in members
    assert client.get("/admin/roles/timeoff/").status_code == 403


def test_a_role_ends_and_the_admin_closes(sprint_manager):
    sprint_manager.assignments.update(until=TODAY - timedelta(days=1))
    client = _signed_in(sprint_manager.user)
    assert client.get("/admin/", follow=True).status_code == 403
    assert client.get("/admin/sprints/ticket/").status_code in (302, 403)


def test_staff_keep_everything(staff_user, rows):
    client = _signed_in(staff_user)
    html = client.get("/admin/").content.decode()
    for url in SPRINT_MANAGER_MODELS + EPSM_MODELS + RECRUITMENT_MODELS + STAFF_ONLY:
        assert f'href="{url}"' in html, url
    tickets = client.get("/admin/sprints/ticket/").content.decode()
    assert "Our ticket" in tickets and "Their ticket" in tickets


def test_admin_login_never_redirects_off_site(client, sprint_manager):
    anonymous = client.get("/admin/login/?next=https://evil.example/")
    assert anonymous.status_code == 302 and anonymous["Location"] == "/login/?next=%2Fadmin%2F"
    client.force_login(sprint_manager.user)
    signed_in = client.get("/admin/login/?next=https://evil.example/")
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert client.get("/admin/login/?next=/admin/sprints/ticket/")["Location"] == "/admin/sprints/ticket/"
