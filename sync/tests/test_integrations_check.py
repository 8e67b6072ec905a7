"""``manage.py integrations_check`` and /sync/check/ against the fake JIRA and Tempo: what the
sync will read, and each problem named with its fix."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from opencraft_ops.integrations.fakes import FakeJiraServer
from opencraft_ops.integrations.fakes.data import FIELD_ACCOUNT, FIELD_REVIEWER, FIELD_SPRINT
from roles.tests.factories import CellFactory
from sustainability.models import Account
from sync.models import SyncRun

PASSWORD = "correct-horse-battery"


def check(*args: str) -> tuple[str, str]:
    """The command's output, and its error line ("" when it exited 0)."""
    out = StringIO()
    try:
        call_command("integrations_check", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), ""


@pytest.fixture
def connected(org, upstream, fake_jira, fake_tempo):
    fake_jira.app.team_managed.add("FAL")
    fake_jira.app.time_zone = "America/New_York"
    return fake_jira


def test_prints_what_the_sync_will_do(connected):
    out, error = check()
    assert error == "" and "No problem found." in out, out
    # The user and the zone JQL dates are written in.
    assert "user: Sync bot (account id bot)" in out
    assert "time zone: America/New_York (JQL dates are written in it)" in out
    # Each cell's board and its project.
    assert "cell Bebop: board 1 'Bebop' (scrum) -> project BB" in out
    assert "cell Falcon: board 2 'Falcon' (scrum) -> project FAL" in out
    # The fields with their ids, and what the sampled issues hold.
    assert (
        "story points: Story point estimate (customfield_10026, team-managed story point estimate), "
        "then Story Points (customfield_10016, classic story points) [the first with a value]"
    ) in out
    assert f"sprint: Sprint ({FIELD_SPRINT})" in out and f"reviewer: Reviewer ({FIELD_REVIEWER})" in out
    assert f"account: Account ({FIELD_ACCOUNT})" in out
    assert "have points in Story point estimate (customfield_10026)" in out
    # The statuses and how they map.
    assert "Code Review (indeterminate" in out and "tickets -> Code Review (by name)" in out
    assert "tickets -> In Progress (by category), epics -> in_development (by name)" in out
    # Tempo accounts and the cells they go to.
    assert "BB-CLIENT1" in out and "Client -> cell Bebop" in out
    assert "CR 'Community Relations': Internal (non-cell) -> no cell" in out
    # Nothing written.
    assert not SyncRun.objects.exists() and not Account.objects.exists()


