"""Celery tasks: each takes the lock of its source (inside the service), calls the services and
owns the retry policy. A source without its base URL is off: the task says so and does nothing.

Retried: time-outs, refused connections, 5xx/429 that outlasted the client's own retries, and
a body that is not JSON (a proxy's error page). Never retried: 401/403 (a person must fix the
token). A run already in progress: the frequent incremental tasks answer ``{"status": "busy"}``
(the next tick comes in minutes); the nightly ones (the full JIRA read, the Tempo
reconciliation) wait for it and try again (``BUSY_RETRY_DELAYS``), else a night's deletions and
repairs would be lost whenever an incremental run happened to be going.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.utils import timezone

from findings.signals import ALL
from findings.tasks import request_evaluation
from opencraft_ops.integrations import config
from opencraft_ops.integrations.http import MalformedResponse, RemoteError, TransportError
from roles.models import Cell
from sync.services import SyncBusy, accounts_sync, jira_sync, worklogs_reconcile, worklogs_sync

log = logging.getLogger("sync")

MAX_RETRIES = 4
RETRY_DELAYS = (60, 120, 300, 900)  # seconds: the client already retried within the request
# The nightly tasks, refused because another run of the source holds its lock: an incremental
# run takes minutes, a manual full one longer; after these (about 17 minutes) they give up busy.
BUSY_RETRY_DELAYS = (120, 300, 600)


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, TransportError | MalformedResponse):
        return True
    return isinstance(exc, RemoteError) and (exc.status is None or exc.status >= 500 or exc.status == 429)


def _run(task: Any, work: Any, *, retry_busy: bool = False) -> dict[str, Any]:
    """Runs ``work`` under the retry policy; ``retry_busy`` (the nightly tasks) also retries a
    refusal because another run holds the source's lock."""
    try:
        result = dict(work())
    except SyncBusy as exc:
        retries = task.request.retries
        if not retry_busy or retries >= len(BUSY_RETRY_DELAYS):
            if retry_busy:
                log.error("sync task %s gave up after %d busy retries: %s", task.name, retries, exc)
            return {"status": "busy", "reason": str(exc)}
        log.info("sync task %s is busy; retrying in %ds: %s", task.name, BUSY_RETRY_DELAYS[retries], exc)
        raise task.retry(exc=exc, countdown=BUSY_RETRY_DELAYS[retries]) from exc
    except (TransportError, RemoteError, MalformedResponse) as exc:
        if not retryable(exc) or task.request.retries >= MAX_RETRIES:
            raise
        log.warning("sync task %s will retry: %s", task.name, exc)
        raise task.retry(
            exc=exc, countdown=RETRY_DELAYS[min(task.request.retries, len(RETRY_DELAYS) - 1)]
        ) from exc
    # Bulk upserts send no signals: re-evaluate every cell's findings (debounced).
    request_evaluation([ALL])
    return result


def _summary(*runs: Any) -> dict[str, Any]:
    return {
        "runs": [r.pk for r in runs],
        "outcome": [r.outcome for r in runs],
        "created": sum(r.created for r in runs),
        "updated": sum(r.updated for r in runs),
        "deleted": sum(r.deleted for r in runs),
        "skipped": sum(r.skipped for r in runs),
    }


@shared_task(name="sync.tempo", bind=True, max_retries=MAX_RETRIES)
def sync_tempo(self: Any) -> dict[str, Any]:
    """Accounts, then worklogs changed since the watermark, then papertrail deletions."""
    if not config.tempo_configured():
        return {"status": "off", "reason": "TEMPO_BASE_URL or TEMPO_API_TOKEN is not set"}

    def work() -> dict[str, Any]:
        client = config.tempo_client()
        try:
            accounts = accounts_sync(client=client, triggered_by="task")
            worklogs = worklogs_sync(client=client, triggered_by="task")
        finally:
            client.close()
        return {"status": "done", **_summary(accounts, worklogs)}

    return _run(self, work)


@shared_task(name="sync.tempo_reconcile", bind=True, max_retries=MAX_RETRIES)
def reconcile_tempo(self: Any) -> dict[str, Any]:
    """Nightly: re-reads the last two months of worklogs and repairs any drift."""
    if not config.tempo_configured():
        return {"status": "off", "reason": "TEMPO_BASE_URL or TEMPO_API_TOKEN is not set"}

    def work() -> dict[str, Any]:
        client = config.tempo_client()
        try:
            run = worklogs_reconcile(client=client, today=timezone.localdate(), triggered_by="task")
        finally:
            client.close()
        return {"status": "done", **_summary(run)}

    return _run(self, work, retry_busy=True)


@shared_task(name="sync.jira", bind=True, max_retries=MAX_RETRIES)
def sync_jira(self: Any, full: bool = False) -> dict[str, Any]:
    """Board sprints, epics and tickets changed since the watermark; with ``full`` (nightly)
    every issue, which is how deletions upstream arrive (JIRA's search shows no trace of them).
    The full read retries while another JIRA run holds the lock; the incremental one does not."""
    if not config.jira_configured():
        return {"status": "off", "reason": "JIRA_BASE_URL is not set"}
    if not Cell.objects.exclude(jira_board_id=None).exists():
        # Nothing to sync is not a success: no run is recorded, and the sync-stale check keeps saying so.
        return {"status": "off", "reason": "no cell has a JIRA board (set Cell.jira_board_id)"}

    def work() -> dict[str, Any]:
        # The service builds the client inside its recorded run: a refused token or an
        # unreachable JIRA is a failed run on /sync/, not only a task's traceback.
        run = jira_sync(full=full, triggered_by="task")
        return {"status": "done", **_summary(run)}

    return _run(self, work, retry_busy=full)
