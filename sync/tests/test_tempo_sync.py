"""Tempo sync end to end: the real Tempo client against the fake Tempo on loopback, into PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opencraft_ops.integrations.http import AuthError
from opencraft_ops.integrations.tempo import TempoClient
from sustainability.models import Account, Worklog
from sync.models import SyncCursor, SyncMode, SyncOutcome, SyncRun
from sync.services import SyncBusy, accounts_sync, jira_sync, source_lock, worklogs_reconcile, worklogs_sync
from sync.services.tempo import WORKLOG_CURSOR
from sync.tests.conftest import GHOST, TODAY


def upstream_rows(fake_tempo):
    return sorted((w.id, w.seconds, w.description, w.account_key) for w in fake_tempo.app.worklogs.values())


def local_rows():
    return sorted(Worklog.objects.values_list("tempo_id", "seconds", "description", "account_key"))


@pytest.fixture
def synced(org, upstream, tempo, jira, fake_tempo):
    accounts_sync(client=tempo)
    jira_sync(client=jira)
    run = worklogs_sync(client=tempo)
    return run


def test_first_full_sync(org, upstream, tempo, jira, fake_tempo):
    accounts = accounts_sync(client=tempo)
    assert accounts.outcome == SyncOutcome.SUCCESS and accounts.created == len(upstream.accounts) == 9
    assert Account.objects.get(key="CR").category == "internal_non_cell"
    assert Account.objects.get(key="BB-INTERNAL").cell == org["bebop"]
    assert Account.objects.get(key="FAL-CLIENT1").billable
    run = worklogs_sync(client=tempo)
    total = len(fake_tempo.app.worklogs)
    assert (run.outcome, run.mode, run.fetched, run.created, run.updated, run.deleted) == (
        SyncOutcome.SUCCESS,
        SyncMode.INCREMENTAL,
        total,
        total,
        0,
        0,
    )
    assert local_rows() == upstream_rows(fake_tempo)
    assert run.finished is not None and fake_tempo.server.requests["GET /4/worklogs"] == -(-total // 50)
    # Members mapped by JIRA account id; the unknown author is kept and reported.
    ghost_count = sum(1 for w in fake_tempo.app.worklogs.values() if w.author == GHOST)
    assert ghost_count and run.unknown_authors == {GHOST: ghost_count}
    assert Worklog.objects.filter(member=None).count() == ghost_count
    assert set(Worklog.objects.filter(member=None).values_list("author_account_id", flat=True)) == {GHOST}
    assert "match no member" in run.message
    assert not Worklog.objects.filter(account=None).exclude(account_key="").exists()
    # No ticket yet: worklogs keep the issue id, and link when the JIRA sync brings the issues.
    assert not Worklog.objects.exclude(ticket=None).exists()
    jira_sync(client=jira)
    assert not Worklog.objects.filter(ticket=None).exists()
    assert SyncCursor.objects.get(name=WORKLOG_CURSOR).value is not None


def test_incremental_after_edits_creations_and_deletions(synced, tempo, fake_tempo, org):
    from sprints.models import Ticket

    app = fake_tempo.app
    ticket = Ticket.objects.order_by("key").first()
    assert ticket is not None and ticket.jira_id is not None
    ids = sorted(app.worklogs)
    for wid in ids[:3]:
        app.update_worklog(wid, seconds=7200, description="re-logged")
    new = [
        app.add_worklog(
            issue_id=int(ticket.jira_id), author="acc-1", seconds=1800, start_date=TODAY - timedelta(days=d)
        )
        for d in (1, 40)
    ]
    for wid in ids[10:12]:
        app.delete_worklog(wid)
    run = worklogs_sync(client=tempo)
    assert (run.outcome, run.created, run.updated, run.deleted) == (SyncOutcome.SUCCESS, 2, 3, 2)
    assert local_rows() == upstream_rows(fake_tempo)
    assert Worklog.objects.get(tempo_id=new[0].id).member == org["members"]["acc-1"]
    assert Worklog.objects.get(tempo_id=new[0].id).ticket == ticket


def test_rerun_changes_nothing(synced, tempo, fake_tempo):
    before = local_rows()
    cursor = SyncCursor.objects.get(name=WORKLOG_CURSOR).value
    run = worklogs_sync(client=tempo)
    assert (run.outcome, run.created, run.updated, run.deleted, run.skipped, run.errors) == (
        SyncOutcome.SUCCESS,
        0,
        0,
        0,
        0,
        0,
    )
    assert local_rows() == before
    assert SyncCursor.objects.get(name=WORKLOG_CURSOR).value == cursor
    # Only the overlap window is fetched again, not the history.
    assert run.fetched < len(fake_tempo.app.worklogs)


def test_full_resync_rewrites_nothing(synced, tempo, fake_tempo):
    run = worklogs_sync(client=tempo, full=True)
    assert (run.mode, run.fetched, run.created, run.updated) == (
        SyncMode.FULL,
        len(fake_tempo.app.worklogs),
        0,
        0,
    )


def test_date_range(org, upstream, tempo, fake_tempo):
    day = TODAY - timedelta(days=3)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    run = worklogs_sync(client=tempo, date_from=day, date_to=day)
    expected = sorted(w.id for w in fake_tempo.app.worklogs.values() if w.start_date == day)
    assert run.mode == SyncMode.RANGE and expected
    assert sorted(Worklog.objects.values_list("tempo_id", flat=True), key=lambda v: v or 0) == expected
    assert not SyncCursor.objects.filter(name=WORKLOG_CURSOR, value__isnull=False).exists()


def test_malformed_record_is_skipped_counted_and_named(org, upstream, tempo, fake_tempo):
    victim = sorted(fake_tempo.app.worklogs)[7]
    fake_tempo.app.corrupt_worklog(victim, startDate="2026-02-30")
    run = worklogs_sync(client=tempo)
    assert (run.outcome, run.skipped, run.errors) == (SyncOutcome.PARTIAL, 1, 0)
    assert run.skipped_records == [
        {"remote_id": str(victim), "reason": "worklog: startDate is not a date: '2026-02-30'"}
    ]
    assert Worklog.objects.count() == len(fake_tempo.app.worklogs) - 1
    assert not Worklog.objects.filter(tempo_id=victim).exists()


def test_worklog_of_unknown_issue_is_kept_then_linked(org, upstream, tempo, jira, fake_tempo, fake_jira):
    orphan = fake_tempo.app.add_worklog(
        issue_id=777777, author="acc-2", seconds=3600, start_date=TODAY - timedelta(days=2)
    )
    worklogs_sync(client=tempo)
    jira_sync(client=jira)
    stored = Worklog.objects.get(tempo_id=orphan.id)
    assert (stored.ticket, stored.jira_issue_id) == (None, "777777")
    fake_jira.app.add_issue(project="BB", summary="Late arrival", id=777777)
    jira_sync(client=jira)
    stored.refresh_from_db()
    assert stored.ticket is not None and stored.ticket.summary == "Late arrival"


def test_unknown_author_links_once_the_member_has_the_account(synced, tempo, org):
    from roles.tests.factories import MemberFactory

    MemberFactory(cell=org["bebop"], jira_account_id=GHOST)
    worklogs_sync(client=tempo)
    assert not Worklog.objects.filter(member=None).exists()


def test_401_fails_fast_naming_the_setting(org, upstream, fake_tempo, sleeps):
    client = TempoClient(base_url=fake_tempo.url, token="expired", sleep=sleeps)
    with pytest.raises(AuthError, match="TEMPO_API_TOKEN"):
        worklogs_sync(client=client)
    run = SyncRun.objects.get()
    assert run.outcome == SyncOutcome.FAILED and "TEMPO_API_TOKEN" in run.message
    assert sleeps == [] and fake_tempo.server.requests["GET /4/worklogs"] == 1
    assert not Worklog.objects.exists()


def test_one_run_per_source(org, upstream, tempo):
    with source_lock("tempo"), pytest.raises(SyncBusy):
        worklogs_sync(client=tempo)
    assert not SyncRun.objects.exists()
    assert worklogs_sync(client=tempo).outcome == SyncOutcome.SUCCESS  # released


def test_reconciliation_repairs_what_the_feeds_missed(synced, tempo, fake_tempo):
    app = fake_tempo.app
    ids = sorted(app.worklogs, key=lambda i: app.worklogs[i].start_date)
    recent = [i for i in ids if app.worklogs[i].start_date >= TODAY - timedelta(days=10)]
    # Deleted upstream without a papertrail entry, and edited without a new updatedAt.
    with app._lock:
        del app.worklogs[recent[0]]
        app.worklogs[recent[1]] = app.worklogs[recent[1]].__class__(
            **{
                **{
                    f: getattr(app.worklogs[recent[1]], f)
                    for f in app.worklogs[recent[1]].__dataclass_fields__
                },
                "seconds": 60,
                "updated": datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
            }
        )
        app._touch()
    assert local_rows() != upstream_rows(fake_tempo)
    run = worklogs_reconcile(client=tempo, today=TODAY)
    assert (run.mode, run.deleted, run.updated, run.created) == (SyncMode.RECONCILE, 1, 1, 0)
    assert local_rows() == upstream_rows(fake_tempo)


def test_reconciliation_keeps_unreadable_records(synced, tempo, fake_tempo):
    victim = max(fake_tempo.app.worklogs)
    fake_tempo.app.corrupt_worklog(victim, timeSpentSeconds=None)
    run = worklogs_reconcile(client=tempo, today=TODAY)
    assert run.deleted == 0 and run.skipped == 1
    assert Worklog.objects.filter(tempo_id=victim).exists()


def _recent_ids(app, days: int = 10) -> list[int]:
    return sorted(i for i, w in app.worklogs.items() if w.start_date >= TODAY - timedelta(days=days))


def _vanish(app, worklog_id: int) -> None:
    """Gone from Tempo without a papertrail entry (what the reconciliation exists for)."""
    with app._lock:
        del app.worklogs[worklog_id]
        app._touch()


def test_reconciliation_keeps_every_unreadable_record_beyond_the_listed_ones(
    synced, tempo, fake_tempo, settings
):
    settings.SYNC_MAX_STORED_SKIPS = 5
    app = fake_tempo.app
    recent = _recent_ids(app)
    unreadable, vanished = recent[:8], recent[-1]
    for wid in unreadable:
        app.corrupt_worklog(wid, timeSpentSeconds=None)
    _vanish(app, vanished)
    run = worklogs_reconcile(client=tempo, today=TODAY)
    assert (run.outcome, run.skipped, len(run.skipped_records)) == (SyncOutcome.PARTIAL, 8, 5)
    # All eight are still in Tempo: none is deleted here, though only five are listed on the run.
    assert Worklog.objects.filter(tempo_id__in=unreadable).count() == 8
    assert run.deleted == 1 and not Worklog.objects.filter(tempo_id=vanished).exists()


def test_reconciliation_deletes_nothing_when_a_page_was_not_read_completely(synced, tempo, fake_tempo):
    app = fake_tempo.app
    recent = _recent_ids(app)
    nameless, vanished = recent[0], recent[-1]
    app.corrupt_worklog(nameless, tempoWorklogId=None)
    _vanish(app, vanished)
    run = worklogs_reconcile(client=tempo, today=TODAY)
    assert (run.outcome, run.deleted, run.skipped) == (SyncOutcome.PARTIAL, 0, 1)
    assert run.skipped_records[0]["remote_id"] == "?"
    assert (
        "Deletions held back: the page at offset" in run.message
        and "without a readable tempoWorklogId" in run.message
    )
    assert Worklog.objects.filter(tempo_id__in=[nameless, vanished]).count() == 2
    # Once Tempo answers whole pages again, the next reconciliation repairs the drift.
    app.corrupted.clear()
    app._touch()
    again = worklogs_reconcile(client=tempo, today=TODAY)
    assert (again.outcome, again.deleted) == (SyncOutcome.SUCCESS, 1)
    assert local_rows() == upstream_rows(fake_tempo)


def test_unreadable_papertrail_entry_is_skipped_counted_and_named(synced, tempo, fake_tempo):
    app = fake_tempo.app
    readable, unreadable = sorted(app.worklogs)[:2]
    app.delete_worklog(readable)
    app.delete_worklog(unreadable)
    app.corrupt_deletion(unreadable, timestamp=12)
    run = worklogs_sync(client=tempo)
    assert (run.outcome, run.deleted, run.skipped) == (SyncOutcome.PARTIAL, 1, 1)
    assert run.skipped_records == [
        {"remote_id": str(unreadable), "reason": "papertrail: timestamp: not a timestamp: 12"}
    ]
    assert not Worklog.objects.filter(tempo_id=readable).exists()
    # It deleted nothing; the reconciliation removes it, as Tempo no longer has it.
    assert Worklog.objects.filter(tempo_id=unreadable).exists()
    work_date = Worklog.objects.get(tempo_id=unreadable).work_date
    worklogs_reconcile(client=tempo, today=TODAY, days=(TODAY - work_date).days)
    assert local_rows() == upstream_rows(fake_tempo)


def test_date_range_sync_applies_no_deletions(synced, tempo, fake_tempo):
    app = fake_tempo.app
    wid = sorted(app.worklogs)[0]
    day = app.worklogs[wid].start_date
    app.delete_worklog(wid)
    run = worklogs_sync(client=tempo, date_from=day, date_to=day)
    assert (run.mode, run.deleted) == (SyncMode.RANGE, 0)
    assert Worklog.objects.filter(tempo_id=wid).exists()
    with pytest.raises(ValueError, match="takes no date range"):
        worklogs_sync(client=tempo, full=True, date_from=day)


def test_unmapped_account_category_is_skipped_naming_the_setting(org, upstream, tempo, fake_tempo, settings):
    settings.TEMPO_ACCOUNT_CATEGORIES = {"CLIENT": "client", "CELL": "internal_cell"}
    run = accounts_sync(client=tempo)
    assert run.outcome == SyncOutcome.PARTIAL and run.skipped == 3
    assert all("TEMPO_ACCOUNT_CATEGORIES" in r["reason"] for r in run.skipped_records)
    assert not Account.objects.filter(key="CR").exists()


def test_account_created_in_the_portal_first_is_adopted(org, upstream, tempo):
    Account.objects.create(key="CR", name="Community", category="internal_non_cell")
    run = accounts_sync(client=tempo)
    assert (run.created, run.updated) == (8, 1)
    assert Account.objects.get(key="CR").tempo_id is not None
    assert accounts_sync(client=tempo).updated == 0


def test_deletions_only_from_the_papertrail(synced, tempo, fake_tempo):
    wid = sorted(fake_tempo.app.worklogs)[0]
    fake_tempo.app.delete_worklog(wid)
    run = worklogs_sync(client=tempo)
    assert run.deleted == 1 and not Worklog.objects.filter(tempo_id=wid).exists()
    assert worklogs_sync(client=tempo).deleted == 0


def test_descriptions_with_tabs_newlines_and_backslashes_round_trip(org, upstream, tempo, fake_tempo):
    text = "Fix\tthe\\build\nthen deploy\r\n\\N is not null"
    wl = fake_tempo.app.add_worklog(
        issue_id=1, author="acc-1", seconds=60, start_date=TODAY, description=text
    )
    worklogs_sync(client=tempo)
    assert Worklog.objects.get(tempo_id=wl.id).description == text


def test_cell_set_by_hand_survives_syncs_and_reruns_change_nothing(org, upstream, tempo, staff_user):
    from rest_framework.test import APIClient

    from conftest import PASSWORD

    accounts_sync(client=tempo)
    account = Account.objects.get(key="BB-INTERNAL")
    assert account.cell == org["bebop"] and not account.cell_set_by_hand
    client = APIClient()
    client.login(username="staff", password=PASSWORD)
    response = client.patch(f"/api/sustainability/accounts/{account.pk}/", {"cell": "falcon"}, format="json")
    assert response.status_code == 200 and response.json()["cell_set_by_hand"] is True
    runs = [accounts_sync(client=tempo), accounts_sync(client=tempo)]
    account.refresh_from_db()
    assert account.cell == org["falcon"] and account.cell_set_by_hand
    for run in runs:
        assert (run.outcome, run.created, run.updated, run.deleted) == (SyncOutcome.SUCCESS, 0, 0, 0)
    # Handing the cell back to the sync: the next run derives it from the key again.
    response = client.patch(
        f"/api/sustainability/accounts/{account.pk}/", {"cell_set_by_hand": False}, format="json"
    )
    assert response.status_code == 200
    assert accounts_sync(client=tempo).updated == 1
    account.refresh_from_db()
    assert account.cell == org["bebop"]
