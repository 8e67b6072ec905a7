"""The Tempo client against the fake Tempo: paging, filters, bad records, deletions, accounts, schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from opencraft_ops.integrations.config import tempo_client
from opencraft_ops.integrations.fakes import Fault
from opencraft_ops.integrations.http import AuthError, NotConfigured
from opencraft_ops.integrations.tempo import DeletionPage, SkippedRecord, TempoClient, parse_worklog


def client(server, sleeps) -> TempoClient:
    return TempoClient(base_url=server.url, token=server.app.token, sleep=sleeps)


def test_pages_follow_metadata_next_in_the_default_order(loaded_tempo, sleeps):
    pages = list(client(loaded_tempo, sleeps).worklog_pages(limit=50))
    total = len(loaded_tempo.app.worklogs)
    assert total > 100
    assert [p.fetched for p in pages[:-1]] == [50] * (len(pages) - 1)
    assert pages[-1].next_url is None and all(p.next_url for p in pages[:-1])
    ids = [w.tempo_id for p in pages for w in p.worklogs]
    assert sorted(ids) == sorted(loaded_tempo.app.worklogs) and len(ids) == len(set(ids))
    keys = [(w.start_date, w.start_time, w.tempo_id) for p in pages for w in p.worklogs]
    assert keys == sorted(keys)
    # Every page after the first came from the `next` URL, which keeps the limit.
    assert loaded_tempo.server.requests["GET /4/worklogs"] == len(pages)


def test_updated_from_and_date_range(loaded_tempo, sleeps):
    app = loaded_tempo.app
    some = sorted(app.worklogs)[:3]
    for wid in some:
        app.update_worklog(wid, description="edited")
    since = datetime.now(UTC) - timedelta(minutes=1)
    changed = [w for p in client(loaded_tempo, sleeps).worklog_pages(updated_from=since) for w in p.worklogs]
    assert sorted(w.tempo_id for w in changed) == some
    assert {w.description for w in changed} == {"edited"}
    day = next(iter(app.worklogs.values())).start_date
    in_day = [
        w for p in client(loaded_tempo, sleeps).worklog_pages(date_from=day, date_to=day) for w in p.worklogs
    ]
    assert in_day and {w.start_date for w in in_day} == {day}
    assert len(in_day) == sum(1 for w in app.worklogs.values() if w.start_date == day)


def test_worklog_fields(loaded_tempo, sleeps):
    app = loaded_tempo.app
    wl = app.add_worklog(
        issue_id=10003,
        author="acc-1",
        seconds=5400,
        billable=3600,
        start_date=date(2026, 11, 20),
        description="Pairing",
        account_key="BB-CLIENT1",
    )
    got = next(
        w for p in client(loaded_tempo, sleeps).worklog_pages() for w in p.worklogs if w.tempo_id == wl.id
    )
    assert (got.issue_id, got.author_account_id, got.seconds, got.billable_seconds) == (
        "10003",
        "acc-1",
        5400,
        3600,
    )
    assert (got.start_date, got.description, got.account_key) == (date(2026, 11, 20), "Pairing", "BB-CLIENT1")
    assert got.updated_at.tzinfo is not None


def test_malformed_record_is_skipped_with_its_reason(loaded_tempo, sleeps):
    victim = sorted(loaded_tempo.app.worklogs)[5]
    loaded_tempo.app.corrupt_worklog(victim, timeSpentSeconds="lots")
    pages = list(client(loaded_tempo, sleeps).worklog_pages())
    skipped = [s for p in pages for s in p.skipped]
    assert [(s.remote_id, s.reason) for s in skipped] == [
        (str(victim), "worklog: timeSpentSeconds is not a whole number: 'lots'")
    ]
    assert sum(len(p.worklogs) for p in pages) == len(loaded_tempo.app.worklogs) - 1


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"tempoWorklogId": None}, "tempoWorklogId is not a whole number"),
        ({"issue": {}}, "issue.id is missing"),
        ({"author": None}, "author.accountId is missing"),
        ({"timeSpentSeconds": -5}, "timeSpentSeconds is negative"),
        ({"startDate": "yesterday"}, "startDate is not a date"),
        ({"updatedAt": "later"}, "createdAt/updatedAt"),
        ({"startTime": "25:99"}, "startTime is not a time"),
    ],
)
def test_parse_worklog_names_the_bad_field(override, reason):
    raw = {
        "tempoWorklogId": 1,
        "issue": {"id": 5},
        "author": {"accountId": "a"},
        "timeSpentSeconds": 60,
        "startDate": "2026-01-01",
        "startTime": "09:00:00",
        "createdAt": "2026-01-01T10:00:00Z",
        "updatedAt": "2026-01-01T10:00:00Z",
    }
    parse_worklog(raw)  # the base record is valid
    with pytest.raises(ValueError, match=reason):
        parse_worklog({**raw, **override})


def test_billable_defaults_to_time_spent_when_absent():
    raw = {
        "tempoWorklogId": 1,
        "issue": {"id": 5},
        "author": {"accountId": "a"},
        "timeSpentSeconds": 60,
        "startDate": "2026-01-01",
        "createdAt": "2026-01-01T10:00:00Z",
        "updatedAt": "2026-01-01T10:00:00Z",
    }
    assert parse_worklog(raw).billable_seconds == 60


def test_deletions_from_the_papertrail_paged(loaded_tempo, sleeps):
    app = loaded_tempo.app
    before = datetime.now(UTC) - timedelta(seconds=5)
    victims = sorted(app.worklogs)[:105]
    for wid in victims:
        app.delete_worklog(wid)
    pages = list(client(loaded_tempo, sleeps).deleted_worklogs(since=before, limit=50))
    assert [len(p.deletions) for p in pages] == [50, 50, 5]
    assert sorted(d.tempo_id for p in pages for d in p.deletions) == victims
    assert not any(p.skipped for p in pages)
    later = list(
        client(loaded_tempo, sleeps).deleted_worklogs(since=datetime.now(UTC) + timedelta(minutes=1))
    )
    assert later == [DeletionPage()]


def test_unreadable_papertrail_entries_are_skipped_and_named(loaded_tempo, sleeps):
    app = loaded_tempo.app
    before = datetime.now(UTC) - timedelta(seconds=5)
    first, second, third = sorted(app.worklogs)[:3]
    for wid in (first, second, third):
        app.delete_worklog(wid)
    app.corrupt_deletion(second, timestamp="last tuesday")
    app.corrupt_deletion(third, entityId="abc")
    (page,) = list(client(loaded_tempo, sleeps).deleted_worklogs(since=before))
    assert [d.tempo_id for d in page.deletions] == [first]
    assert page.skipped == [
        SkippedRecord(str(second), "papertrail: timestamp: not a timestamp: 'last tuesday'"),
        SkippedRecord("abc", "papertrail: entityId is not a whole number: 'abc'"),
    ]


def test_a_page_says_when_it_was_not_read_completely(loaded_tempo, sleeps):
    app = loaded_tempo.app
    ids = sorted(app.worklogs, key=lambda i: (app.worklogs[i].start_date, app.worklogs[i].start_time, i))
    app.corrupt_worklog(ids[3], tempoWorklogId=None)
    app.corrupt_worklog(ids[60], timeSpentSeconds="abc")
    first, second, *rest = client(loaded_tempo, sleeps).worklog_pages(limit=50)
    assert first.expected == 50 and first.problem == (
        "the page at offset 0 had 1 record(s) without a readable tempoWorklogId"
    )
    # A record with a readable id that does not parse is skipped by name; the page is complete.
    assert [s.remote_id for s in second.skipped] == [str(ids[60])] and second.problem == ""
    assert all(p.problem == "" for p in rest)


def test_accounts(loaded_tempo, sleeps):
    result = client(loaded_tempo, sleeps).accounts()
    by_key = {a.key: a for a in result.accounts}
    assert by_key["CR"].name == "Community Relations" and by_key["CR"].category_key == "NONCELL"
    assert by_key["BB-CLIENT1"].billable and by_key["BB-CLIENT1"].customer
    assert by_key["BB-CLIENT1"].monthly_budget is not None and by_key["BB-CLIENT1"].monthly_budget > Decimal(
        0
    )
    assert not by_key["BB-INTERNAL"].billable and by_key["BB-INTERNAL"].category_key == "CELL"
    assert result.skipped == []


def test_bad_account_is_skipped(loaded_tempo, sleeps):
    loaded_tempo.app.add_account(raw={"id": 999, "name": "No key"})
    result = client(loaded_tempo, sleeps).accounts()
    assert [(s.remote_id, s.reason) for s in result.skipped] == [("?", "account: key is missing")]


def test_user_schedule(fake_tempo, sleeps):
    fake_tempo.app.daily_hours["acc-1"] = 5
    days = client(fake_tempo, sleeps).user_schedule(
        "acc-1", date_from=date(2026, 1, 1), date_to=date(2026, 1, 5)
    )
    assert [(d.day.day, d.kind, d.required_seconds) for d in days] == [
        (1, "HOLIDAY", 0),
        (2, "WORKING_DAY", 18000),
        (3, "NON_WORKING_DAY", 0),
        (4, "NON_WORKING_DAY", 0),
        (5, "WORKING_DAY", 18000),
    ]
    assert days[0].holiday == "New Year's Day"


def test_paging_survives_faults_between_pages(loaded_tempo, sleeps):
    loaded_tempo.faults.add(Fault(path="/4/worklogs", status=429, after=1, times=1))
    loaded_tempo.faults.add(Fault(path="/4/worklogs", status=503, retry_after="2", after=2, times=1))
    ids = [w.tempo_id for p in client(loaded_tempo, sleeps).worklog_pages(limit=40) for w in p.worklogs]
    assert sorted(ids) == sorted(loaded_tempo.app.worklogs)
    assert sleeps == [1.0, 5.0]


def test_settings_build_the_client_and_say_when_off(fake_tempo, settings):
    assert tempo_client().http.base_url == fake_tempo.url
    settings.TEMPO_API_TOKEN = "wrong"
    with pytest.raises(AuthError, match="TEMPO_API_TOKEN"):
        tempo_client().accounts()
    settings.TEMPO_BASE_URL = ""
    with pytest.raises(NotConfigured, match="TEMPO_BASE_URL is not set"):
        tempo_client()
