"""Access by role (issue 13): leaving ends access, tokens expire and are revocable,
repeated wrong passwords lock out, absences are private, refusals have the portal's look."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.test.client import RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token

from opencraft_ops.refusals import server_error
from roles.auth import token_digest, token_issue
from roles.models import Member, Role
from roles.tasks import end_leavers_access
from roles.tests.factories import MemberFactory, RoleAssignmentFactory, TimeOffFactory

PASSWORD = "correct-horse-battery"
TODAY = date.today()

pytestmark = pytest.mark.django_db


def _token(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post("/api/token/", {"username": username, "password": password})


def _all_three(member: Member) -> tuple[int, int, int]:
    """(password login, open session, API token) answers for ``member``."""
    session = Client()
    session.force_login(member.user)
    raw, _ = token_issue(member.user)
    login = Client().post("/login/", {"username": member.user.username, "password": PASSWORD})
    page = session.get("/")
    api = Client().get("/api/cells/", HTTP_AUTHORIZATION=f"Token {raw}")
    return login.status_code, page.status_code, api.status_code


# --- Leaving -----------------------------------------------------------------------


def test_the_day_before_left_on_everything_works(core_member):
    core_member.left_on = TODAY + timedelta(days=1)
    core_member.save()
    login, page, api = _all_three(core_member)
    assert login == 302  # to the home page
    assert page == 200
    assert api == 200
    assert _token(Client(), "core").status_code == 200


def test_on_left_on_password_session_and_token_are_refused(core_member):
    session = Client()
    session.force_login(core_member.user)
    raw, _ = token_issue(core_member.user)
    core_member.left_on = TODAY
    core_member.save()
    # The session opened before is no longer signed in: back to the login page.
    page = session.get("/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    # ... and the API treats it as anonymous: 401 (with WWW-Authenticate), not signed in.
    assert session.get("/api/cells/").status_code == 401
    # The password no longer signs in.
    login = Client().post("/login/", {"username": "core", "password": PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in login.client.session
    # The token is refused with the reason; no new token for the password.
    api = Client().get("/api/cells/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.status_code in (401, 403) and "membership has ended" in api.json()["detail"]
    assert _token(Client(), "core").status_code == 400


def test_reinstating_restores_login(core_member):
    core_member.left_on = TODAY - timedelta(days=3)
    core_member.save()
    assert not Client().login(username="core", password=PASSWORD)
    core_member.left_on = None
    core_member.save()
    assert Client().login(username="core", password=PASSWORD)


def test_daily_task_ends_sessions_and_tokens_of_leavers(core_member, newcomer):
    for member in (core_member, newcomer):
        Client().force_login(member.user)
        Token.objects.create(user=member.user)
    core_member.left_on = TODAY
    core_member.save()
    assert Session.objects.count() == 2
    result = end_leavers_access.delay().get()
    assert result == {"members": 1, "sessions": 1, "tokens": 1}
    assert list(Token.objects.values_list("user_id", flat=True)) == [newcomer.user_id]
    remaining = Session.objects.get()
    assert remaining.get_decoded()["_auth_user_id"] == str(newcomer.user_id)


def test_staff_see_who_left_and_when(client, staff_user, core_member):
    core_member.left_on = TODAY - timedelta(days=2)
    core_member.save()
    client.force_login(staff_user)
    listing = client.get("/admin/roles/member/?active=no")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert core_member.name in html and "Left on" in html


# --- Tokens ------------------------------------------------------------------------


def test_token_expires_and_a_new_one_is_handed_out(client, core_member, settings):
    key = _token(client, "core").json()["token"]
    assert client.get("/api/cells/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    Token.objects.filter(key=token_digest(key)).update(
        created=timezone.now() - timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    )
    expired = Client().get("/api/cells/", HTTP_AUTHORIZATION=f"Token {key}")
    assert expired.status_code in (401, 403) and "expired" in expired.json()["detail"]
    fresh = _token(Client(), "core").json()["token"]
    assert fresh != key
    assert Client().get("/api/cells/", HTTP_AUTHORIZATION=f"Token {fresh}").status_code == 200


def test_owner_revokes_token(core_member):
    key = _token(Client(), "core").json()["token"]
    auth = f"Token {key}"
    assert Client().delete("/api/token/", HTTP_AUTHORIZATION=auth).status_code == 204
    assert Client().get("/api/cells/", HTTP_AUTHORIZATION=auth).status_code in (401, 403)
    assert not Token.objects.filter(user=core_member.user).exists()
    assert Client().delete("/api/token/").status_code in (401, 403)  # anonymous: nothing to revoke


def test_token_bad_input_is_a_400(client, core_member):
    assert client.post("/api/token/", {"username": "core"}).status_code == 400
    assert client.post("/api/token/", {"username": "core", "password": "nope"}).status_code == 400


# --- Brute force -------------------------------------------------------------------


def _expire_lockout(settings: Any) -> None:
    """The cool-off period passes: the failures are as old as the lockout lasts."""
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )


def test_login_locks_out_after_repeated_wrong_passwords(core_member, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong = client.post("/login/", {"username": "core", "password": "guess"})
        assert "_auth_user_id" not in client.session
    assert wrong.status_code == 429  # the failure that reaches the limit is answered with the lockout
    right = client.post("/login/", {"username": "core", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    html = right.content.decode()
    assert "Too many wrong passwords" in html and "locked for 15 minutes" in html and 'class="topbar"' in html
    _expire_lockout(settings)
    again = client.post("/login/", {"username": "core", "password": PASSWORD})
    assert again.status_code == 302 and client.session["_auth_user_id"] == str(core_member.user_id)


def test_token_endpoint_locks_out_after_repeated_wrong_passwords(core_member, settings):
    client = Client()
    answers = [_token(client, "core", "guess").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1) and answers[-1] == 429
    locked = _token(client, "core")
    assert locked.status_code == 429 and "Too many wrong passwords" in locked.json()["detail"]
    assert not Token.objects.exists()
    _expire_lockout(settings)
    assert _token(client, "core").status_code == 200


def test_lockout_is_per_username(core_member, newcomer, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(client, "core", "guess")
    assert _token(client, "newcomer").status_code == 200


# --- Private absences --------------------------------------------------------------


@pytest.fixture
def sick_colleague(cell: Any) -> Member:
    member = MemberFactory.create(cell=cell, user__username="colleague", user__first_name="Sam")
    TimeOffFactory.create(
        member=member, kind="sick", start=TODAY, end=TODAY + timedelta(days=2), note="Flu, back Thursday"
    )
    return member


def _absence_surfaces(client: Client, member: Member) -> str:
    """Every page and endpoint showing ``member``'s time off, concatenated."""
    parts = [
        client.get("/org/directory/").content.decode(),
        client.get(f"/org/members/{member.pk}/").content.decode(),
        client.get("/api/time-off/").content.decode(),
        client.get(f"/api/time-off/?member={member.pk}").content.decode(),
        client.get(f"/api/capacity/members/{member.pk}/").content.decode(),
    ]
    return "\n".join(parts)