def test_the_page_shows_the_same_for_staff(connected, client, staff_user, core_member):
    client.login(username="core", password=PASSWORD)
    assert client.get(reverse("sync:check")).status_code == 403
    client.force_login(staff_user)
    response = client.get(reverse("sync:check"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "no problem found" in page and "cell Bebop: board 1" in page and "Story point estimate" in page
    assert client.post(reverse("sync:check")).status_code == 405
    assert reverse("sync:check") in client.get("/sync/").content.decode()


def test_the_page_needs_a_login(client, db):
    response = client.get(reverse("sync:check"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_nothing_configured(db, settings):
    settings.JIRA_BASE_URL = ""
    settings.TEMPO_BASE_URL = ""
    out, error = check()
    assert error == "2 error(s), 0 warning(s)."
    assert "ERROR: JIRA_BASE_URL is not set: the JIRA sync is off." in out
    assert "fix: set JIRA_BASE_URL, JIRA_USER and JIRA_API_TOKEN" in out
    assert "ERROR: TEMPO_BASE_URL or TEMPO_API_TOKEN is not set" in out


def test_wrong_tokens(connected, settings):
    settings.JIRA_API_TOKEN = "wrong"
    settings.TEMPO_API_TOKEN = "wrong"
    out, error = check()
    assert error.startswith("2 error(s)")
    assert "ERROR: JIRA refused the credentials (401)" in out
    assert "fix: check JIRA_USER (the bot's e-mail) and JIRA_API_TOKEN" in out
    assert "ERROR: Tempo refused the credentials (401)" in out
    assert "fix: check TEMPO_API_TOKEN (it must read accounts and worklogs)" in out


def test_unreachable_jira(org, fake_tempo, settings):
    server = FakeJiraServer.start()
    server.stop()
    settings.JIRA_BASE_URL = server.url
    settings.HTTP_MAX_RETRY_DELAY_SECONDS = 1
    out, error = check()
    assert error
    assert "is unreachable" in out and "fix: check JIRA_BASE_URL and that this machine can reach it" in out


@pytest.mark.parametrize(
    ("zone", "line", "problem"),
    [
        ("", "time zone: none in the profile", "WARNING: The JIRA user's profile names no time zone."),
        (
            "Mars/Olympus",
            "time zone: Mars/Olympus (unknown here",
            "ERROR: The JIRA user's time zone 'Mars/Olympus'",
        ),
    ],
)
def test_time_zone_problems(connected, zone, line, problem):
    connected.app.time_zone = zone
    out, _ = check()
    assert line in out and problem in out


def test_board_problems(connected, org):
    org["falcon"].jira_board_id = 99
    org["falcon"].save()
    org["bebop"].jira_project_key = "BEB"
    org["bebop"].save()
    out, error = check()
    assert error
    assert "ERROR: Cell Falcon: board 99 is not in JIRA (or the user cannot see it)." in out
    assert "WARNING: Cell Bebop: its project key BEB is not its board's project BB" in out
    assert "fix: set Cell.jira_project_key to BB" in out
    assert "boards of no cell: 2 'Falcon' (FAL)" in out


def test_no_cell_with_a_board(fake_jira, fake_tempo, db):
    CellFactory(name="Lonely", slug="lonely")
    out, error = check()
    assert error.endswith("warning(s).")  # non-zero exit: an error was found
    assert "ERROR: No cell has a JIRA board: the JIRA sync has nothing to read." in out


def test_a_field_setting_naming_no_field(connected, settings):
    settings.JIRA_FIELD_STORY_POINTS = "Story Pointz"
    out, error = check()
    assert error.endswith("warning(s).")  # non-zero exit: an error was found
    assert "ERROR: JIRA_FIELD_STORY_POINTS='Story Pointz' names no JIRA field" in out
    assert "story points field on the site: Story point estimate (customfield_10026" in out
    assert "story points field on the site: Story Points (customfield_10016, classic story points)" in out


def test_a_pinned_field_empty_where_the_other_has_points(connected, settings):
    settings.JIRA_FIELD_STORY_POINTS = "customfield_10016"
    out, error = check()
    assert error.endswith("warning(s).")  # non-zero exit: an error was found
    assert "[pinned by JIRA_FIELD_STORY_POINTS]" in out
    assert (
        "ERROR: The pinned story points field Story Points (customfield_10016) is empty on "
    ) in out and "that have points in Story point estimate (customfield_10026)" in out


def test_missing_fields(connected):
    connected.app.fields = [
        f
        for f in connected.app.fields
        if f["name"] not in {"Story Points", "Story point estimate", "Sprint", "Reviewer", "Account"}
    ]
    out, error = check()
    assert error.endswith("warning(s).")  # non-zero exit: an error was found
    assert "ERROR: No story points field: every ticket would be unestimated." in out
    assert "ERROR: No sprint field: tickets would belong to no sprint." in out
    assert "WARNING: No reviewer field (a user picker named Reviewer): no ticket is ever green." in out
    assert "WARNING: No Tempo account field: tickets take no account." in out
    assert "epic link: Epic Link (customfield_10014)" in out


def test_no_sampled_ticket_has_points(connected):
    for record in connected.app.issues.values():
        record["story_points"] = None
    out, _ = check()
    assert "WARNING: None of the sampled tickets has story points." in out


def test_an_unknown_status_in_use(connected, upstream):
    connected.app.statuses["Peer Review"] = "indeterminate"
    key = next(r for r in upstream.issues if r["issuetype"] != "Epic")["key"]
    connected.app.update_issue(key, status="Peer Review")
    out, _ = check()
    assert "Peer Review (indeterminate, 1 sampled issue(s)): tickets -> In Progress (by category)" in out
    assert "WARNING: JIRA status 'Peer Review' is not a portal status" in out


def test_tempo_account_problems(connected, fake_tempo, settings):
    settings.TEMPO_ACCOUNT_CATEGORIES = {"CLIENT": "client", "CELL": "internal_cell"}
    account = next(a for a in fake_tempo.app.accounts if a["key"] == "BB-INTERNAL")
    account["key"] = "NOCELL-INTERNAL"
    out, error = check()
    assert error.endswith("warning(s).")  # non-zero exit: an error was found
    assert "ERROR: 3 account(s) of Tempo category 'NONCELL' are not mapped: they are left out." in out
    assert "fix: add NONCELL=client|internal_non_cell|internal_cell to TEMPO_ACCOUNT_CATEGORIES" in out
    assert "WARNING: Cell-internal account NOCELL-INTERNAL goes to no cell." in out


def test_sample_out_of_range(db):
    with pytest.raises(CommandError, match="--sample must be between 1 and 100"):
        call_command("integrations_check", "--sample", "0")
