"""Injected faults end with the same database as a clean run: nothing lost, nothing twice."""

from __future__ import annotations

import pytest

from opencraft_ops.integrations.fakes import Fault
from opencraft_ops.integrations.http import MalformedResponse, RemoteError
from sustainability.models import Worklog
from sync.models import SyncCursor, SyncOutcome, SyncRun
from sync.services import accounts_sync, jira_sync, worklogs_sync
from sync.services.tempo import WORKLOG_CURSOR
from sync.tests.conftest import snapshot, wipe


def sync_everything(tempo, jira) -> list[SyncRun]:
    return [accounts_sync(client=tempo), jira_sync(client=jira), worklogs_sync(client=tempo)]


@pytest.fixture
def clean(org, upstream, tempo, jira):
    """The database after a clean run, then emptied for the run under test."""
    sync_everything(tempo, jira)
    expected = snapshot()
    assert len(expected["worklogs"]) > 150 and expected["tickets"]
    wipe()
    return expected


TEMPO_FAULTS = {
    "429 with Retry-After": Fault(path="/4/worklogs", status=429, retry_after="2", after=1, times=2),
    "429 without Retry-After": Fault(path="/4/worklogs", status=429, after=2, times=3),
    "500 twice": Fault(path="/4/worklogs", status=500, after=1, times=2),
    "503": Fault(path="/4/worklogs", status=503, after=3, times=1),
    "slow answer (time-out)": Fault(path="/4/worklogs", delay=2.5, after=2, times=1),
    "papertrail 503": Fault(path="/4/papertrail", status=503, times=1),
    "accounts 429": Fault(path="/4/accounts", status=429, times=1),
}


@pytest.mark.parametrize("fault", TEMPO_FAULTS.values(), ids=TEMPO_FAULTS.keys())
def test_tempo_fault_ends_like_a_clean_run(clean, fault, tempo, jira, fake_tempo, sleeps):
    fake_tempo.faults.add(fault)
    runs = sync_everything(tempo, jira)
    assert [r.outcome for r in runs] == [SyncOutcome.SUCCESS] * 3
    assert fault.hits == fault.times
    assert sleeps and min(sleeps) >= 1.0
    assert snapshot() == clean


JIRA_FAULTS = {
    "search 429 with Retry-After": Fault(
        path="/rest/api/2/search", status=429, retry_after="1", after=1, times=1
    ),
    "search 500 twice": Fault(path="/rest/api/2/search", status=500, after=2, times=2),
    "boards 503 without Retry-After": Fault(path="/rest/agile/1.0/board", status=503, times=1),
    "sprints 429": Fault(path="/rest/agile/1.0/board/2/sprint", status=429, retry_after="1", times=1),
    "slow search (time-out)": Fault(path="/rest/api/2/search", delay=2.5, after=1, times=1),
}


@pytest.mark.parametrize("fault", JIRA_FAULTS.values(), ids=JIRA_FAULTS.keys())
def test_jira_fault_ends_like_a_clean_run(clean, fault, tempo, jira, fake_jira):
    fake_jira.faults.add(fault)
    runs = sync_everything(tempo, jira)
    assert [r.outcome for r in runs] == [SyncOutcome.SUCCESS] * 3
    assert fault.hits == fault.times
    assert snapshot() == clean


def test_server_failing_between_pages_then_rerun(clean, tempo, jira, fake_tempo):
    accounts_sync(client=tempo)
    jira_sync(client=jira)
    fake_tempo.faults.add(Fault(path="/4/worklogs", status=500, after=2, times=4))
    with pytest.raises(RemoteError, match="500 after 4 attempts"):
        worklogs_sync(client=tempo)
    failed = SyncRun.objects.filter(outcome=SyncOutcome.FAILED).get()
    assert failed.created == 100 and "RemoteError" in failed.message
    assert Worklog.objects.count() == 100  # the two pages before the crash are committed
    assert SyncCursor.objects.get(name=WORKLOG_CURSOR).value is None  # the watermark did not move
    fake_tempo.faults.clear()
    rerun = worklogs_sync(client=tempo)
    assert rerun.outcome == SyncOutcome.SUCCESS
    assert rerun.created == len(clean["worklogs"]) - 100 and rerun.updated == 0
    assert snapshot() == clean