def test_plain_member_sees_away_and_dates_only(client, core_member, sick_colleague):
    client.force_login(core_member.user)
    seen = _absence_surfaces(client, sick_colleague)
    assert "Flu" not in seen
    assert "Sick leave" not in seen and '"sick"' not in seen
    assert "away" in seen
    detail = client.get(f"/api/time-off/?member={sick_colleague.pk}").json()["results"][0]
    assert detail["kind"] == "away" and detail["note"] == "" and detail["start"] == TODAY.isoformat()


def test_member_without_cell_keeps_absence_private(client, core_member):
    loner = MemberFactory.create(cell=None, user__username="loner")
    TimeOffFactory.create(member=loner, kind="sick", start=TODAY, end=TODAY, note="Dentist")
    client.force_login(core_member.user)
    page = client.get(f"/org/members/{loner.pk}/").content.decode()
    assert page and "Dentist" not in page and "Sick leave" not in page and ">away" in page


@pytest.mark.parametrize("who", ["self", "sprint_manager", "epsm", "staff"])
def test_the_member_their_managers_and_staff_see_kind_and_note(
    client, who, sick_colleague, sprint_manager, epsm, staff_user
):
    user = {
        "self": sick_colleague.user,
        "sprint_manager": sprint_manager.user,
        "epsm": epsm.user,
        "staff": staff_user,
    }[who]
    client.force_login(user)
    page = client.get(f"/org/members/{sick_colleague.pk}/").content.decode()
    assert "Sick leave" in page and "Flu, back Thursday" in page
    row = client.get(f"/api/time-off/?member={sick_colleague.pk}").json()["results"][0]
    assert row["kind"] == "sick" and row["note"] == "Flu, back Thursday"


def test_another_cells_sprint_manager_does_not_see_the_kind(client, other_cell, sick_colleague):
    theirs = MemberFactory.create(cell=other_cell, user__username="othersm")
    RoleAssignmentFactory.create(member=theirs, role=Role.objects.get(slug="sprint-manager"), cell=other_cell)
    client.force_login(theirs.user)
    seen = _absence_surfaces(client, sick_colleague)
    assert "Flu" not in seen and "Sick leave" not in seen


