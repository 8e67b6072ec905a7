"""`manage.py sync_jira`: full, incremental and an `updated` range, against the fake JIRA."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sprints.models import Ticket
from sync.models import SyncCursor, SyncMode, SyncOutcome, SyncRun
from sync.services.jira import ISSUE_CURSOR


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("sync_jira", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_range_reads_only_that_window_and_keeps_the_watermark(org, upstream, fake_jira, settings):
    settings.TIME_ZONE = "UTC"  # bare dates and times are the portal's
    run("--no-progress")
    mark = SyncCursor.objects.get(name=ISSUE_CURSOR).value
    app = fake_jira.app
    app.clock = lambda: datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    app.update_issue("BB-10", summary="Edited on the 26th")
    app.clock = lambda: datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    app.update_issue("BB-11", summary="Edited on the 28th")
    app.delete_issue("BB-12")
    out, err = run("--from", "2026-11-26", "--to", "2026-11-26")
    assert "JIRA date range sync: success" in out and "updated 1, deleted 0" in out
    assert "issues" in err  # the progress bar
    assert Ticket.objects.get(key="BB-10").summary == "Edited on the 26th"
    assert Ticket.objects.get(key="BB-11").summary != "Edited on the 28th"
    assert Ticket.objects.filter(key="BB-12").exists()  # a range deletes nothing
    assert SyncCursor.objects.get(name=ISSUE_CURSOR).value == mark
    # times, with an offset or in the portal's zone; --to is exclusive
    out, _ = run("--from", "2026-11-28T09:00", "--to", "2026-11-28T10:00+00:00", "--no-progress")
    assert "updated 0" in out
    out, _ = run("--from", "2026-11-28T09:00", "--to", "2026-11-28T11:00+00:00", "--no-progress")
    assert "updated 1" in out and Ticket.objects.get(key="BB-11").summary == "Edited on the 28th"
    out, _ = run("--full", "--no-progress")
    assert "JIRA full sync: success" in out and "deleted 1" in out
    assert list(SyncRun.objects.order_by("started").values_list("mode", flat=True)) == [
        SyncMode.INCREMENTAL,
        SyncMode.RANGE,
        SyncMode.RANGE,
        SyncMode.RANGE,
        SyncMode.FULL,
    ]
    assert set(SyncRun.objects.values_list("outcome", flat=True)) == {SyncOutcome.SUCCESS}


def test_range_from_only_reads_up_to_now(org, upstream, fake_jira):
    run("--no-progress")
    fake_jira.app.update_issue("FAL-6", summary="Edited now")
    out, _ = run("--from", "2026-11-30", "--no-progress")
    assert "updated 1" in out and Ticket.objects.get(key="FAL-6").summary == "Edited now"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "yesterday"], "--from 'yesterday' is not a date or time"),
        (["--to", "2026-13-01"], "--to '2026-13-01' is not a date or time"),
        (["--from", "2026-11-20", "--to", "2026-11-19"], "--to must be after --from"),
        (["--from", "2026-11-20T10:00", "--to", "2026-11-20T10:00"], "--to must be after --from"),
        (["--full", "--from", "2026-11-01"], "--full reads every issue and cannot be combined"),
        (["--full", "--to", "2026-11-01"], "--full reads every issue and cannot be combined"),
        (["--from", "2999-01-01"], "--from 2999-01-01 is in the future"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(db, fake_jira, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not SyncRun.objects.exists()
    assert sum(fake_jira.server.requests.values()) == 0


@pytest.mark.parametrize(
    ("boards", "lines"),
    [
        (False, ["No cell has a JIRA board: set Cell.jira_board_id"]),
        (
            True,
            [
                "left out board 1: board of Bebop not found in JIRA",
                "left out board 2: board of Falcon not found in JIRA",
                "No cell's JIRA board gave a project to sync",
            ],
        ),
    ],
    ids=["no cell with a board", "boards JIRA does not have"],
)
def test_nothing_to_sync_is_reported_as_skipped(request, db, fake_jira, boards, lines):
    if boards:
        request.getfixturevalue("org")  # cells on boards 1 and 2; the fake JIRA has no board
    out, _ = run("--no-progress")
    assert "JIRA incremental sync: skipped, nothing to sync in " in out
    assert all(line in out for line in lines), out
    assert SyncRun.objects.get().outcome == SyncOutcome.SKIPPED