def test_proxy_html_502_is_retried_like_any_5xx(clean, tempo, jira, fake_tempo, sleeps):
    fault = fake_tempo.app.proxy_faults.add(Fault(path="/4/worklogs", status=502, after=1, times=2))
    runs = sync_everything(tempo, jira)
    assert [r.outcome for r in runs] == [SyncOutcome.SUCCESS] * 3
    assert fault.hits == 2 and sleeps == [5.0, 10.0]
    assert snapshot() == clean


@pytest.mark.parametrize(
    "where",
    ["proxy", "server"],
    ids=["proxy HTML page with 200", "server body that is not JSON"],
)
def test_a_200_that_is_not_json_fails_the_run_then_a_rerun_completes(
    clean, tempo, jira, fake_tempo, sleeps, where
):
    accounts_sync(client=tempo)
    jira_sync(client=jira)
    if where == "proxy":
        fake_tempo.app.proxy_faults.add(Fault(path="/4/worklogs", status=200, after=2))
    else:
        fake_tempo.faults.add(Fault(path="/4/worklogs", malformed_json=True, after=2))
    with pytest.raises(MalformedResponse, match="did not answer JSON"):
        worklogs_sync(client=tempo)
    failed = SyncRun.objects.get(outcome=SyncOutcome.FAILED)
    assert (failed.errors, failed.created) == (1, 100)
    assert (
        failed.message.startswith("MalformedResponse: Tempo: GET ")
        and "did not answer JSON (200" in failed.message
    )
    assert sleeps == []  # not retried within the request: nothing to guess from such a page
    # Nothing lost: the two pages before it are committed, the watermark did not move.
    assert Worklog.objects.count() == 100
    assert SyncCursor.objects.get(name=WORKLOG_CURSOR).value is None
    rerun = worklogs_sync(client=tempo)
    assert rerun.outcome == SyncOutcome.SUCCESS
    assert (rerun.created, rerun.updated) == (len(clean["worklogs"]) - 100, 0)
    assert snapshot() == clean


class WorkerKilled(Exception):
    pass


def test_crash_in_the_worker_between_pages_then_rerun(clean, tempo, jira, fake_tempo):
    accounts_sync(client=tempo)
    jira_sync(client=jira)
    pages = []

    def die_after_three_pages(count: int) -> None:
        pages.append(count)
        if len(pages) == 3:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        worklogs_sync(client=tempo, progress=die_after_three_pages)
    assert Worklog.objects.count() == 150
    worklogs_sync(client=tempo)
    assert snapshot() == clean


def test_crash_between_pages_of_an_incremental_run(clean, tempo, jira, fake_tempo):
    """Edits spread over several pages; a crash midway; the re-run still sees every edit."""
    sync_everything(tempo, jira)
    app = fake_tempo.app
    ids = sorted(app.worklogs, key=lambda i: (app.worklogs[i].start_date, i))
    edited = ids[::2]  # over two pages of 50
    for wid in edited:
        app.update_worklog(wid, description="edited again")
    fake_tempo.faults.add(Fault(path="/4/worklogs", status=503, after=1, times=4))
    with pytest.raises(RemoteError):
        worklogs_sync(client=tempo)
    fake_tempo.faults.clear()
    run = worklogs_sync(client=tempo)
    assert run.outcome == SyncOutcome.SUCCESS
    stored = Worklog.objects.filter(description="edited again").values_list("tempo_id", flat=True)
    assert sorted(stored, key=lambda v: v or 0) == sorted(edited)


def test_jira_failing_between_pages_then_rerun(clean, tempo, jira, fake_jira):
    accounts_sync(client=tempo)
    fake_jira.faults.add(Fault(path="/rest/api/2/search", status=500, after=1, times=4))
    with pytest.raises(RemoteError):
        jira_sync(client=jira)
    fake_jira.faults.clear()
    jira_sync(client=jira)
    worklogs_sync(client=tempo)
    assert snapshot() == clean