def test_a_backup_acts_while_the_holder_is_off(client, cell, sprint_manager, core_member, sick_colleague):
    from roles.access import role_cells

    assignment = sprint_manager.assignments.get()
    assignment.backup = core_member
    assignment.save()
    assert role_cells(core_member.user, {"sprint-manager"}) == frozenset()
    TimeOffFactory.create(member=sprint_manager, start=TODAY, end=TODAY, note="")
    core_member.user.__dict__.pop("_ops_acting", None)
    assert role_cells(core_member.user, {"sprint-manager"}) == frozenset({cell.pk})
    client.force_login(core_member.user)
    assert "Flu, back Thursday" in client.get(f"/org/members/{sick_colleague.pk}/").content.decode()


# --- Refusal pages -----------------------------------------------------------------


@pytest.fixture
def debug_off(settings: Any) -> None:
    settings.DEBUG = False


def test_403_page_has_the_menu_and_says_why(client, debug_off, core_member, outsider):
    client.force_login(outsider.user)
    response = client.get(f"/org/members/{core_member.pk}/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="topbar"' in html and 'href="/org/directory/"' in html
    assert "Not yours to open" in html and "You can only see the members of your own cell." in html
    assert "sprint manager" in html  # who to ask


def test_404_page_has_the_menu(client, debug_off, core_member):
    client.force_login(core_member.user)
    response = client.get("/org/members/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="topbar"' in html and "Not found" in html and "tell staff" in html


def test_500_page_has_the_menu(core_member, debug_off):
    request = RequestFactory().get("/")
    request.user = core_member.user
    request.session = {}  # type: ignore[assignment]
    response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert 'class="topbar"' in html and "Something broke on our side" in html and "tell staff" in html


def test_csrf_failure_page(debug_off, core_member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(core_member.user)
    response = client.post("/logout/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html and 'class="topbar"' in html and "nothing changed" in html


# --- Pages and API, persona by persona ------------------------------------------------

# persona -> (member page in the cell, time off of the cell by URL, change it through the API)
PERSONA_ACCESS = {
    "core_member": (200, 200, 403),
    "newcomer": (200, 200, 403),
    "sprint_manager": (200, 200, 200),
    "epsm": (200, 200, 200),
    "outsider": (403, 404, 404),
    "no_cell": (403, 404, 404),
    "leaver": (302, 401, 401),  # the session of a leaver is anonymous to the API
    "staff_user": (200, 200, 200),
}


@pytest.mark.parametrize("persona", list(PERSONA_ACCESS))
def test_pages_and_api_per_persona(request, persona, cell, sick_colleague):
    if persona == "no_cell":
        user = MemberFactory.create(cell=None, user__username="nocell").user
    elif persona == "leaver":
        user = MemberFactory.create(cell=cell, user__username="gone", left_on=TODAY).user
    else:
        fixture = request.getfixturevalue(persona)
        user = getattr(fixture, "user", fixture)
    client = Client()
    client.force_login(user)
    time_off = sick_colleague.time_off.get()
    page, read, change = PERSONA_ACCESS[persona]
    assert client.get(f"/org/members/{sick_colleague.pk}/").status_code == page
    assert client.get(f"/api/time-off/{time_off.pk}/").status_code == read
    answer = client.patch(
        f"/api/time-off/{time_off.pk}/", {"note": "changed"}, content_type="application/json"
    )
    assert answer.status_code == change
    time_off.refresh_from_db()
    assert (time_off.note == "changed") == (change == 200)


def test_sprint_manager_cannot_record_time_off_in_another_cell(client, sprint_manager, outsider):
    client.force_login(sprint_manager.user)
    data = {"member": outsider.pk, "kind": "vacation", "start": str(TODAY), "end": str(TODAY)}
    assert client.post("/api/time-off/", data, content_type="application/json").status_code == 403
    assert not outsider.time_off.exists()


def test_only_a_digest_of_the_token_is_stored_and_each_sign_in_replaces_it(client, core_member):
    first = _token(client, "core").json()["token"]
    stored = Token.objects.get(user=core_member.user)
    assert stored.key != first and stored.key == token_digest(first) and len(first) == 40
    second = _token(Client(), "core").json()["token"]
    assert second != first and Token.objects.filter(user=core_member.user).count() == 1
    assert Client().get("/api/cells/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert Client().get("/api/cells/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 200
    # The stored digest is no credential.
    assert Client().get("/api/cells/", HTTP_AUTHORIZATION=f"Token {stored.key}").status_code == 401
